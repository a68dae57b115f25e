"use client";

import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import type { CostPerSuccessDay, SeriesSpec } from "@/lib/view/outcomes";
import { formatAxisMoney } from "@/lib/view/outcomes";
import { SERIES_COLORS } from "./stacked-daily-spend-chart";

type Row = CostPerSuccessDay & Record<string, number | null | string | object>;

function DayTooltip({ active, payload, series }: TooltipContentProps & { series: SeriesSpec[] }) {
  const day = payload?.[0]?.payload as Row | undefined;
  if (!active || !day) return null;
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{day.label} (UTC)</p>
      <ul className="mt-1 space-y-0.5">
        {series.map((s, i) => (
          <li key={s.key} className="tabular flex justify-between gap-4 text-zinc-700">
            {series.length > 1 ? <span style={{ color: SERIES_COLORS[i % SERIES_COLORS.length] }}>{s.name}</span> : null}
            <span>{day.labels[s.key] ?? "no outcomes"}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Cost per successful outcome per UTC day, one line per outcome type; a day without a success is a gap. */
export function OutcomeCostPerSuccessChart({
  days,
  series,
  scale,
  summary,
}: {
  days: CostPerSuccessDay[];
  series: SeriesSpec[];
  scale: "linear" | "log";
  summary: string;
}) {
  const data = days.map((d) => ({ ...d, ...d.values }));
  return (
    <div role="img" aria-label={summary} className="h-72 w-full" data-testid="cost-per-success-chart">
      <LineChart responsive data={data} margin={{ top: 8, right: 8, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis dataKey="label" tickLine={false} axisLine={{ stroke: "#d4d4d8" }} tick={{ fill: "#71717a", fontSize: 11 }} interval="preserveStartEnd" minTickGap={16} />
        <YAxis
          scale={scale}
          domain={scale === "log" ? ["auto", "auto"] : [0, "auto"]}
          allowDataOverflow={false}
          tickFormatter={formatAxisMoney}
          tickLine={false}
          axisLine={false}
          tick={{ fill: "#71717a", fontSize: 11 }}
          width={64}
        />
        <Tooltip content={(props) => <DayTooltip {...props} series={series} />} isAnimationActive={false} />
        {series.length > 1 ? <Legend iconType="plainline" iconSize={12} wrapperStyle={{ fontSize: 11 }} /> : null}
        {series.map((s, i) => (
          <Line
            key={s.key}
            type="linear"
            dataKey={s.key}
            name={s.name}
            stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
            strokeWidth={2}
            dot={days.length <= 31 ? { r: 2 } : false}
            activeDot={{ r: 4 }}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </div>
  );
}
