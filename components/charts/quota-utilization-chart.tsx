"use client";

import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";

/** One team's month: used as a percentage of its allocation (a plotting number) and the exact labels. */
export interface QuotaUtilizationPoint {
  team: string;
  percent: number;
  percentLabel: string;
  detail: string;
  tone: "over" | "low" | "ok";
}

const FILL = { over: "#e11d48", low: "#a1a1aa", ok: "#4f46e5" } as const;
const percent = (value: number) => `${value}%`;

function UtilizationTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as QuotaUtilizationPoint | undefined;
  if (!active || !point) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{point.team}</p>
      <p className="tabular mt-1 text-zinc-900">{point.percentLabel} of allocation</p>
      <p className="tabular text-zinc-500">{point.detail}</p>
    </div>
  );
}

/** Horizontal bars of utilization per team against a 100% line; the table beside it carries the figures. */
export function QuotaUtilizationChart({ points, summary }: { points: QuotaUtilizationPoint[]; summary: string }) {
  const max = Math.max(100, ...points.map((p) => p.percent));
  const domainMax = Math.ceil(max / 25) * 25;
  return (
    <div role="img" aria-label={summary} className="w-full" style={{ height: Math.max(120, points.length * 32 + 40) }}>
      <BarChart
        responsive
        layout="vertical"
        data={points}
        margin={{ top: 8, right: 16, bottom: 0, left: 4 }}
        accessibilityLayer={false}
        style={{ width: "100%", height: "100%" }}
      >
        <CartesianGrid horizontal={false} stroke="#e4e4e7" />
        <XAxis type="number" domain={[0, domainMax]} tickFormatter={percent} tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} />
        <YAxis type="category" dataKey="team" tickLine={false} axisLine={false} tick={{ fill: "#3f3f46", fontSize: 12 }} width={96} />
        <Tooltip content={UtilizationTooltip} isAnimationActive={false} cursor={{ fill: "#f4f4f5" }} />
        <ReferenceLine x={100} stroke="#e11d48" strokeDasharray="3 3" label={{ value: "100%", position: "top", fill: "#e11d48", fontSize: 11 }} />
        <Bar dataKey="percent" barSize={16} radius={[0, 3, 3, 0]} isAnimationActive={false} name="Utilization">
          {points.map((p) => (
            <Cell key={p.team} fill={FILL[p.tone]} />
          ))}
        </Bar>
      </BarChart>
    </div>
  );
}
