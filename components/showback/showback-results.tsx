"use client";

import { useMemo, useState } from "react";
import {
  buildShowbackRows,
  currentMonthWindow,
  daysOf,
  isCurrentMonthWindow,
  showbackCsv,
  sortShowbackRows,
  withForecasts,
} from "@/lib/view/showback";
import { secondaryOf, type ShowbackPageState } from "@/lib/schemas/pages/showback";
import { formatCount, formatMoney } from "@/lib/format";
import { addDays } from "@/lib/time";
import { useForecast, useSpend } from "@/components/queries/hooks";
import { withQuery } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Block, LoadingRegion } from "@/components/ui/skeleton";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { showbackFilters, showbackRequests, type ShowbackWindow } from "./showback-params";
import { columnsFor, ShowbackTable } from "./showback-table";
import { useShowbackState } from "./use-showback-state";

/**
 * Showback's figures: the total, the downloads and the table (rows expand to the second
 * grouping; headers sort, in the URL). The page prefetches the spend of the window, of the
 * one before and by day, and in the current month the forecast, so all of it is in the
 * server's HTML; a change of view dims it until the new figures arrive.
 */
export function ShowbackResults({ state, window }: { state: ShowbackPageState; window: ShowbackWindow }) {
  const [shown, update] = useShowbackState(state, window);
  const { pending } = useUrlNavigation();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const primary = state.by;
  const secondary = secondaryOf(state);
  const filters = showbackFilters(state);
  const requests = showbackRequests(state, window);
  const days = useMemo(() => daysOf(new Date(`${window.from}T00:00:00Z`), new Date(`${window.to}T00:00:00Z`)), [window.from, window.to]);

  const current = useSpend(requests.current);
  const prior = useSpend(requests.prior);
  const daily = useSpend(requests.daily);
  // The current month, whole: a month-end forecast per primary row (one request, one query).
  const month = useMemo(() => currentMonthWindow(new Date()), []);
  const forecastShown = isCurrentMonthWindow(window, new Date()) && requests.forecastable;
  const forecast = useForecast(requests.forecast, forecastShown);

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
    return sortShowbackRows(withForecast, { key: shown.sort, direction: shown.dir });
  }, [current.data, prior.data, daily.data, primary, secondary, days, shown.sort, shown.dir, forecastShown, forecast.data]);

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

  const focusHref = withQuery("/api/v1/spend/export", { format: "focus", from: window.from, to: window.to, ...filters });

  return (
    <div aria-busy={pending} className={cn("space-y-4 transition-opacity", pending && "opacity-60")}>
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
        <ShowbackRowsSkeleton />
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
          sort={{ key: shown.sort, direction: shown.dir }}
          onSort={(key) => update({ sort: key, dir: shown.sort === key && shown.dir === "desc" ? "asc" : "desc" })}
          columns={columnsFor(total?.reported_cost_usd != null, forecastShown)}
        />
      )}
    </div>
  );
}

function ShowbackRowsSkeleton() {
  return (
    <LoadingRegion label="Loading showback…" testId="showback-loading" className="space-y-2 rounded-lg border border-zinc-200 bg-white p-4">
      {Array.from({ length: 6 }, (_, i) => <div key={i} className="h-6 animate-pulse rounded bg-zinc-100" />)}
    </LoadingRegion>
  );
}

/** The figures while the server reads them: the total's line and the table's rows. */
export function ShowbackResultsSkeleton() {
  return (
    <div className="space-y-4">
      <Block className="h-9 w-80 max-w-full" />
      <ShowbackRowsSkeleton />
    </div>
  );
}
