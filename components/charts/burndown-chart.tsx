"use client";

import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatMoneyCompact } from "@/lib/format";

/**
 * A month's cumulative spend (solid), the projection to month end (dashed) and its range
 * (shaded), optionally against a budget line: the budgets' burn-down and the forecast of spend
 * without a budget (Overview, team pages) are the same picture.
 */

/** One day of the month: plotting numbers (heights only) and the exact labels the tooltip shows. */
export interface BurndownPoint {
  label: string;
  /** Cumulative spend through the day (today: through now); null after today. */
  actual: number | null;
  /** Cumulative projection, from the last complete day on (null before, so the dashed line starts where the data ends). */
  forecast: number | null;
  band: [number, number] | null;
  actualLabel: string | null;
  forecastLabel: string | null;
  bandLabel: string | null;
}

function tooltip(actualName: string) {
  return function BurndownTooltip({ active, payload }: TooltipContentProps) {
    const point = payload?.[0]?.payload as BurndownPoint | undefined;
    if (!active || !point) return null;
    return (
      <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
        <p className="font-medium text-zinc-900">{point.label}</p>
        {point.actualLabel ? <p className="tabular mt-1 text-zinc-900">{actualName} {point.actualLabel}</p> : null}
        {point.forecastLabel ? <p className="tabular text-indigo-700">Forecast {point.forecastLabel}</p> : null}
        {point.bandLabel ? <p className="tabular text-zinc-500">Range {point.bandLabel}</p> : null}
      </div>
    );
  };
}

const SPENT_TOOLTIP = tooltip("Spent");
const ACTUAL_TOOLTIP = tooltip("Actual");

export function BurndownChart({
  points,
  summary,
  budget,
  testId,
  className = "h-72",
}: {
  points: BurndownPoint[];
  summary: string;
  /** The budget's amount and its exact label; without one the chart shows spend and forecast only. */
  budget?: { amount: number; label: string };
  testId?: string;
  className?: string;
}) {
  return (
    <div role="img" aria-label={summary} className={`${className} w-full`} data-testid={testId}>
      <ComposedChart responsive data={points} margin={{ top: budget ? 16 : 8, right: 8, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis tickFormatter={formatMoneyCompact} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={56} />
        <Tooltip content={budget ? ACTUAL_TOOLTIP : SPENT_TOOLTIP} isAnimationActive={false} />
        <Area dataKey="band" stroke="none" fill="#c7d2fe" fillOpacity={0.5} isAnimationActive={false} connectNulls={false} name="Forecast range" />
        <Line dataKey="forecast" stroke="#4f46e5" strokeDasharray="5 4" dot={false} isAnimationActive={false} name="Forecast" connectNulls={false} />
        <Line dataKey="actual" stroke="#18181b" strokeWidth={2} dot={false} isAnimationActive={false} name={budget ? "Actual" : "Spent"} connectNulls={false} />
        {budget ? (
          <ReferenceLine y={budget.amount} stroke="#e11d48" strokeDasharray="3 3" label={{ value: `Budget ${budget.label}`, position: "insideTopRight", fill: "#e11d48", fontSize: 11 }} />
        ) : null}
      </ComposedChart>
    </div>
  );
}
