"use client";

import { Area, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatMoneyCompact } from "@/lib/format";

/** One day of the month: plotting numbers (heights only) and the exact labels the tooltip shows. */
export interface ForecastPoint {
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

function ForecastTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as ForecastPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{point.label}</p>
      {point.actualLabel ? <p className="tabular mt-1 text-zinc-900">Spent {point.actualLabel}</p> : null}
      {point.forecastLabel ? <p className="tabular text-indigo-700">Forecast {point.forecastLabel}</p> : null}
      {point.bandLabel ? <p className="tabular text-zinc-500">Range {point.bandLabel}</p> : null}
    </div>
  );
}

/** Cumulative spend this month (solid), the projection to month end (dashed) and its range (shaded). */
export function MonthForecastChart({ points, summary }: { points: ForecastPoint[]; summary: string }) {
  return (
    <div role="img" aria-label={summary} className="h-56 w-full" data-testid="forecast-chart">
      <ComposedChart responsive data={points} margin={{ top: 8, right: 8, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis tickFormatter={formatMoneyCompact} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={56} />
        <Tooltip content={ForecastTooltip} isAnimationActive={false} />
        <Area dataKey="band" stroke="none" fill="#c7d2fe" fillOpacity={0.5} isAnimationActive={false} connectNulls={false} name="Forecast range" />
        <Line dataKey="forecast" stroke="#4f46e5" strokeDasharray="5 4" dot={false} isAnimationActive={false} name="Forecast" connectNulls={false} />
        <Line dataKey="actual" stroke="#18181b" strokeWidth={2} dot={false} isAnimationActive={false} name="Spent" connectNulls={false} />
      </ComposedChart>
    </div>
  );
}
