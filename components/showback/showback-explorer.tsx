"use client";

import { usePathname, useRouter } from "next/navigation";
import { Fragment, useMemo, useState } from "react";
import {
  buildShowbackRows,
  currentMonthWindow,
  daysOf,
  DIMENSION_LABELS,
  isCurrentMonthWindow,
  previousWindow,
  SHOWBACK_DIMENSIONS,
  showbackCsv,
  sortShowbackRows,
  withForecasts,
  type ShowbackRow,
  type SortKey,
} from "@/lib/analytics/showback-view";
import { SHOWBACK_FILTERS, secondaryOf, type ShowbackPageState } from "@/lib/schemas/showback-page";
import { formatChange, formatCount, formatMoney, formatPercent, formatTokens } from "@/lib/format";
import { Money } from "@/lib/money";
import { Sparkline } from "@/components/charts/sparkline";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useForecast } from "./use-forecast";
import { useSpend } from "./use-spend";
import { ScrollRegion } from "@/components/ui/scroll-region";

type Column = { key: SortKey; label: string; numeric: boolean };

const COLUMNS: Column[] = [
  { key: "cost_usd", label: "Spend", numeric: true },
  { key: "share", label: "Share", numeric: true },
  { key: "change", label: "vs prev.", numeric: true },
  { key: "requests", label: "Requests", numeric: true },
  { key: "retries", label: "Retries", numeric: true },
  { key: "input_tokens", label: "Input", numeric: true },
  { key: "cache_read_input_tokens", label: "Cache read", numeric: true },
  { key: "cache_creation_input_tokens", label: "Cache write", numeric: true },
  { key: "output_tokens", label: "Output", numeric: true },
  { key: "reasoning_output_tokens", label: "Reasoning", numeric: true },
  { key: "unpriced_requests", label: "Unpriced", numeric: true },
];

// When any sender reported what its calls cost (LiteLLM), the two figures sit side by side so a
// mispriced catalog shows up.
const WITH_REPORTED: Column[] = [
  { key: "cost_usd", label: "Computed", numeric: true },
  { key: "reported_cost_usd", label: "Reported", numeric: true },
  ...COLUMNS.slice(1),
];

const FORECAST_COLUMN: Column = { key: "forecast_usd", label: "Forecast", numeric: true };

/** The columns shown: the month-end forecast right after the spend figures when the window is the current month. */
function columnsFor(withReported: boolean, forecast: boolean): Column[] {
  const base = withReported ? WITH_REPORTED : COLUMNS;
  if (!forecast) return base;
  const at = withReported ? 2 : 1;
  return [...base.slice(0, at), FORECAST_COLUMN, ...base.slice(at)];
}

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function ShowbackExplorer({ state, window }: { state: ShowbackPageState; window: { from: string; to: string } }) {
  const router = useRouter();
  const pathname = usePathname();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const primary = state.by;
  const secondary = secondaryOf(state);
  const filters = Object.fromEntries(SHOWBACK_FILTERS.map((f) => [f, state[f]]));
  const from = new Date(`${window.from}T00:00:00Z`);
  const to = new Date(`${window.to}T00:00:00Z`);
  const previous = previousWindow(from, to);
  const days = useMemo(() => daysOf(from, to), [window.from, window.to]); // eslint-disable-line react-hooks/exhaustive-deps

  const groupBy = secondary ? `${primary},${secondary}` : primary;
  const current = useSpend({ from: window.from, to: window.to, group_by: groupBy, ...filters });
  const prior = useSpend({
    from: previous.from.toISOString().slice(0, 10),
    to: previous.to.toISOString().slice(0, 10),
    group_by: groupBy,
    ...filters,
  });
  const daily = useSpend({ from: window.from, to: window.to, group_by: `${primary},day`, ...filters });
  const options = useSpend({ from: window.from, to: window.to, group_by: SHOWBACK_FILTERS.join(",") });
  // The current month, whole: a month-end forecast per primary row (one request, one query).
  const month = useMemo(() => currentMonthWindow(new Date()), []);
  const forecastShown = isCurrentMonthWindow(window, new Date());
  const forecast = useForecast({ group_by: primary, ...filters }, forecastShown);

  function update(changes: Record<string, string | undefined>) {
    const params = new URLSearchParams();
    const next: Record<string, string | undefined> = { ...state, from: window.from, to: window.to, ...changes };
    for (const [k, v] of Object.entries(next)) if (v !== undefined && v !== "") params.set(k, v);
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  }

  const rows = useMemo(() => {
    if (!current.data || !prior.data || !daily.data) return null;
    const built = buildShowbackRows({
      primary,
      secondary,
      current: current.data.rows,
      previous: prior.data.rows,
      daily: daily.data.rows,
      days,
      totalCostUsd: String(current.data.total.cost_usd ?? "0"),
    });
    const withForecast = forecastShown && forecast.data ? withForecasts(built, primary, forecast.data.groups) : built;
    return sortShowbackRows(withForecast, { key: state.sort, direction: state.dir });
  }, [current.data, prior.data, daily.data, primary, secondary, days, state.sort, state.dir, forecastShown, forecast.data]);

  const optionValues = useMemo(() => {
    const values: Record<string, string[]> = {};
    for (const f of SHOWBACK_FILTERS) {
      const set = new Set<string>();
      for (const row of options.data?.rows ?? []) if (row[f] !== null && row[f] !== undefined) set.add(String(row[f]));
      values[f] = [...set].sort();
    }
    return values;
  }, [options.data]);

  const error = current.error ?? prior.error ?? daily.error;
  const total = current.data?.total;

  function download() {
    if (!rows) return;
    const csv = showbackCsv(rows, primary, secondary, expanded, { forecast: forecastShown });
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = `burnrate-showback-${primary}${secondary ? `-${secondary}` : ""}-${window.from}-to-${addDays(window.to, -1)}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
  }

  const focusHref = `/api/v1/spend/export?${new URLSearchParams({ format: "focus", from: window.from, to: window.to, ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) } as Record<string, string>).toString()}`;

  return (
    <div className="space-y-4">
      <form
        aria-label="Showback filters"
        className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const fromDay = String(data.get("from") ?? window.from);
          const throughDay = String(data.get("through") ?? addDays(window.to, -1));
          update({ from: fromDay, to: addDays(throughDay, 1) });
        }}
      >
        <label className="text-sm font-medium text-zinc-800">
          Group by
          <select aria-label="Group by" value={primary} onChange={(e) => update({ by: e.target.value, then: undefined })} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm">
            {SHOWBACK_DIMENSIONS.map((d) => (
              <option key={d} value={d}>{DIMENSION_LABELS[d]}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-zinc-800">
          Then by
          <select aria-label="Then by" value={secondary ?? "none"} onChange={(e) => update({ then: e.target.value })} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm">
            <option value="none">—</option>
            {SHOWBACK_DIMENSIONS.filter((d) => d !== primary).map((d) => (
              <option key={d} value={d}>{DIMENSION_LABELS[d]}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-zinc-800">
          From
          <input type="date" aria-label="From" name="from" defaultValue={window.from} key={`from-${window.from}`} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
        </label>
        <label className="text-sm font-medium text-zinc-800">
          Through
          <input type="date" aria-label="Through" name="through" defaultValue={addDays(window.to, -1)} key={`to-${window.to}`} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
        </label>
        <Button type="submit" variant="secondary">Apply dates</Button>
        {SHOWBACK_FILTERS.map((f) => (
          <label key={f} className="text-sm font-medium text-zinc-800">
            {DIMENSION_LABELS[f]}
            <select
              aria-label={DIMENSION_LABELS[f]}
              value={state[f] ?? ""}
              onChange={(e) => update({ [f]: e.target.value || undefined })}
              className="mt-1 block max-w-40 rounded-md border border-zinc-300 px-2 py-1.5 text-sm"
            >
              <option value="">All</option>
              {state[f] && !optionValues[f]?.includes(state[f] as string) ? <option value={state[f]}>{state[f]}</option> : null}
              {(optionValues[f] ?? []).map((v) => (
                <option key={v} value={v}>{v}</option>
              ))}
            </select>
          </label>
        ))}
      </form>

      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-zinc-600" aria-live="polite" data-testid="showback-total">
          {total ? (
            <>
              <span className="font-semibold text-zinc-900">{formatMoney(String(total.cost_usd))}</span> over {formatCount(Number(total.requests))} requests
              {Number(total.unpriced_requests) > 0 ? <span className="text-amber-700"> · {formatCount(Number(total.unpriced_requests))} unpriced</span> : null}
              {total.reported_cost_usd != null ? (
                <span> · senders reported {formatMoney(String(total.reported_cost_usd))}</span>
              ) : null}
            </>
          ) : (
            "Loading…"
          )}
        </p>
        <div className="flex flex-wrap items-center gap-2">
          {forecastShown ? (
            forecast.error ? (
              <span role="alert" className="text-xs text-rose-700">The forecast could not be loaded: {forecast.error.message}</span>
            ) : null
          ) : window.from === month.from ? (
            <Button variant="secondary" onClick={() => update({ to: month.to })} data-testid="showback-whole-month">
              Whole month, with forecast
            </Button>
          ) : null}
          <Button variant="secondary" onClick={download} disabled={!rows || (forecastShown && forecast.isPending)}>Download CSV</Button>
          <a href={focusHref} className="rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50">FOCUS 1.2 export</a>
        </div>
      </div>

      {error ? (
        <div role="alert" className="rounded-lg border border-rose-200 bg-white px-6 py-8 text-center text-sm">
          <p className="font-medium text-zinc-900">Showback could not be loaded</p>
          <p className="mt-1 text-zinc-600">{error.message}</p>
          <Button className="mt-4" onClick={() => void Promise.all([current.refetch(), prior.refetch(), daily.refetch()])}>Try again</Button>
        </div>
      ) : !rows ? (
        <div aria-busy="true" className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4" data-testid="showback-loading">
          {Array.from({ length: 6 }, (_, i) => <div key={i} className="h-6 animate-pulse rounded bg-zinc-100" />)}
        </div>
      ) : rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm text-zinc-600" data-testid="showback-empty">
          No usage in this period{Object.values(filters).some(Boolean) ? " for these filters" : ""}.
        </p>
      ) : (
        <ShowbackTable
          rows={rows}
          primary={primary}
          secondary={secondary}
          expanded={expanded}
          toggle={(id) => setExpanded((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; })}
          sort={{ key: state.sort, direction: state.dir }}
          onSort={(key) => update({ sort: key, dir: state.sort === key && state.dir === "desc" ? "asc" : "desc" })}
          columns={columnsFor(total?.reported_cost_usd != null, forecastShown)}
        />
      )}
    </div>
  );
}

function cellValue(row: ShowbackRow, key: SortKey): string {
  switch (key) {
    case "cost_usd":
      return formatMoney(row.measures.cost_usd);
    case "reported_cost_usd":
      return row.measures.reported_cost_usd === null ? "—" : formatMoney(row.measures.reported_cost_usd);
    case "share":
      return row.share === null ? "—" : formatPercent(row.share);
    case "change": {
      const change = formatChange(row.measures.cost_usd, row.previousCostUsd);
      return change ? change.text : new Money(row.measures.cost_usd).isZero() ? "—" : "new";
    }
    case "requests":
    case "retries":
    case "unpriced_requests":
      return formatCount(row.measures[key]);
    case "key":
      return row.key ?? "untagged";
    case "forecast_usd":
      // undefined: still loading; null: no forecast for this row (second-level rows).
      return row.forecast === undefined ? "…" : row.forecast === null ? "—" : formatMoney(row.forecast.forecastUsd);
    default:
      return formatTokens(row.measures[key]);
  }
}

/** The forecast cell's range (a tooltip) and a test id. */
function forecastCellProps(row: ShowbackRow): { title?: string; "data-testid": string } {
  const f = row.forecast;
  return {
    "data-testid": "forecast-cell",
    ...(f ? { title: `Month-end forecast ${formatMoney(f.forecastUsd)}, likely range ${formatMoney(f.lowUsd)} – ${formatMoney(f.highUsd)}` } : {}),
  };
}

function ShowbackTable({
  rows,
  primary,
  secondary,
  expanded,
  toggle,
  sort,
  onSort,
  columns,
}: {
  columns: Column[];
  rows: ShowbackRow[];
  primary: keyof typeof DIMENSION_LABELS;
  secondary: keyof typeof DIMENSION_LABELS | null;
  expanded: Set<string>;
  toggle: (id: string) => void;
  sort: { key: SortKey; direction: "asc" | "desc" };
  onSort: (key: SortKey) => void;
}) {
  const header = (key: SortKey, label: string, numeric: boolean) => (
    <th
      key={key}
      scope="col"
      aria-sort={sort.key === key ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
      className={cn("px-2 py-2 font-medium whitespace-nowrap", numeric ? "text-right" : "text-left")}
    >
      <button type="button" onClick={() => onSort(key)} className="inline-flex items-center gap-1 rounded hover:text-zinc-900">
        {label}
        <span aria-hidden="true" className="text-zinc-400">{sort.key === key ? (sort.direction === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
  return (
    <ScrollRegion label={`Spend by ${DIMENSION_LABELS[primary]}`} className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <table data-testid="showback-table" className="w-full text-sm">
        <caption className="sr-only">Spend by {DIMENSION_LABELS[primary]}{secondary ? ` and ${DIMENSION_LABELS[secondary]}` : ""}; column headers sort</caption>
        <thead className="bg-zinc-50 text-xs text-zinc-500">
          <tr>
            {header("key", DIMENSION_LABELS[primary] + (secondary ? ` → ${DIMENSION_LABELS[secondary]}` : ""), false)}
            {columns.map((c) => header(c.key, c.label, c.numeric))}
            <th scope="col" className="px-2 py-2 text-left font-medium">Daily</th>
          </tr>
        </thead>
        <tbody className="tabular">
          {rows.map((row) => {
            const open = expanded.has(row.id);
            return (
              <Fragment key={row.id}>
                <tr className="border-t border-zinc-100" data-row-key={row.key ?? ""}>
                  <th scope="row" className="px-2 py-2 text-left font-medium text-zinc-900">
                    {secondary && row.children.length > 0 ? (
                      <button
                        type="button"
                        aria-expanded={open}
                        onClick={() => toggle(row.id)}
                        className="inline-flex items-center gap-1.5 rounded hover:underline"
                      >
                        <span aria-hidden="true" className="inline-block w-3 text-zinc-400">{open ? "▾" : "▸"}</span>
                        {row.key ?? <em className="font-normal text-zinc-500">untagged</em>}
                        <span className="sr-only">, {open ? "collapse" : "expand"} {row.children.length} {DIMENSION_LABELS[secondary].toLowerCase()}s</span>
                      </button>
                    ) : (
                      row.key ?? <em className="font-normal text-zinc-500">untagged</em>
                    )}
                  </th>
                  {columns.map((c) => (
                    <td
                      key={c.key}
                      className={cn("px-2 py-2 text-right", c.key === "cost_usd" ? "font-medium text-zinc-900" : "text-zinc-700")}
                      {...(c.key === "forecast_usd" ? forecastCellProps(row) : {})}
                    >
                      {cellValue(row, c.key)}
                    </td>
                  ))}
                  <td className="px-2 py-1">
                    <Sparkline values={row.daily.map((d) => new Money(d).toNumber())} label={`Daily spend of ${row.key ?? "untagged"}`} />
                  </td>
                </tr>
                {open
                  ? row.children.map((child) => (
                      <tr key={child.id} className="border-t border-zinc-50 bg-zinc-50/50" data-child-key={child.key ?? ""}>
                        <th scope="row" className="py-1.5 pr-2 pl-8 text-left font-normal text-zinc-700">
                          {child.key ?? <em className="text-zinc-500">untagged</em>}
                        </th>
                        {columns.map((c) => (
                          <td key={c.key} className="px-2 py-1.5 text-right text-zinc-600">{cellValue(child, c.key)}</td>
                        ))}
                        <td />
                      </tr>
                    ))
                  : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
