"use client";

import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { HistogramBar, PercentileMarker } from "@/lib/view/outcomes";
import { formatCount } from "@/lib/format";

function BucketTooltip({ active, payload }: TooltipContentProps) {
  const bar = payload?.[0]?.payload as HistogramBar | undefined;
  if (!active || !bar) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="tabular font-medium text-zinc-900">{bar.rangeLabel}</p>
      <p className="tabular mt-0.5 text-zinc-700">{bar.countLabel}</p>
    </div>
  );
}

/** Traces per log-spaced cost bucket; the axis names each bucket by its formatted lower edge. */
export function OutcomeHistogramChart({ bars, markers, summary }: { bars: HistogramBar[]; markers: PercentileMarker[]; summary: string }) {
  const labels = new Map(bars.map((b) => [b.key, b.label]));
  return (
    <div role="img" aria-label={summary} className="h-64 w-full" data-testid="trace-cost-histogram">
      <BarChart responsive data={bars} margin={{ top: 18, right: 8, bottom: 0, left: 4 }} barCategoryGap={1} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis
          dataKey="key"
          tickFormatter={(key: string) => labels.get(key) ?? ""}
          tickLine={false}
          axisLine={{ stroke: "#d4d4d8" }}
          tick={{ fill: "#71717a", fontSize: 11 }}
          interval="preserveStartEnd"
          minTickGap={12}
        />
        <YAxis allowDecimals={false} tickFormatter={(n: number) => formatCount(n)} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={48} />
        <Tooltip content={BucketTooltip} cursor={{ fill: "#f4f4f5" }} isAnimationActive={false} />
        <Bar dataKey="count" name="Traces" fill="#4f46e5" isAnimationActive={false} />
        {markers.map((m) => (
          <ReferenceLine
            key={m.key}
            x={m.key}
            stroke="#d97706"
            strokeDasharray="4 3"
            label={{ value: m.label, position: "top", fill: "#b45309", fontSize: 11 }}
          />
        ))}
      </BarChart>
    </div>
  );
}
