"use client";

import { useState } from "react";
import type { TopTrace } from "@/lib/analytics/outcome-report";
import { formatCostWithUnpriced, formatDuration, nextSort, sortTopTraces, spanMs, type TraceSortKey } from "@/lib/view/outcomes";
import { type SortState } from "@/lib/schemas/pages/outcomes";
import { formatCount, formatDayTime } from "@/lib/format";
import { Panel } from "@/components/ui/panel";
import { SortHeader } from "@/components/ui/sort-header";
import { ScrollRegion } from "@/components/ui/scroll-region";

export function SuccessBadge({ success }: { success: boolean }) {
  return (
    <span
      className={
        success
          ? "inline-flex rounded px-1.5 py-px text-xs font-medium text-emerald-700 ring-1 ring-emerald-200 ring-inset"
          : "inline-flex rounded px-1.5 py-px text-xs font-medium text-rose-700 ring-1 ring-rose-200 ring-inset"
      }
    >
      {success ? "succeeded" : "failed"}
    </span>
  );
}

/** The most expensive traces (the API's top 20); a trace id opens its calls. */
export function TopTracesTable({ traces, onOpen }: { traces: readonly TopTrace[]; onOpen: (traceId: string) => void }) {
  const [sort, setSort] = useState<SortState<TraceSortKey>>({ key: "cost_usd", direction: "desc" });
  const rows = sortTopTraces(traces, sort);
  const onSort = (key: TraceSortKey) => setSort((current) => nextSort(current, key));
  return (
    <Panel
      title={`The ${formatCount(traces.length)} most expensive traces`}
      titleId="top-traces-title"
      description="Every call of the workflow, retries and failures included. Select a trace to see its calls."
    >
      {traces.length === 0 ? (
        <p className="py-6 text-center text-sm text-zinc-600">No traces in this window.</p>
      ) : (
        <ScrollRegion label="Most expensive traces">
          <table className="w-full text-sm" data-testid="top-traces" aria-labelledby="top-traces-title">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th scope="col" className="py-2 pr-2 text-left font-medium">Trace</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Outcome</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Team</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Feature</th>
                <SortHeader column="outcomes" label="Outcomes" sort={sort} onSort={onSort} numeric />
                <SortHeader column="calls" label="Calls" sort={sort} onSort={onSort} numeric />
                <SortHeader column="retries" label="Retries" sort={sort} onSort={onSort} numeric />
                <SortHeader column="cost_usd" label="Cost" sort={sort} onSort={onSort} numeric />
                <SortHeader column="first_call_at" label="First call (UTC)" sort={sort} onSort={onSort} />
                <SortHeader column="duration" label="Duration" sort={sort} onSort={onSort} numeric />
              </tr>
            </thead>
            <tbody className="tabular">
              {rows.map((t) => {
                const span = spanMs(t.first_call_at, t.last_call_at);
                return (
                  <tr key={t.trace_id} className="border-t border-zinc-100" data-testid="top-trace">
                    <th scope="row" className="py-1.5 pr-2 text-left font-normal">
                      <button
                        type="button"
                        onClick={() => onOpen(t.trace_id)}
                        title={t.trace_id}
                        aria-haspopup="dialog"
                        className="block max-w-[16ch] truncate rounded font-mono text-xs text-indigo-700 underline-offset-2 hover:underline"
                      >
                        {t.trace_id}
                      </button>
                    </th>
                    <td className="px-2 py-1.5">
                      <span className="mr-1.5 font-mono text-xs text-zinc-800">{t.outcome_type}</span>
                      <SuccessBadge success={t.success} />
                    </td>
                    <td className="px-2 py-1.5 text-zinc-700" data-testid="top-trace-team">{t.team ?? "untagged"}</td>
                    <td className="px-2 py-1.5 text-zinc-700">{t.feature ?? "untagged"}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{formatCount(t.outcomes)}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700" data-testid="top-trace-calls">{formatCount(t.calls)}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{formatCount(t.retries)}</td>
                    <td className={t.cost_usd === null || t.unpriced_requests > 0 ? "px-2 py-1.5 text-right font-medium text-amber-700" : "px-2 py-1.5 text-right font-medium text-zinc-900"}>
                      {formatCostWithUnpriced(t.cost_usd, t.unpriced_requests)}
                    </td>
                    <td className="px-2 py-1.5 whitespace-nowrap text-zinc-700">{t.first_call_at ? formatDayTime(new Date(t.first_call_at)) : "no calls"}</td>
                    <td className="px-2 py-1.5 text-right text-zinc-700">{span === null ? "—" : formatDuration(span)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
