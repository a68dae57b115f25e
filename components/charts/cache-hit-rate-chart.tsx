"use client";

import type { DropBand, TimeRow } from "@/lib/view/cache-charts";
import { CacheTimeSeriesChart } from "./cache-time-series-chart";

const PERCENT_TICKS = [0, 25, 50, 75, 100];
const percent = (value: number) => `${value}%`;

/** The overall prompt-cache hit rate, 0–100 %, with drop episodes shaded and labelled ("−61 pp"). */
export function CacheHitRateChart({
  rows,
  bands,
  domain,
  ticks,
  summary,
}: {
  rows: TimeRow[];
  bands: DropBand[];
  domain: [number, number];
  ticks: number[];
  summary: string;
}) {
  return (
    <CacheTimeSeriesChart
      rows={rows}
      series={[{ key: "overall", name: "Hit rate" }]}
      bands={bands}
      domain={domain}
      ticks={ticks}
      yDomain={[0, 100]}
      yTicks={PERCENT_TICKS}
      yFormat={percent}
      summary={summary}
    />
  );
}
