"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { apiFetch, type ApiClientError } from "@/components/api-client";
import { keepPrevious, useApiQuery } from "@/components/queries/hooks";
import { QUERY_ROOTS, queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { Callout } from "@/components/ui/callout";
import { FieldError } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { PanelBlock } from "@/components/ui/skeleton";
import { SortHeader, type TableSort } from "@/components/ui/sort-header";
import { StatusChip } from "@/components/ui/status-chip";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import type { Opportunity } from "@/lib/savings/advisor";
import { formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { SAVINGS_KINDS } from "@/lib/schemas/savings";
import { KIND_LABELS, savingsPageState } from "@/lib/view/savings";

type SortKey = "savings" | "current" | "team";

/** The window's opportunities: what each change would have saved, exactly, and per month at this rate. */
export function SavingsReport({ dismissTeams }: { dismissTeams: "all" | string[] }) {
  const canDismiss = (team: string) => dismissTeams === "all" || dismissTeams.includes(team);
  const search = useSearchParams();
  const state = savingsPageState(search, new Date());
  const { pending, replaceQuery } = useUrlNavigation();
  const query = useApiQuery(queries.savings({ from: state.from, to: state.to, team: state.team }), keepPrevious());
  const set = (changes: Partial<Record<"from" | "to" | "team" | "kind", string | undefined>>) =>
    replaceQuery({ from: state.from, to: state.to, team: state.team, kind: state.kind, ...changes });
  const fromId = useId();
  const toId = useId();
  const kindId = useId();
  return (
    <div className="space-y-4">
      <form className="flex flex-wrap items-end gap-3" onSubmit={(event) => event.preventDefault()} aria-label="Savings window">
        <div className="text-sm">
          <label htmlFor={fromId} className="block font-medium text-zinc-800">From (UTC day)</label>
          <input id={fromId} type="date" className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm" value={state.from} onChange={(e) => e.target.value && set({ from: e.target.value })} />
        </div>
        <div className="text-sm">
          <label htmlFor={toId} className="block font-medium text-zinc-800">To (exclusive)</label>
          <input id={toId} type="date" className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm" value={state.to} onChange={(e) => e.target.value && set({ to: e.target.value })} />
        </div>
        <div className="text-sm">
          <label htmlFor={kindId} className="block font-medium text-zinc-800">Kind</label>
          <select id={kindId} className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm" value={state.kind ?? ""} onChange={(e) => set({ kind: e.target.value || undefined })}>
            <option value="">Every kind</option>
            {SAVINGS_KINDS.map((kind) => (
              <option key={kind} value={kind}>{KIND_LABELS[kind]}</option>
            ))}
          </select>
        </div>
        {pending || query.isFetching ? <span className="pb-2 text-xs text-zinc-500" role="status">Updating…</span> : null}
      </form>
      {query.isError ? (
        <Callout tone="warning" title="The savings could not be loaded">{query.error.message}</Callout>
      ) : !query.data ? (
        <PanelBlock rows={6} />
      ) : (
        <Opportunities
          opportunities={query.data.opportunities.filter((o) => state.kind === undefined || o.kind === state.kind)}
          totalUsd={query.data.total_savings_usd}
          perMonthUsd={query.data.total_savings_per_month_usd}
          canDismiss={canDismiss}
        />
      )}
    </div>
  );
}

function Opportunities({ opportunities, totalUsd, perMonthUsd, canDismiss }: { opportunities: Opportunity[]; totalUsd: string; perMonthUsd: string; canDismiss: (team: string) => boolean }) {
  const [sort, setSort] = useState<TableSort<SortKey>>({ key: "savings", direction: "desc" });
  const sorted = useMemo(() => {
    const sign = sort.direction === "asc" ? 1 : -1;
    return [...opportunities].sort((a, b) => {
      if (sort.key === "team") return sign * (a.team < b.team ? -1 : a.team > b.team ? 1 : 0);
      const field = sort.key === "savings" ? "savings_usd" : "current_cost_usd";
      return sign * new Money(a[field]).comparedTo(b[field]);
    });
  }, [opportunities, sort]);
  const onSort = (key: SortKey) => setSort((current) => ({ key, direction: current.key === key && current.direction === "desc" ? "asc" : "desc" }));
  const titleId = useId();
  const client = useQueryClient();
  const dismiss = useMutation<unknown, ApiClientError, Opportunity>({
    mutationFn: (o) => apiFetch("/api/v1/savings/dismissals", { method: "POST", body: { kind: o.kind, team: o.team, feature: o.feature ?? "", model: o.model } }),
    onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.savings }),
  });
  return (
    <Panel
      title="Opportunities"
      titleId={titleId}
      description="Each re-prices the window's actual token classes of that team, feature and model at current prices (base rates). Per month: at this window's run rate."
    >
      <dl className="mb-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-3" data-testid="savings-totals">
        <div>
          <dt className="text-xs text-zinc-500">Would have saved in the window</dt>
          <dd className="tabular mt-0.5 font-semibold text-zinc-900">{formatMoney(totalUsd)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Per month at this rate</dt>
          <dd className="tabular mt-0.5 font-semibold text-emerald-700">{formatMoney(perMonthUsd)}</dd>
        </div>
        <div>
          <dt className="text-xs text-zinc-500">Opportunities</dt>
          <dd className="tabular mt-0.5 font-semibold text-zinc-900">{opportunities.length}</dd>
        </div>
      </dl>
      {dismiss.isError ? <FieldError message={dismiss.error.message} /> : null}
      {opportunities.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="savings-empty">
          Nothing to save in this window yet. Declare which models may stand in for which (admins), mark features that can wait for the batch tier, or widen the window.
        </p>
      ) : (
        <ScrollRegion label="Savings opportunities">
          <table className="w-full text-sm" aria-labelledby={titleId} data-testid="savings-rows">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th scope="col" className="px-2 py-2 text-left font-medium">Kind</th>
                <SortHeader column="team" label="Team · feature" sort={sort} onSort={onSort} />
                <th scope="col" className="px-2 py-2 text-left font-medium">Now → suggested</th>
                <SortHeader column="current" label="Current" sort={sort} onSort={onSort} numeric />
                <th scope="col" className="px-2 py-2 text-right font-medium">Projected</th>
                <SortHeader column="savings" label="Saving" sort={sort} onSort={onSort} numeric />
                <th scope="col" className="px-2 py-2 text-right font-medium">Per month</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Why</th>
                <th scope="col" className="px-2 py-2"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {sorted.map((o) => (
                <tr key={`${o.kind}/${o.team}/${o.feature}/${o.provider}/${o.model}`} className="align-top" data-testid="savings-row">
                  <td className="px-2 py-2"><StatusChip tone="good">{KIND_LABELS[o.kind]}</StatusChip></td>
                  <td className="px-2 py-2">{o.team} · {o.feature ?? <span className="text-zinc-500">no feature</span>}</td>
                  <td className="px-2 py-2 break-all">
                    {o.model} → {o.suggested_model ?? (o.suggested_tier ? `${o.model} (${o.suggested_tier})` : `${o.model}, cached`)}
                  </td>
                  <td className="tabular px-2 py-2 text-right">{formatMoney(o.current_cost_usd)}</td>
                  <td className="tabular px-2 py-2 text-right">{formatMoney(o.projected_cost_usd)}</td>
                  <td className="tabular px-2 py-2 text-right font-semibold text-emerald-700">{formatMoney(o.savings_usd)}</td>
                  <td className="tabular px-2 py-2 text-right">{formatMoney(o.savings_per_month_usd)}</td>
                  <td className="max-w-md px-2 py-2 text-xs text-zinc-700">{o.rationale}</td>
                  <td className="px-2 py-2 text-right">
                    {o.feature !== null && canDismiss(o.team) ? (
                      <Button size="sm" variant="secondary" onClick={() => dismiss.mutate(o)} disabled={dismiss.isPending} aria-label={`Dismiss ${KIND_LABELS[o.kind]} for ${o.team} ${o.feature}`}>
                        Dismiss
                      </Button>
                    ) : null}
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
