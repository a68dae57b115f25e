"use client";

import { Area, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatMoneyCompact } from "@/lib/format";
import type { ReconciliationPoint } from "@/lib/view/reconciliation";

function ReconciliationTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as ReconciliationPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{point.label}</p>
      <p className="tabular mt-1 text-zinc-900">Provider {point.providerLabel}</p>
      <p className="tabular text-indigo-700">Burnrate {point.burnrateLabel}</p>
      {point.driftLabel ? <p className="tabular text-rose-700">Drift {point.driftLabel}</p> : null}
    </div>
  );
}

/** A provider's days: what it billed (solid), what Burnrate counted (dashed), the drift between them shaded. */
export function ReconciliationChart({ points, summary, testId }: { points: ReconciliationPoint[]; summary: string; testId?: string }) {
  return (
    <div role="img" aria-label={summary} className="h-64 w-full" data-testid={testId}>
      <ComposedChart responsive data={points} margin={{ top: 8, right: 8, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis tickFormatter={formatMoneyCompact} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={56} />
        <Tooltip content={ReconciliationTooltip} isAnimationActive={false} />
        <Area dataKey="band" stroke="none" fill="#fecdd3" fillOpacity={0.7} isAnimationActive={false} connectNulls={false} name="Drift" />
        <Line dataKey="provider" stroke="#18181b" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} name="Provider" connectNulls={false} />
        <Line dataKey="burnrate" stroke="#4f46e5" strokeDasharray="5 4" dot={{ r: 2 }} isAnimationActive={false} name="Burnrate" />
      </ComposedChart>
    </div>
  );
}
