"use client";

import { useMemo } from "react";
import type { CacheReport } from "@/lib/analytics/cache";
import { formatBucket, formatHitRate } from "@/lib/view/cache-format";
import { dayTicks, dropBands, hitRateRows, hitRateSummary } from "@/lib/view/cache-charts";
import { formatCount, formatMoney, formatTokens } from "@/lib/format";
import { CacheHitRateChart } from "@/components/charts/cache-hit-rate-chart";
import { Panel } from "@/components/ui/panel";
import { OverallDrops } from "./drop-list";
import { ScrollRegion } from "@/components/ui/scroll-region";

/** The overall hit rate over time with drop episodes shaded, the episode list, and the figures as a table. */
export function HitRatePanel({ report }: { report: CacheReport }) {
  const domain = useMemo((): [number, number] => [Date.parse(report.from), Date.parse(report.to)], [report.from, report.to]);
  const rows = useMemo(() => hitRateRows(report.series, report.bucket), [report.series, report.bucket]);
  const bands = useMemo(() => dropBands(report.drops, domain[0], domain[1]), [report.drops, domain]);
  const ticks = useMemo(() => dayTicks(domain[0], domain[1]), [domain]);
  return (
    <Panel
      title="Prompt-cache hit rate"
      titleId="hit-rate-title"
      description={`All traffic in the window, ${report.bucket === "day" ? "per UTC day" : "per UTC hour"}; drops shaded`}
      className="min-w-0"
    >
      <CacheHitRateChart rows={rows} bands={bands} domain={domain} ticks={ticks} summary={hitRateSummary(report)} />
      <OverallDrops report={report} />
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer rounded text-xs font-medium text-zinc-600 hover:text-zinc-900">Show as table</summary>
        <ScrollRegion label="Prompt-cache hit rate per bucket" className="mt-2 max-h-72 overflow-y-auto">
          <table className="w-full text-xs" aria-label="Prompt-cache hit rate per bucket">
            <thead className="sticky top-0 bg-white">
              <tr className="text-left text-zinc-500">
                <th scope="col" className="py-1 font-medium">{report.bucket === "day" ? "Day (UTC)" : "Hour (UTC)"}</th>
                <th scope="col" className="py-1 text-right font-medium">Requests</th>
                <th scope="col" className="py-1 text-right font-medium">Input</th>
                <th scope="col" className="py-1 text-right font-medium">Cache read</th>
                <th scope="col" className="py-1 text-right font-medium">Hit rate</th>
                <th scope="col" className="py-1 text-right font-medium">Saved</th>
              </tr>
            </thead>
            <tbody className="tabular">
              {report.series.map((point) => (
                <tr key={point.bucket} className="border-t border-zinc-100">
                  <th scope="row" className="py-1 text-left font-normal text-zinc-700">{formatBucket(point.bucket, report.bucket)}</th>
                  <td className="py-1 text-right">{formatCount(point.requests)}</td>
                  <td className="py-1 text-right">{formatTokens(point.input_tokens)}</td>
                  <td className="py-1 text-right">{formatTokens(point.cache_read_input_tokens)}</td>
                  <td className="py-1 text-right">{formatHitRate(point.hit_rate, 2)}</td>
                  <td className="py-1 text-right">{formatMoney(point.saved_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>
    </Panel>
  );
}
