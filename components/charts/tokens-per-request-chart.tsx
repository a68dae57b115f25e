"use client";

import type { LineSeries, TimeRow } from "@/lib/view/cache-charts";
import { formatTokens } from "@/lib/format";
import { CacheTimeSeriesChart } from "./cache-time-series-chart";

/** Average tokens per request over time, one line per group plus the overall average (muted). */
export function TokensPerRequestChart({
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
  return <CacheTimeSeriesChart rows={rows} series={series} domain={domain} ticks={ticks} yFormat={formatTokens} summary={summary} className="h-80" />;
}
