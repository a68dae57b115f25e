"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { apiFetch, type ApiClientError } from "@/components/api-client";
import { keepPrevious, useApiQuery } from "@/components/queries/hooks";
import { QUERY_ROOTS, queries } from "@/components/queries/keys";
import { withQuery } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { Callout } from "@/components/ui/callout";
import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { PanelBlock } from "@/components/ui/skeleton";
import { SortHeader, type TableSort } from "@/components/ui/sort-header";
import { StatusChip } from "@/components/ui/status-chip";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import type { ChargebackView } from "@/lib/chargeback/chargeback";
import { formatDayTime, formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { signedMoney } from "@/lib/view/reconciliation";
import { chargebackMonth, changeOf, monthHasEnded, monthLabel, sortChargebackRows, type ChargebackSortKey } from "@/lib/view/chargeback";

/** The month of the URL: each team's direct, allocated and total spend, the change vs last month, adjustments, the close. */
export function ChargebackMonth({ canClose }: { canClose: boolean }) {
  const search = useSearchParams();
  const month = chargebackMonth(search, new Date());
  const { pending, replaceQuery } = useUrlNavigation();
  const query = useApiQuery(queries.chargeback(month), keepPrevious());
  const monthId = useId();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-3">
        <div className="text-sm">
          <label htmlFor={monthId} className="block font-medium text-zinc-800">
            Month (UTC)
          </label>
          <input
            id={monthId}
            type="month"
            className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm"
            value={month}
            onChange={(event) => event.target.value && replaceQuery({ month: event.target.value })}
          />
        </div>
        <a
          className="rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50"
          href={withQuery("/api/v1/chargeback", { month, format: "csv" })}
          download
        >
          Download CSV
        </a>
        {pending || query.isFetching ? (
          <span className="pb-2 text-xs text-zinc-500" role="status">
            Updating…
          </span>
        ) : null}
      </div>
      {query.isError ? (
        <Callout tone="warning" title="The month could not be loaded">
          {query.error.message}
        </Callout>
      ) : !query.data ? (
        <PanelBlock rows={6} />
      ) : (
        <MonthBody view={query.data} canClose={canClose} />
      )}
    </div>
  );
}

function MonthBody({ view, canClose }: { view: ChargebackView; canClose: boolean }) {
  const rowsAddUp = view.unallocated_usd !== null;
  return (
    <>
      <Panel
        title={`${monthLabel(view.month)}`}
        description={
          view.scope === "all"
            ? "Every dollar of the month lands on a team or on the unallocated line: the rows plus the unallocated line add up to the month exactly."
            : "The rows of your teams."
        }
        actions={<MonthStatus view={view} canClose={canClose} />}
      >
        <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4" data-testid="chargeback-totals">
          <Figure label={rowsAddUp ? "Month's spend" : "Your teams' spend"} value={formatMoney(view.total_usd)} />
          {view.unallocated_usd !== null ? <Figure label="Unallocated" value={formatMoney(view.unallocated_usd)} tone={new Money(view.unallocated_usd).isZero() ? null : "warn"} /> : null}
          <Figure label="Adjustments for closed months" value={formatMoney(view.adjustments_usd)} />
          <Figure label="Teams" value={String(view.rows.length)} />
        </dl>
        <div className="mt-4">
          <RowsTable view={view} />
        </div>
        {view.unallocated_lines.length > 0 ? (
          <div className="mt-4 text-sm text-zinc-700" data-testid="unallocated-lines">
            <p className="font-medium text-zinc-900">Unallocated</p>
            <ul className="mt-1 list-disc pl-5">
              {view.unallocated_lines.map((line, i) => (
                <li key={i}>
                  {formatMoney(line.cost_usd)}{" "}
                  {line.reason === "untagged"
                    ? "of spend without a team tag that no rule claims: add a rule matching “no team tag” to spread it."
                    : `claimed by “${line.rule_name}”, with no team to spread it over this month.`}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {view.adjustment_lines.length > 0 ? (
          <div className="mt-4 text-sm text-zinc-700" data-testid="adjustment-lines">
            <p className="font-medium text-zinc-900">Adjustments</p>
            <p className="text-xs text-zinc-500">Late events and re-pricing in closed months, booked here instead of changing their statements.</p>
            <ul className="mt-1 list-disc pl-5">
              {view.adjustment_lines.map((line, i) => (
                <li key={i}>
                  {line.team ?? "Unallocated"}: {signedMoney(line.cost_usd)} for {monthLabel(line.for_month)}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Panel>
    </>
  );
}


function MonthStatus({ view, canClose }: { view: ChargebackView; canClose: boolean }) {
  const client = useQueryClient();
  const closed = useApiQuery(queries.closedMonths());
  const write = useMutation<ChargebackView, ApiClientError, "close" | "reopen">({
    mutationFn: (action) =>
      action === "close"
        ? apiFetch<ChargebackView>("/api/v1/chargeback/close", { method: "POST", body: { month: view.month } })
        : apiFetch<ChargebackView>(withQuery("/api/v1/chargeback/close", { month: view.month }), { method: "DELETE" }),
    onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.chargeback }),
  });
  const newestClosed = closed.data?.months[0]?.month ?? null;
  const ended = monthHasEnded(view.month, new Date());
  return (
    <div className="flex flex-wrap items-center justify-end gap-2 text-sm">
      {view.status === "closed" ? (
        <StatusChip tone="good" testId="month-status">
          Closed
        </StatusChip>
      ) : (
        <StatusChip tone="warn" testId="month-status">
          {ended ? "Open" : "In progress"}
        </StatusChip>
      )}
      {view.status === "closed" && view.closed_at ? (
        <span className="text-xs text-zinc-500">
          {formatDayTime(new Date(view.closed_at))}
          {view.closed_by ? ` by ${view.closed_by}` : ""}
        </span>
      ) : null}
      {canClose && view.status === "open" && ended ? (
        <Button size="sm" onClick={() => write.mutate("close")} disabled={write.isPending}>
          {write.isPending ? "Closing…" : `Close ${monthLabel(view.month)}`}
        </Button>
      ) : null}
      {canClose && view.status === "closed" && newestClosed === view.month ? (
        <Button size="sm" variant="secondary" onClick={() => write.mutate("reopen")} disabled={write.isPending}>
          {write.isPending ? "Reopening…" : "Reopen"}
        </Button>
      ) : null}
      {write.isError ? <FieldError message={write.error.message} /> : null}
    </div>
  );
}

function Figure({ label, value, tone = null }: { label: string; value: string; tone?: "warn" | null }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className={cn("tabular mt-0.5 font-semibold text-zinc-900", tone === "warn" && "text-amber-700")}>{value}</dd>
    </div>
  );
}

function RowsTable({ view }: { view: ChargebackView }) {
  const [sort, setSort] = useState<TableSort<ChargebackSortKey>>({ key: "total", direction: "desc" });
  const rows = useMemo(() => sortChargebackRows(view.rows, sort.key, sort.direction), [view.rows, sort]);
  const onSort = (key: ChargebackSortKey) => setSort((current) => ({ key, direction: current.key === key && current.direction === "desc" ? "asc" : "desc" }));
  const titleId = useId();
  if (view.rows.length === 0) {
    return (
      <p className="text-sm text-zinc-600" data-testid="chargeback-empty">
        No spend in {monthLabel(view.month)}{view.scope === "teams" ? " for your teams" : ""}.
      </p>
    );
  }
  return (
    <ScrollRegion label="Chargeback by team">
      <span id={titleId} className="sr-only">
        Chargeback by team, {monthLabel(view.month)}
      </span>
      <table className="w-full text-sm" aria-labelledby={titleId} data-testid="chargeback-rows">
        <thead className="text-xs text-zinc-500">
          <tr>
            <SortHeader column="team" label="Team" sort={sort} onSort={onSort} />
            <SortHeader column="direct" label="Direct" sort={sort} onSort={onSort} numeric />
            <SortHeader column="allocated" label="Allocated" sort={sort} onSort={onSort} numeric />
            <SortHeader column="total" label="Total" sort={sort} onSort={onSort} numeric />
            <SortHeader column="change" label="vs last month" sort={sort} onSort={onSort} numeric />
            <SortHeader column="adjustments" label="Adjustments" sort={sort} onSort={onSort} numeric />
            <SortHeader column="charge" label="Charge" sort={sort} onSort={onSort} numeric />
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {rows.map((row) => {
            const change = changeOf(row);
            return (
              <tr key={row.team} data-testid="chargeback-row">
                <td className="px-2 py-2">
                  <Link className="font-medium text-zinc-900 underline-offset-2 hover:underline" href={withQuery("/chargeback/statement", { month: view.month, team: row.team })}>
                    {row.team}
                  </Link>
                </td>
                <td className="tabular px-2 py-2 text-right">{formatMoney(row.direct_usd)}</td>
                <td className="tabular px-2 py-2 text-right">{formatMoney(row.allocated_usd)}</td>
                <td className="tabular px-2 py-2 text-right font-medium">{formatMoney(row.total_usd)}</td>
                <td className={cn("tabular px-2 py-2 text-right", change?.direction === "up" && "text-rose-700", change?.direction === "down" && "text-emerald-700")}>
                  {change ? change.text : <span className="text-zinc-500">new</span>}
                </td>
                <td className="tabular px-2 py-2 text-right">{new Money(row.adjustments_usd).isZero() ? <span className="text-zinc-500">—</span> : signedMoney(row.adjustments_usd)}</td>
                <td className="tabular px-2 py-2 text-right font-semibold">{formatMoney(row.charge_usd)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
