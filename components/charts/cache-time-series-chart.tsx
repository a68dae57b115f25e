"use client";

import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, Tooltip, XAxis, YAxis, type TooltipContentProps } from "recharts";
import { formatTick, type DropBand, type LineSeries, type TimeRow } from "@/lib/view/cache-charts";

/** Enough distinct colours for the top eight groups and "other" (muted). */
export const LINE_COLORS = ["#4f46e5", "#0891b2", "#d97706", "#db2777", "#16a34a", "#7c3aed", "#ea580c", "#0d9488", "#65a30d", "#be123c"];
const MUTED = "#a1a1aa";

export function lineColor(series: readonly LineSeries[], index: number): string {
  const s = series[index];
  if (!s || s.muted) return MUTED;
  const rank = series.slice(0, index).filter((x) => !x.muted).length;
  return LINE_COLORS[rank % LINE_COLORS.length] as string;
}

type Datum = Record<string, number | null | TimeRow> & { t: number; row: TimeRow };

function SeriesTooltip({ active, payload, series, bands }: TooltipContentProps & { series: LineSeries[]; bands: DropBand[] }) {
  const row = (payload?.[0]?.payload as Datum | undefined)?.row;
  if (!active || !row) return null;
  const band = bands.find((b) => row.t >= b.x1 && row.t < b.x2);
  return (
    <div className="max-w-xs rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md">
      <p className="font-medium text-zinc-900">{row.label}</p>
      {band ? <p className="mt-0.5 font-medium text-rose-700">In a hit-rate drop ({band.label})</p> : null}
      <ul className="mt-1 space-y-0.5">
        {series.map((s, i) => (
          <li key={s.key} className="tabular flex justify-between gap-4 text-zinc-600">
            <span style={{ color: lineColor(series, i) }}>{s.name}</span>
            <span className="text-zinc-900">{row.labels[s.key] ?? "—"}</span>
          </li>
        ))}
      </ul>
      {row.detail ? <p className="tabular mt-1 text-zinc-500">{row.detail}</p> : null}
    </div>
  );
}

/**
 * Lines over a UTC time axis (points mid-bucket), with optional shaded bands (drop
 * episodes). Plotting numbers only place the marks; the tooltip shows the exact labels
 * of each row, and the wrapper's aria-label summarises the chart in words.
 */
export function CacheTimeSeriesChart({
  rows,
  series,
  domain,
  ticks,
  yDomain,
  yTicks,
  yFormat,
  bands = [],
  summary,
  legend = series.length > 1,
  className = "h-72",
}: {
  rows: TimeRow[];
  series: LineSeries[];
  domain: [number, number];
  ticks: number[];
  yDomain?: [number | "auto", number | "auto"];
  yTicks?: number[];
  yFormat: (value: number) => string;
  bands?: DropBand[];
  summary: string;
  legend?: boolean;
  className?: string;
}) {
  const data: Datum[] = rows.map((row) => ({ ...row.values, t: row.t, row }));
  const dots = rows.length <= 45;
  return (
    <div role="img" aria-label={summary} className={`${className} w-full`}>
      <LineChart responsive data={data} margin={{ top: 16, right: 12, bottom: 0, left: 4 }} accessibilityLayer={false} style={{ width: "100%", height: "100%" }}>
        <CartesianGrid vertical={false} stroke="#e4e4e7" />
        <XAxis
          dataKey="t"
          type="number"
          domain={domain}
          ticks={ticks}
          tickFormatter={formatTick}
          allowDataOverflow
          tickLine={false}
          axisLine={{ stroke: "#d4d4d8" }}
          tick={{ fill: "#71717a", fontSize: 11 }}
        />
        <YAxis domain={yDomain ?? [0, "auto"]} ticks={yTicks} tickFormatter={yFormat} tickLine={false} axisLine={false} tick={{ fill: "#71717a", fontSize: 11 }} width={52} />
        {bands.map((band) => (
          <ReferenceArea
            key={band.key}
            x1={band.x1}
            x2={band.x2}
            ifOverflow="hidden"
            fill="#fda4af"
            fillOpacity={0.35}
            stroke="#fb7185"
            strokeOpacity={0.7}
            strokeDasharray={band.ongoing ? "4 3" : undefined}
            label={{ value: band.label, position: "insideTop", fill: "#be123c", fontSize: 11, fontWeight: 600 }}
          />
        ))}
        <Tooltip content={(props) => <SeriesTooltip {...props} series={series} bands={bands} />} isAnimationActive={false} />
        {legend ? <Legend iconType="plainline" iconSize={12} wrapperStyle={{ fontSize: 11 }} /> : null}
        {series.map((s, i) => (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.name}
            type="linear"
            stroke={lineColor(series, i)}
            strokeWidth={s.muted ? 1.5 : 2}
            strokeDasharray={s.muted ? "5 4" : undefined}
            dot={dots && series.length === 1 ? { r: 2.5, strokeWidth: 0, fill: lineColor(series, i) } : false}
            activeDot={{ r: 4 }}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </div>
  );
}
