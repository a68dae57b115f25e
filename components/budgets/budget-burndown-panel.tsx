"use client";

import { useApiQuery } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { BurndownChart, type BurndownPoint } from "@/components/charts/burndown-chart";
import { Panel } from "@/components/ui/panel";
import { formatDayKey, formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import type { BudgetJson } from "./budget-types";

const num = (value: string | null) => (value === null ? null : new Money(value).toNumber());

export function BudgetBurndownPanel({ budget }: { budget: BudgetJson }) {
  const { data, error, isPending } = useApiQuery(queries.burndown(budget));
  const points: BurndownPoint[] = (data?.days ?? []).map((d) => ({
    label: formatDayKey(d.day),
    actual: num(d.actual_cumulative_usd),
    forecast: num(d.forecast_cumulative_usd),
    band: d.low_cumulative_usd !== null && d.high_cumulative_usd !== null ? [new Money(d.low_cumulative_usd).toNumber(), new Money(d.high_cumulative_usd).toNumber()] : null,
    actualLabel: d.actual_cumulative_usd === null ? null : formatMoney(d.actual_cumulative_usd),
    forecastLabel: d.forecast_cumulative_usd === null ? null : formatMoney(d.forecast_cumulative_usd),
    bandLabel: d.low_cumulative_usd !== null && d.high_cumulative_usd !== null ? `${formatMoney(d.low_cumulative_usd)} – ${formatMoney(d.high_cumulative_usd)}` : null,
  }));
  const summary = `Burn-down of ${budget.name}: ${formatMoney(budget.spent_usd)} spent of ${formatMoney(budget.amount_usd)}, forecast ${formatMoney(budget.forecast_usd)} by month end${
    budget.forecast_low_usd && budget.forecast_high_usd ? ` (range ${formatMoney(budget.forecast_low_usd)} to ${formatMoney(budget.forecast_high_usd)})` : ""
  }.`;
  return (
    <Panel title={`${budget.name}: this month`} titleId="burndown-title" description="Cumulative spend (solid), forecast to month end (dashed) with its range, and the budget line">
      {isPending ? (
        <div aria-busy="true" className="h-72 animate-pulse rounded bg-zinc-100" />
      ) : error ? (
        <p role="alert" className="text-sm text-rose-700">The burn-down could not be loaded: {error.message}</p>
      ) : (
        <BurndownChart points={points} budget={{ amount: new Money(budget.amount_usd).toNumber(), label: formatMoney(budget.amount_usd) }} summary={summary} />
      )}
    </Panel>
  );
}
