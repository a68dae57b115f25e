"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatMoneyCompact } from "@/lib/format";

/** One day: a plotting number per model (bar heights only) and the exact labels shown in the tooltip. */
export interface StackedDay {
  label: string;
  values: Record<string, number>;
  costLabels: Record<string, string>;
  totalLabel: string;
}

export const SERIES_COLORS = ["#4f46e5", "#0891b2", "#d97706", "#db2777", "#16a34a", "#a1a1aa"];

function DayTooltip({ active, payload }: TooltipContentProps) {
  const day = payload?.[0]?.payload as (StackedDay & Record<string, number>) | undefined;
  if (!active || !day) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{day.label}</p>
      <p className="tabular mt-1 text-sm font-semibold text-zinc-900">{day.totalLabel}</p>
      <ul className="mt-1 space-y-0.5">
        {[...(payload ?? [])].reverse().map((entry) => (
          <li key={String(entry.dataKey)} className="tabular flex justify-between gap-4 text-zinc-600">
            <span style={{ color: entry.color }}>{String(entry.name)}</span>
            <span>{day.costLabels[String(entry.dataKey)] ?? "$0.00"}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function StackedDailySpendChart({ days, series, summary }: { days: StackedDay[]; series: string[]; summary: string }) {
  const data = days.map((day) => ({ ...day, ...day.values }));
  return (
    <div role="img" aria-label={summary} className="h-72 w-full">
      <BarChart responsive data={data} margin={{ top: 8, right: 4, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis tickFormatter={formatMoneyCompact} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={56} />
        <Tooltip content={DayTooltip} cursor={{ fill: "#f4f4f5" }} isAnimationActive={false} />
        <Legend iconType="square" iconSize={8} wrapperStyle={{ fontSize: 11 }} />
        {series.map((model, i) => (
          <Bar key={model} dataKey={model} name={model} stackId="spend" fill={SERIES_COLORS[i % SERIES_COLORS.length]} maxBarSize={28} isAnimationActive={false} />
        ))}
      </BarChart>
    </div>
  );
}
