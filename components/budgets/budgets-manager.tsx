"use client";

import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useState, type ReactNode } from "react";
import { apiFetch } from "@/components/api-client";
import { useBudgets } from "@/components/queries/hooks";
import { QUERY_ROOTS } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { formatCount, formatMoney, formatPercent } from "@/lib/format";
import { StatusChip } from "@/components/ui/status-chip";
import { Money } from "@/lib/money";
import { BudgetBurndownPanel } from "./budget-burndown-panel";
import { BudgetForm } from "./budget-form";
import { BudgetStatusChip } from "./budget-status-chip";
import { scopeLabel, type BudgetJson } from "./budget-types";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { LoadingRegion } from "@/components/ui/skeleton";

/**
 * The Budgets page: the new-budget form (no data to wait for) and the budgets with the
 * selected one's burn-down (prefetched by the page in its own <Suspense>). The selection is
 * shared: a budget just created is the one shown.
 */
const Selection = createContext<{ selected: string | null; select: (id: string | null) => void }>({ selected: null, select: () => {} });

export function BudgetsWorkspace({ children }: { children: ReactNode }) {
  const [selected, select] = useState<string | null>(null);
  return <Selection.Provider value={{ selected, select }}>{children}</Selection.Provider>;
}

function useRefreshBudgets() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: QUERY_ROOTS.budgets });
}

/** Finance and admins: a monthly budget for the organisation or any team, feature, environment and tenant. */
export function NewBudgetPanel({ teams }: { teams: string[] }) {
  const { select } = useContext(Selection);
  const refresh = useRefreshBudgets();
  return (
    <Panel title="New budget" titleId="new-budget-title" description="Monthly, for the whole organisation or any team, feature, environment and tenant.">
      <BudgetForm teams={teams} onSaved={(saved) => { select(saved.id); void refresh(); }} />
    </Panel>
  );
}

export function BudgetsSkeleton() {
  return (
    <LoadingRegion label="Loading budgets…" testId="budgets-loading" className="space-y-4">
      <div className="h-40 animate-pulse rounded-lg bg-zinc-100" />
      <div className="h-72 animate-pulse rounded-lg bg-zinc-100" />
    </LoadingRegion>
  );
}

/** This month's budgets: spent, used, forecast and status; edit and archive for those who may; the selected one's burn-down. */
export function BudgetsPanel({ canWrite, teams }: { canWrite: boolean; teams: string[] }) {
  const { data, error, isPending, refetch } = useBudgets();
  const { selected, select: setSelected } = useContext(Selection);
  const [editing, setEditing] = useState<string | null>(null);
  const [archiveError, setArchiveError] = useState<string | null>(null);
  const budgets = data?.budgets ?? [];
  const current = budgets.find((b) => b.id === selected) ?? budgets[0];
  const refresh = useRefreshBudgets();

  async function archive(budget: BudgetJson) {
    if (!window.confirm(`Archive "${budget.name}"? It stops counting and alerting.`)) return;
    setArchiveError(null);
    try {
      await apiFetch(`/api/v1/budgets/${budget.id}`, { method: "DELETE" });
      await refresh();
    } catch (caught) {
      setArchiveError(caught instanceof Error ? caught.message : "Archiving failed.");
    }
  }

  return (
    <div className="space-y-4">
      {isPending ? (
        <BudgetsSkeleton />
      ) : error ? (
        <div role="alert" className="rounded-lg border border-rose-200 bg-white p-6 text-center text-sm">
          <p className="text-zinc-900">Budgets could not be loaded: {error.message}</p>
          <Button className="mt-3" onClick={() => void refetch()}>Try again</Button>
        </div>
      ) : budgets.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm text-zinc-600" data-testid="budgets-empty">
          {canWrite ? "No budgets yet. Create one above: alerts fire as spend crosses its thresholds." : "No budget covers your teams yet. Finance sets budgets."}
        </p>
      ) : (
        <>
          {archiveError ? <FieldError message={archiveError} /> : null}
          <ScrollRegion label="Budgets" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
            <table data-testid="budgets-table" className="w-full text-sm">
              <caption className="sr-only">Budgets this month</caption>
              <thead className="bg-zinc-50 text-left text-xs text-zinc-500">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">Budget</th>
                  <th scope="col" className="px-3 py-2 font-medium">Status</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Spent</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Budget</th>
                  <th scope="col" className="px-3 py-2 font-medium">Used</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Forecast</th>
                  <th scope="col" className="px-3 py-2 font-medium">Cap</th>
                  <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="tabular">
                {budgets.map((budget) => {
                  const used = new Money(budget.spent_usd).div(budget.amount_usd);
                  return (
                    <tr key={budget.id} className={budget.id === current?.id ? "border-t border-zinc-100 bg-indigo-50/40" : "border-t border-zinc-100"} data-budget={budget.name}>
                      <th scope="row" className="px-3 py-2 text-left font-medium text-zinc-900">
                        <button type="button" className="hover:underline" aria-pressed={budget.id === current?.id} onClick={() => setSelected(budget.id)}>
                          {budget.name}
                        </button>
                        <span className="block text-xs font-normal text-zinc-500">{scopeLabel(budget.scope)}</span>
                      </th>
                      <td className="px-3 py-2">{budget.status ? <BudgetStatusChip status={budget.status} /> : null}</td>
                      <td className="px-3 py-2 text-right">{formatMoney(budget.spent_usd)}</td>
                      <td className="px-3 py-2 text-right">{formatMoney(budget.amount_usd)}</td>
                      <td className="px-3 py-2">
                        <span className="flex items-center gap-2">
                          <span aria-hidden="true" className="block h-1.5 w-24 rounded-full bg-zinc-100">
                            <span className={used.gt(1) ? "block h-1.5 rounded-full bg-rose-500" : "block h-1.5 rounded-full bg-indigo-500"} style={{ width: `${Math.min(100, used.mul(100).toNumber())}%` }} />
                          </span>
                          {formatPercent(used)}
                        </span>
                      </td>
                      <td className="px-3 py-2 text-right">
                        {formatMoney(budget.forecast_usd)}
                        {budget.forecast_low_usd && budget.forecast_high_usd ? (
                          <span className="block text-xs text-zinc-500">{formatMoney(budget.forecast_low_usd)} – {formatMoney(budget.forecast_high_usd)}</span>
                        ) : null}
                      </td>
                      <td className="px-3 py-2" data-testid="cap-cell">
                        {budget.enforce && budget.cap ? (
                          <>
                            <StatusChip tone={budget.cap.state === "enforcing" ? "bad" : "good"}>
                              {budget.cap.state === "enforcing" ? "Refusing" : "Armed"}
                            </StatusChip>
                            <span className="block text-xs text-zinc-500">
                              at {budget.enforce.at_percent}%
                              {budget.enforce.action === "deny_models" ? ` · ${budget.enforce.models.join(", ")}` : ""}
                              {budget.cap.refused_checks > 0 ? ` · ${formatCount(budget.cap.refused_checks)} refused this month` : ""}
                            </span>
                          </>
                        ) : (
                          <span className="text-xs text-zinc-500">alerts only</span>
                        )}
                      </td>
                      <td className="px-3 py-2 text-right whitespace-nowrap">
                        {canWrite ? (
                          <>
                            <Button variant="secondary" size="sm" onClick={() => setEditing(editing === budget.id ? null : budget.id)} aria-label={`Edit ${budget.name}`}>Edit</Button>{" "}
                            <Button variant="danger" size="sm" onClick={() => void archive(budget)} aria-label={`Archive ${budget.name}`}>Archive</Button>
                          </>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </ScrollRegion>
          {editing ? (
            <Panel title="Edit budget" titleId="edit-budget-title">
              <BudgetForm
                teams={teams}
                budget={budgets.find((b) => b.id === editing)}
                onSaved={() => { setEditing(null); void refresh(); }}
                onCancel={() => setEditing(null)}
              />
            </Panel>
          ) : null}
          {current ? <BudgetBurndownPanel budget={current} /> : null}
        </>
      )}
    </div>
  );
}
