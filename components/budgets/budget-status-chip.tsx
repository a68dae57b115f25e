import { cn } from "@/components/ui/cn";
import type { BudgetJson } from "./budget-types";

const STYLES = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  at_risk: "bg-amber-50 text-amber-800 ring-amber-200",
  over: "bg-rose-50 text-rose-800 ring-rose-200",
} as const;
const LABELS = { ok: "On track", at_risk: "Forecast over", over: "Over budget" } as const;

export function BudgetStatusChip({ status }: { status: NonNullable<BudgetJson["status"]> }) {
  return (
    <span data-testid="budget-status" className={cn("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", STYLES[status])}>
      {LABELS[status]}
    </span>
  );
}
