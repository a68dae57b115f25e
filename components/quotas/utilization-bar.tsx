import { formatQuotaAmount, utilizationBar } from "@/lib/quotas/view";
import { formatPercent } from "@/lib/format";
import type { AllocationView } from "./quota-types";

/**
 * One allocation's track: the baseline (grey), approved bursts stacked on top of it
 * (violet, hatched) and what was used (indigo, rose past the limit). A progressbar for
 * assistive technology, with the exact figures in aria-valuetext.
 */
export function UtilizationBar({ allocation, label }: { allocation: AllocationView; label: string }) {
  const bar = utilizationBar(allocation);
  const { unit } = allocation;
  // The API's utilization wins; the bar's own ratio covers a response without one.
  const fraction = allocation.utilization ?? bar.fraction;
  const percent = fraction === null ? "no limit set" : formatPercent(fraction);
  const burst = bar.burstPct > 0 ? ` (${formatQuotaAmount(allocation.amount, unit)} baseline + ${formatQuotaAmount(allocation.burst_amount, unit)} burst)` : "";
  const text = `${percent} used: ${formatQuotaAmount(allocation.used, unit)} of ${formatQuotaAmount(allocation.limit, unit)}${burst}`;
  return (
    <div className="flex min-w-40 items-center gap-2">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={bar.valueNow}
        aria-valuetext={text}
        title={text}
        className="relative h-2.5 w-36 shrink-0 overflow-hidden rounded-full bg-zinc-100"
      >
        <span aria-hidden="true" className="absolute inset-y-0 left-0 bg-zinc-200" style={{ width: `${bar.baselinePct}%` }} />
        {bar.burstPct > 0 ? (
          <span
            aria-hidden="true"
            data-testid="burst-segment"
            className="absolute inset-y-0 bg-violet-200 bg-[repeating-linear-gradient(45deg,transparent_0,transparent_3px,rgba(124,58,237,0.35)_3px,rgba(124,58,237,0.35)_5px)]"
            style={{ left: `${bar.baselinePct}%`, width: `${bar.burstPct}%` }}
          />
        ) : null}
        <span aria-hidden="true" className={bar.over ? "absolute inset-y-0 left-0 rounded-full bg-rose-500/90" : "absolute inset-y-0 left-0 rounded-full bg-indigo-500/90"} style={{ width: `${bar.usedPct}%`, height: "60%", top: "20%" }} />
      </div>
      <span className="tabular text-xs text-zinc-700">{fraction === null ? "—" : formatPercent(fraction)}</span>
    </div>
  );
}
