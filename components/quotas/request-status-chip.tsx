import { cn } from "@/components/ui/cn";
import type { BurstStatus } from "./quota-types";

const STYLES: Record<BurstStatus, string> = {
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  approved: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  rejected: "bg-rose-50 text-rose-800 ring-rose-200",
  cancelled: "bg-zinc-100 text-zinc-700 ring-zinc-200",
  expired: "bg-zinc-100 text-zinc-500 ring-zinc-200",
};
const LABELS: Record<BurstStatus, string> = {
  pending: "Pending",
  approved: "Approved",
  rejected: "Rejected",
  cancelled: "Cancelled",
  expired: "Expired",
};

export const BURST_STATUSES = Object.keys(LABELS) as BurstStatus[];

export function RequestStatusChip({ status }: { status: BurstStatus }) {
  return (
    <span data-testid="request-status" className={cn("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", STYLES[status])}>
      {LABELS[status]}
    </span>
  );
}

/** A small flag beside an allocation: "Idle", "Over allocation", "Burst active". */
export function QuotaFlag({ tone, children }: { tone: "idle" | "over" | "burst"; children: string }) {
  const style = {
    idle: "bg-zinc-100 text-zinc-700 ring-zinc-200",
    over: "bg-rose-50 text-rose-800 ring-rose-200",
    burst: "bg-violet-50 text-violet-800 ring-violet-200",
  }[tone];
  return <span data-testid={`flag-${tone}`} className={cn("inline-flex rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", style)}>{children}</span>;
}
