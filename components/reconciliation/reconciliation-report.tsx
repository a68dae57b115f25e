"use client";

import { useSearchParams } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { ReconciliationChart } from "@/components/charts/reconciliation-chart";
import { useApiQuery, keepPrevious } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { Callout } from "@/components/ui/callout";
import { cn } from "@/components/ui/cn";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { PanelBlock } from "@/components/ui/skeleton";
import { SortHeader, type TableSort } from "@/components/ui/sort-header";
import { StatusChip } from "@/components/ui/status-chip";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { formatCount, formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { RECONCILIATION_PROVIDERS, type ReconciliationReportJson, type ReconciliationRowJson } from "@/lib/schemas/reconciliation";
import {
  CAUSE_LABELS,
  PROVIDER_LABELS,
  reconciliationPageState,
  reconciliationPoints,
  signedMoney,
  signedPercent,
  sortReconciliationRows,
  tokenDelta,
  type ReconciliationSortKey,
} from "@/lib/view/reconciliation";

/** The comparison for the window and provider of the URL: totals, a chart per provider, the rows with their causes. */
export function ReconciliationReport() {
  const search = useSearchParams();
  const state = reconciliationPageState(search, new Date());
  const { pending, replaceQuery } = useUrlNavigation();
  const query = useApiQuery(queries.reconciliation({ from: state.from, to: state.to, provider: state.provider }), keepPrevious());
  const setFilter = (changes: Partial<Record<"from" | "to" | "provider", string>>) =>
    replaceQuery({ from: state.from, to: state.to, provider: state.provider, ...changes });

  return (
    <div className="space-y-4">
      <form className="flex flex-wrap items-end gap-3" onSubmit={(event) => event.preventDefault()} aria-label="Window and provider">
        <DayInput label="From (UTC day)" value={state.from} onChange={(from) => setFilter({ from })} />
        <DayInput label="To (exclusive)" value={state.to} onChange={(to) => setFilter({ to })} />
        <label className="text-sm">
          <span className="block font-medium text-zinc-800">Provider</span>
          <select
            className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm"
            value={state.provider ?? ""}
            onChange={(event) => setFilter({ provider: event.target.value || undefined })}
          >
            <option value="">All providers</option>
            {RECONCILIATION_PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        {pending || query.isFetching ? <span className="pb-2 text-xs text-zinc-500" role="status">Updating…</span> : null}
      </form>
      {query.isError ? (
        <Callout tone="warning" title="The comparison could not be loaded">{query.error.message}</Callout>
      ) : !query.data ? (
        <PanelBlock rows={6} chart />
      ) : (
        <ReportBody report={query.data} />
      )}
    </div>
  );
}

function DayInput({ label, value, onChange }: { label: string; value: string; onChange: (day: string) => void }) {
  const id = useId();
  return (
    <div className="text-sm">
      <label htmlFor={id} className="block font-medium text-zinc-800">
        {label}
      </label>
      <input id={id} type="date" className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm" value={value} onChange={(event) => event.target.value && onChange(event.target.value)} />
    </div>
  );
}

function ReportBody({ report }: { report: ReconciliationReportJson }) {
  if (report.connections.length === 0) {
    return (
      <Callout title="No provider is connected yet" testId="reconciliation-empty">
        Connect OpenAI or Anthropic with an admin API key (an admin does it below): Burnrate then pulls their own usage and cost reports every day and shows here where its numbers and the bill differ, and why.
      </Callout>
    );
  }
  const providers = report.totals.map((t) => t.provider);
  return (
    <>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {report.totals.map((total) => (
          <Panel key={total.provider} title={`${PROVIDER_LABELS[total.provider]}, ${report.from} to ${report.to}`}>
            <dl className="grid grid-cols-3 gap-3 text-sm" data-testid={`totals-${total.provider}`}>
              <Figure label="Provider billed" value={total.provider_cost_usd === null ? "—" : formatMoney(total.provider_cost_usd)} />
              <Figure label="Burnrate counted" value={formatMoney(total.burnrate_cost_usd)} />
              <Figure label="Drift" value={total.drift_usd === null ? "—" : `${signedMoney(total.drift_usd)}${total.drift_pct === null ? "" : ` (${signedPercent(total.drift_pct)})`}`} tone={driftTone(total.drift_pct)} />
            </dl>
            <div className="mt-4">
              <ReconciliationChart
                points={reconciliationPoints(report.days, total.provider)}
                summary={`${PROVIDER_LABELS[total.provider]} per day: billed ${total.provider_cost_usd === null ? "unknown" : formatMoney(total.provider_cost_usd)}, Burnrate ${formatMoney(total.burnrate_cost_usd)}.`}
                testId={`reconciliation-chart-${total.provider}`}
              />
            </div>
          </Panel>
        ))}
      </div>
      {providers.length === 0 ? (
        <Callout title="Nothing pulled for this window yet">
          Days are compared once a pull has answered for them: the server pulls the last 3 days once a day, and an admin can pull any window below.
        </Callout>
      ) : null}
      <RowsTable rows={report.rows} />
    </>
  );
}

function driftTone(pct: string | null): "good" | "warn" | "bad" | null {
  if (pct === null) return null;
  const abs = new Money(pct).abs();
  return abs.lte(1) ? "good" : abs.lte(5) ? "warn" : "bad";
}

function Figure({ label, value, tone = null }: { label: string; value: string; tone?: "good" | "warn" | "bad" | null }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className={cn("tabular mt-0.5 font-semibold text-zinc-900", tone === "bad" && "text-rose-700", tone === "warn" && "text-amber-700")}>{value}</dd>
    </div>
  );
}

function RowsTable({ rows }: { rows: readonly ReconciliationRowJson[] }) {
  const [sort, setSort] = useState<TableSort<ReconciliationSortKey>>({ key: "drift", direction: "desc" });
  const sorted = useMemo(() => sortReconciliationRows(rows, sort.key, sort.direction), [rows, sort]);
  const onSort = (key: ReconciliationSortKey) => setSort((current) => ({ key, direction: current.key === key && current.direction === "desc" ? "asc" : "desc" }));
  const titleId = useId();
  return (
    <Panel title="Per day and model" titleId={titleId} description="Token deltas are the provider's count minus Burnrate's (+ means tokens Burnrate never received). Input counts every input token, cache reads and writes included.">
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-600">No usage on either side in this window.</p>
      ) : (
        <ScrollRegion label="Reconciliation rows">
          <table className="w-full text-sm" aria-labelledby={titleId} data-testid="reconciliation-rows">
            <thead className="text-xs text-zinc-500">
              <tr>
                <SortHeader column="day" label="Day" sort={sort} onSort={onSort} />
                <th scope="col" className="px-2 py-2 text-left font-medium">Provider</th>
                <SortHeader column="model" label="Model" sort={sort} onSort={onSort} />
                <SortHeader column="provider_cost" label="Billed" sort={sort} onSort={onSort} numeric />
                <SortHeader column="burnrate_cost" label="Burnrate" sort={sort} onSort={onSort} numeric />
                <SortHeader column="drift" label="Drift" sort={sort} onSort={onSort} numeric />
                <th scope="col" className="px-2 py-2 text-right font-medium">Δ input</th>
                <th scope="col" className="px-2 py-2 text-right font-medium">Δ cache read</th>
                <th scope="col" className="px-2 py-2 text-right font-medium">Δ cache write</th>
                <th scope="col" className="px-2 py-2 text-right font-medium">Δ output</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Why</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {sorted.map((row) => (
                <tr key={`${row.provider}/${row.day}/${row.model ?? ""}`} className="align-top">
                  <td className="tabular px-2 py-2 whitespace-nowrap">{row.day}</td>
                  <td className="px-2 py-2">{PROVIDER_LABELS[row.provider]}</td>
                  <td className="px-2 py-2 break-all">{row.model ?? <span className="text-zinc-500">not split by model</span>}</td>
                  <td className="tabular px-2 py-2 text-right">{row.provider_cost_usd === null ? <span className="text-zinc-400">—</span> : formatMoney(row.provider_cost_usd)}</td>
                  <td className="tabular px-2 py-2 text-right">{formatMoney(row.burnrate_cost_usd)}</td>
                  <td className={cn("tabular px-2 py-2 text-right whitespace-nowrap", driftTone(row.drift_pct) === "bad" && "text-rose-700")}>
                    {row.drift_usd === null ? <span className="text-zinc-400">tokens only</span> : `${signedMoney(row.drift_usd)}${row.drift_pct === null ? "" : ` (${signedPercent(row.drift_pct)})`}`}
                  </td>
                  <td className="tabular px-2 py-2 text-right" title={`provider ${formatCount(row.provider_input_tokens ?? 0)}, Burnrate ${formatCount(row.burnrate_input_tokens)}`}>{tokenDelta(row.provider_input_tokens, row.burnrate_input_tokens)}</td>
                  <td className="tabular px-2 py-2 text-right">{tokenDelta(row.provider_cache_read_tokens, row.burnrate_cache_read_tokens)}</td>
                  <td className="tabular px-2 py-2 text-right">{tokenDelta(row.provider_cache_write_tokens, row.burnrate_cache_write_tokens)}</td>
                  <td className="tabular px-2 py-2 text-right">{tokenDelta(row.provider_output_tokens, row.burnrate_output_tokens)}</td>
                  <td className="px-2 py-2 text-xs text-zinc-700">
                    <div className="flex flex-wrap gap-1">
                      {row.causes.map((cause) => (
                        <StatusChip key={cause} tone={cause === "unattributed_cost" ? "warn" : "bad"} testId="drift-cause">
                          {CAUSE_LABELS[cause]}
                        </StatusChip>
                      ))}
                    </div>
                    {row.explanation ? <p className="mt-1 max-w-md">{row.explanation}</p> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
