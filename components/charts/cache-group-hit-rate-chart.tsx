"use client";

import type { LineSeries, TimeRow } from "@/lib/view/cache-charts";
import { CacheTimeSeriesChart } from "./cache-time-series-chart";

const PERCENT_TICKS = [0, 25, 50, 75, 100];
const percent = (value: number) => `${value}%`;

/** Hit rate per group: the top groups in colour, "other" muted and dashed. */
export function CacheGroupHitRateChart({
  rows,
  series,
  domain,
  ticks,
  summary,
}: {
  rows: TimeRow[];
  series: LineSeries[];
  domain: [number, number];
  ticks: number[];
  summary: string;
}) {
  return (
    <CacheTimeSeriesChart
      rows={rows}
      series={series}
      domain={domain}
      ticks={ticks}
      yDomain={[0, 100]}
      yTicks={PERCENT_TICKS}
      yFormat={percent}
      summary={summary}
      className="h-80"
    />
  );
}
