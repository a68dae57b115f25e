import type { ReactNode } from "react";

/**
 * One figure in the overview's <dl>. The value element carries the test id and holds
 * only the formatted figure, so tests and screen readers read exactly "$12,345.67".
 */
export function StatCard({
  label,
  value,
  testId,
  detail,
  tone = "default",
}: {
  label: string;
  value: string;
  testId: string;
  detail?: ReactNode;
  tone?: "default" | "warning";
}) {
  return (
    <div
      className={
        tone === "warning"
          ? "rounded-lg border border-amber-300 bg-amber-50/60 px-4 py-3"
          : "rounded-lg border border-zinc-200 bg-white px-4 py-3 shadow-xs"
      }
    >
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd data-testid={testId} className="tabular mt-1 text-2xl font-semibold tracking-tight text-zinc-900">
        {value}
      </dd>
      {detail ? <dd className="tabular mt-1 text-xs text-zinc-600">{detail}</dd> : null}
    </div>
  );
}
