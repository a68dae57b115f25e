import { StatusChip, type ChipTone } from "@/components/ui/status-chip";
import type { BudgetJson } from "./budget-types";

const TONES: Record<NonNullable<BudgetJson["status"]>, ChipTone> = { ok: "good", at_risk: "warn", over: "bad" };
const LABELS = { ok: "On track", at_risk: "Forecast over", over: "Over budget" } as const;

export function BudgetStatusChip({ status }: { status: NonNullable<BudgetJson["status"]> }) {
  return (
    <StatusChip tone={TONES[status]} testId="budget-status">
      {LABELS[status]}
    </StatusChip>
  );
}
