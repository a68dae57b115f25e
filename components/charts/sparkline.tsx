"use client";

import { Line, LineChart } from "recharts";

/** A tiny trend line; the row beside it carries the exact figures, so it is decorative to screen readers. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  if (values.length < 2) return null;
  return (
    <div role="img" aria-label={label} className="h-6 w-24">
      <LineChart width={96} height={24} data={values.map((v, i) => ({ i, v }))} margin={{ top: 2, right: 2, bottom: 2, left: 2 }} accessibilityLayer={false}>
        <Line type="monotone" dataKey="v" stroke="#4f46e5" strokeWidth={1.5} dot={false} isAnimationActive={false} />
      </LineChart>
    </div>
  );
}
