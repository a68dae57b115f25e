"use client";

import { useForecast } from "@/components/queries/hooks";
import { Panel } from "@/components/ui/panel";
import type { ReactNode } from "react";
import type { ForecastDayJson } from "@/lib/budgets/forecast-spend";
import { formatDayKey, formatMoney, formatMonth } from "@/lib/format";
import { Money } from "@/lib/money";
import { BurndownChart, type BurndownPoint } from "@/components/charts/burndown-chart";

const num = (value: string) => new Money(value).toNumber();

/** The chart's points: actual through today, the dashed projection and its band from the last complete day on. */
export function forecastPoints(days: readonly ForecastDayJson[]): BurndownPoint[] {
  const todayIndex = days.reduce((last, day, i) => (day.actual_cumulative_usd === null ? last : i), -1);
  const projectFrom = Math.max(0, todayIndex - 1);
  return days.map((day, i) => {
    const projected = i >= projectFrom;
    return {
      label: formatDayKey(day.day),
      actual: day.actual_cumulative_usd === null ? null : num(day.actual_cumulative_usd),
      forecast: projected ? num(day.forecast_cumulative_usd) : null,
      band: projected ? [num(day.low_cumulative_usd), num(day.high_cumulative_usd)] : null,
      actualLabel: day.actual_cumulative_usd === null ? null : formatMoney(day.actual_cumulative_usd),
      forecastLabel: projected ? formatMoney(day.forecast_cumulative_usd) : null,
      bandLabel: projected ? `${formatMoney(day.low_cumulative_usd)} – ${formatMoney(day.high_cumulative_usd)}` : null,
    };
  });
}

function Figure({ label, value, testId, detail }: { label: string; value: string; testId: string; detail?: string }) {
  return (
    <div>
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd data-testid={testId} className="tabular mt-0.5 text-lg font-semibold text-zinc-900">
        {value}
      </dd>
      {detail ? <dd className="text-xs text-zinc-500">{detail}</dd> : null}
    </div>
  );
}

/**
 * The current month's forecast card: forecast, its range, spent so far, days left, and the
 * month's cumulative chart. Reads GET /api/v1/forecast (team-scoped by the server); `team`
 * narrows it to one team (the team page).
 */
export function MonthForecastPanel({
  team,
  title = "Month-end forecast",
  scopeLabel,
}: {
  team?: string;
  title?: string;
  /** Whose spend, for the description ("all spend", "your teams", "search"). */
  scopeLabel?: string;
}) {
  const { data, error, isPending, refetch } = useForecast({ team });
  const month = data ? formatMonth(new Date(data.period_start)) : null;
  return (
    <ForecastFrame title={title} month={month} scopeLabel={scopeLabel}>
        {isPending ? (
          <ForecastLoading />
        ) : error ? (
          <div role="alert" className="text-sm text-rose-700">
            The forecast could not be loaded: {error.message}{" "}
            <button type="button" onClick={() => void refetch()} className="font-medium underline underline-offset-2">
              Try again
            </button>
          </div>
        ) : !data.enough_history ? (
          <div data-testid="forecast-empty" className="rounded-md border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-600">
            <p className="font-medium text-zinc-900">Not enough days yet to forecast</p>
            <p className="mt-1">
              {data.note} Spent so far in {month}: <span className="tabular font-medium text-zinc-900" data-testid="forecast-spent">{formatMoney(data.spent_usd)}</span>.
            </p>
          </div>
        ) : (
          <div className="grid grid-cols-1 gap-4 md:grid-cols-3">
            <div className="space-y-3">
              <dl className="space-y-3">
                <Figure label={`Forecast, end of ${month}`} value={formatMoney(data.forecast_usd)} testId="forecast-usd" />
                <Figure label="Likely range (~80%)" value={`${formatMoney(data.low_usd)} – ${formatMoney(data.high_usd)}`} testId="forecast-range" />
                <Figure label="Spent so far" value={formatMoney(data.spent_usd)} testId="forecast-spent" />
                <Figure
                  label="Days left"
                  value={String(data.days_left)}
                  testId="forecast-days-left"
                  detail={data.days_left > 0 ? "today included" : undefined}
                />
              </dl>
              <p className="text-xs text-zinc-500" data-testid="forecast-note">{data.note}</p>
            </div>
            <div className="min-w-0 md:col-span-2">
              <BurndownChart
                testId="forecast-chart"
                className="h-56"
                points={forecastPoints(data.days)}
                summary={`Cumulative spend in ${month}: ${formatMoney(data.spent_usd)} so far, forecast ${formatMoney(data.forecast_usd)} by month end (range ${formatMoney(data.low_usd)} to ${formatMoney(data.high_usd)}).`}
              />
            </div>
          </div>
        )}
    </ForecastFrame>
  );
}

function ForecastFrame({ title, month, scopeLabel, children }: { title: string; month: string | null; scopeLabel?: string; children: ReactNode }) {
  return (
    <Panel
      title={title}
      titleId="forecast-title"
      className="min-w-0"
      description={`${month ?? "This month"}${scopeLabel ? `, ${scopeLabel}` : ""}: spend so far (solid), projection to month end (dashed) and its likely range; UTC days`}
    >
      <div data-testid="month-forecast">{children}</div>
    </Panel>
  );
}

function ForecastLoading() {
  return (
    <div role="status" aria-busy="true" aria-live="polite" data-testid="forecast-loading" className="grid grid-cols-1 gap-4 md:grid-cols-3">
      <span className="sr-only">Loading the forecast…</span>
      <div className="space-y-3">
        {Array.from({ length: 4 }, (_, i) => <div key={i} className="h-8 animate-pulse rounded bg-zinc-100" />)}
      </div>
      <div className="h-56 animate-pulse rounded bg-zinc-100 md:col-span-2" />
    </div>
  );
}

/** The panel while the page reads the forecast on the server. */
export function MonthForecastSkeleton({ title = "Month-end forecast", scopeLabel }: { title?: string; scopeLabel?: string }) {
  return (
    <ForecastFrame title={title} month={null} scopeLabel={scopeLabel}>
      <ForecastLoading />
    </ForecastFrame>
  );
}
