import type { ReactNode } from "react";
import { cn } from "./cn";

/** good / warn / bad: the three states a status chip shows (budget status, quota suggestions). */
export type ChipTone = "good" | "warn" | "bad";

const TONES: Record<ChipTone, string> = {
  good: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  warn: "bg-amber-50 text-amber-800 ring-amber-200",
  bad: "bg-rose-50 text-rose-800 ring-rose-200",
};

/** A small rounded label coloured by tone. */
export function StatusChip({ tone, children, testId }: { tone: ChipTone; children: ReactNode; testId?: string }) {
  return (
    <span data-testid={testId} className={cn("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", TONES[tone])}>
      {children}
    </span>
  );
}
