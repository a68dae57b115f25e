"use client";

import { useMemo } from "react";
import type { CacheReport } from "@/lib/analytics/cache";
import { cacheDimensionLabel } from "@/lib/schemas/pages/cache";
import { cacheGroupName, formatHitRate, groupPlural } from "@/lib/view/cache-format";
import { dayTicks, groupHitRateRows, groupHitRateSummary } from "@/lib/view/cache-charts";
import type { CacheGroupBy } from "@/lib/schemas/cache";
import { formatCount, formatMoney, formatTokens } from "@/lib/format";
import { CacheGroupHitRateChart } from "@/components/charts/cache-group-hit-rate-chart";
import { Panel } from "@/components/ui/panel";
import { DropItem } from "./drop-list";
import { ScrollRegion } from "@/components/ui/scroll-region";

/** Hit rate per group (top groups by input tokens, then "other"), their drops, and their totals. */
export function GroupHitRatePanel({ report, by: requested }: { report: CacheReport; by: CacheGroupBy }) {
  // While a new grouping loads, the previous answer stays on screen: name it after its own grouping.
  const by = report.group_by ?? requested;
  const domain = useMemo((): [number, number] => [Date.parse(report.from), Date.parse(report.to)], [report.from, report.to]);
  const { rows, series } = useMemo(() => groupHitRateRows(report.groups, by, report.bucket), [report.groups, by, report.bucket]);
  const ticks = useMemo(() => dayTicks(domain[0], domain[1]), [domain]);
  const label = cacheDimensionLabel(by);
  const withDrops = report.groups.filter((g) => g.drops.length > 0);
  const topCount = report.groups.filter((g) => !g.other).length;
  return (
    <Panel
      title={`Hit rate by ${label.toLowerCase()}`}
      titleId="group-hit-rate-title"
      description={`Top ${topCount} ${groupPlural(by)} by input tokens${report.groups.some((g) => g.other) ? ", the rest as “other”" : ""}`}
      className="min-w-0"
    >
      {report.groups.length === 0 ? (
        <p className="text-sm text-zinc-600">No {groupPlural(by)} with requests in this window.</p>
      ) : (
        <>
          <CacheGroupHitRateChart rows={rows} series={series} domain={domain} ticks={ticks} summary={groupHitRateSummary(report.groups, by)} />
          <div className="mt-3 text-sm" data-testid="group-drops">
            {withDrops.length === 0 ? (
              <p className="text-xs text-zinc-500">
                No drops in any {label.toLowerCase()}&apos;s series.
                {report.bucket === "hour" ? ` Hourly series of single ${groupPlural(by)} often have fewer than ${report.drop_rule.min_requests} requests per hour, too few to judge; the overall series above is the reliable signal.` : ""}
              </p>
            ) : (
              <>
                <p className="text-xs font-medium text-zinc-700">Drops by {label.toLowerCase()}</p>
                <ul className="mt-1 list-disc gap-x-8 space-y-1 pl-5 text-[13px] text-zinc-700 lg:columns-2">
                  {withDrops.flatMap((g) =>
                    g.drops.map((episode) => (
                      <DropItem key={`${g.key ?? ""}-${g.other}-${episode.start}`} episode={episode} bucket={report.bucket} testId="group-cache-drop" prefix={cacheGroupName(g, by)} />
                    )),
                  )}
                </ul>
                <p className="mt-1 text-xs text-zinc-500">Small groups can show the odd noisy bucket; a drop in many groups at once is the real thing.</p>
              </>
            )}
          </div>
          <ScrollRegion label={`Prompt cache by ${label.toLowerCase()}`} className="mt-3">
            <table className="w-full text-sm" aria-label={`Prompt cache by ${label.toLowerCase()}`} data-testid="cache-groups">
              <thead className="bg-zinc-50 text-xs text-zinc-500">
                <tr>
                  <th scope="col" className="px-2 py-2 text-left font-medium">{label}</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Requests</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Input</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Cache read</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Hit rate</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Saved</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Drops</th>
                </tr>
              </thead>
              <tbody className="tabular">
                {report.groups.map((g) => (
                  <tr key={`${g.key ?? ""}-${g.other}`} className="border-t border-zinc-100">
                    <th scope="row" className="px-2 py-1.5 text-left font-medium text-zinc-900">
                      {g.key === null && !g.other ? <em className="font-normal text-zinc-500">untagged</em> : cacheGroupName(g, by)}
                    </th>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{formatCount(g.totals.requests)}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{formatTokens(g.totals.input_tokens)}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{formatTokens(g.totals.cache_read_input_tokens)}</td>
                    <td className="px-2 py-1.5 text-right font-medium text-zinc-900">{formatHitRate(g.totals.hit_rate)}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{formatMoney(g.totals.saved_usd)}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{g.drops.length ? formatCount(g.drops.length) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        </>
      )}
    </Panel>
  );
}
