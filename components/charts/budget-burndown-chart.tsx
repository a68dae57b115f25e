"use client";

import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatMoneyCompact } from "@/lib/format";

/** One day of the month: plotting numbers (heights only) and the exact labels the tooltip shows. */
export interface BurndownPoint {
  label: string;
  actual: number | null;
  forecast: number | null;
  band: [number, number] | null;
  actualLabel: string | null;
  forecastLabel: string | null;
  bandLabel: string | null;
}

function BurndownTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as BurndownPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{point.label}</p>
      {point.actualLabel ? <p className="tabular mt-1 text-zinc-900">Actual {point.actualLabel}</p> : null}
      {point.forecastLabel ? <p className="tabular text-indigo-700">Forecast {point.forecastLabel}</p> : null}
      {point.bandLabel ? <p className="tabular text-zinc-500">Range {point.bandLabel}</p> : null}
    </div>
  );
}

export function BudgetBurndownChart({
  points,
  budget,
  budgetLabel,
  summary,
}: {
  points: BurndownPoint[];
  budget: number;
  budgetLabel: string;
  summary: string;
}) {
  return (
    <div role="img" aria-label={summary} className="h-72 w-full">
      <ComposedChart responsive data={points} margin={{ top: 16, right: 8, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis tickFormatter={formatMoneyCompact} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={56} />
        <Tooltip content={BurndownTooltip} isAnimationActive={false} />
        <Area dataKey="band" stroke="none" fill="#c7d2fe" fillOpacity={0.5} isAnimationActive={false} connectNulls={false} name="Forecast range" />
        <Line dataKey="forecast" stroke="#4f46e5" strokeDasharray="5 4" dot={false} isAnimationActive={false} name="Forecast" connectNulls={false} />
        <Line dataKey="actual" stroke="#18181b" strokeWidth={2} dot={false} isAnimationActive={false} name="Actual" connectNulls={false} />
        <ReferenceLine y={budget} stroke="#e11d48" strokeDasharray="3 3" label={{ value: `Budget ${budgetLabel}`, position: "insideTopRight", fill: "#e11d48", fontSize: 11 }} />
      </ComposedChart>
    </div>
  );
}
