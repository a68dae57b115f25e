"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatMoneyCompact } from "@/lib/format";

/** One bar. Labels are formatted on the server from exact decimals; `cost` only sets the bar height. */
export interface DailySpendPoint {
  day: string;
  label: string;
  cost: number;
  costLabel: string;
  requestsLabel: string;
  unpricedLabel: string | null;
}

function SpendTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as DailySpendPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{point.label}</p>
      <p className="tabular mt-1 text-sm font-semibold text-zinc-900">{point.costLabel}</p>
      <p className="tabular text-zinc-500">{point.requestsLabel}</p>
      {point.unpricedLabel ? <p className="tabular text-amber-700">{point.unpricedLabel}</p> : null}
    </div>
  );
}

export function DailySpendChart({ data, summary }: { data: DailySpendPoint[]; summary: string }) {
  return (
    // role="img" exposes the chart as one picture described by its summary; the
    // table beside it carries the exact figures for assistive technology.
    <div role="img" aria-label={summary} className="h-64 w-full">
      <BarChart
        responsive
        data={data}
        margin={{ top: 8, right: 4, bottom: 0, left: 4 }}
        accessibilityLayer={false}
        style={{ width: "100%", height: "100%" }}
      >
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis
          dataKey="label"
          tickLine={false}
          axisLine={{ stroke: "#d4d4d8" }}
          tick={{ fill: "#71717a", fontSize: 11 }}
          interval="preserveStartEnd"
          minTickGap={16}
        />
        <YAxis
          tickFormatter={formatMoneyCompact}
          tickLine={false}
          axisLine={false}
          tick={{ fill: "#71717a", fontSize: 11 }}
          width={56}
        />
        <Tooltip content={SpendTooltip} cursor={{ fill: "#f4f4f5" }} isAnimationActive={false} />
        {/* Animation off: screenshots and tests must see the final bars. */}
        <Bar dataKey="cost" fill="#4f46e5" radius={[2, 2, 0, 0]} maxBarSize={28} isAnimationActive={false} />
      </BarChart>
    </div>
  );
}
