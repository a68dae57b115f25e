"use client";

import { Button } from "@/components/ui/button";
import { formatCount, formatDayTime } from "@/lib/format";
import { formatQuotaAmount, grantedAmount } from "@/lib/quotas/view";
import { Money } from "@/lib/money";
import { QuotaFlag } from "./request-status-chip";
import type { AllocationView, BurstRequestView } from "./quota-types";
import { UtilizationBar } from "./utilization-bar";
import { ScrollRegion } from "@/components/ui/scroll-region";

export function allocationName(a: Pick<AllocationView, "team" | "model">): string {
  return a.model ? `${a.team} (${a.model})` : a.team;
}

function RateLimits({ allocation }: { allocation: AllocationView }) {
  const parts = [
    allocation.requests_per_minute !== null ? `${formatCount(allocation.requests_per_minute)} req/min` : null,
    allocation.tokens_per_minute !== null ? `${formatCount(allocation.tokens_per_minute)} tok/min` : null,
  ].filter(Boolean);
  return parts.length ? <>{parts.join(" · ")}</> : <span className="text-zinc-400">—</span>;
}

/** Allocation vs used per team (and model), with bursts on top of the baseline and the flags that need a look. */
export function AllocationsTable({
  allocations,
  bursts,
  canAllocate,
  editing,
  onEdit,
  onDelete,
}: {
  allocations: AllocationView[];
  /** Approved bursts whose window is open now. */
  bursts: BurstRequestView[];
  canAllocate: boolean;
  editing: string | null;
  onEdit: (id: string | null) => void;
  onDelete: (allocation: AllocationView) => void;
}) {
  return (
    <ScrollRegion label="Quota allocations" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <table data-testid="allocations-table" className="w-full text-sm">
        <caption className="sr-only">Quota allocations this month: baseline, active bursts and usage per team</caption>
        <thead className="bg-zinc-50 text-left text-xs text-zinc-500">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">Team</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Baseline</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Active bursts</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Used</th>
            <th scope="col" className="px-3 py-2 text-right font-medium">Remaining</th>
            <th scope="col" className="px-3 py-2 font-medium">Utilization</th>
            <th scope="col" className="px-3 py-2 font-medium">Rate limits</th>
            <th scope="col" className="px-3 py-2"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="tabular">
          {allocations.map((a) => {
            const name = allocationName(a);
            const teamBursts = bursts.filter((b) => b.team === a.team && b.unit === a.unit);
            const hasBurst = new Money(a.burst_amount).gt(0);
            return (
              <tr key={a.id} data-allocation={name} data-team={a.team} className={a.over ? "border-t border-zinc-100 bg-rose-50/40" : "border-t border-zinc-100"}>
                <th scope="row" className="px-3 py-2 text-left font-medium text-zinc-900">
                  <span className="flex flex-wrap items-center gap-1.5">
                    {a.team}
                    {a.over ? <QuotaFlag tone="over">Over allocation</QuotaFlag> : null}
                    {a.idle ? <QuotaFlag tone="idle">Idle</QuotaFlag> : null}
                    {hasBurst ? <QuotaFlag tone="burst">Burst active</QuotaFlag> : null}
                  </span>
                  <span className="block text-xs font-normal text-zinc-500">
                    {a.model ? `model ${a.model}` : "all models"} · {a.unit === "usd" ? "USD" : "tokens"} · resets {formatDayTime(new Date(a.period_end))}
                  </span>
                </th>
                <td className="px-3 py-2 text-right">{formatQuotaAmount(a.amount, a.unit)}</td>
                <td className="px-3 py-2 text-right">
                  {hasBurst ? `+${formatQuotaAmount(a.burst_amount, a.unit)}` : <span className="text-zinc-400">—</span>}
                  {teamBursts.map((b) => (
                    <span key={b.id} className="block text-xs text-violet-700">
                      +{formatQuotaAmount(grantedAmount(b), b.unit)} until {formatDayTime(new Date(b.ends_at))}
                    </span>
                  ))}
                </td>
                <td className="px-3 py-2 text-right">{formatQuotaAmount(a.used, a.unit)}</td>
                <td className={new Money(a.remaining).lte(0) ? "px-3 py-2 text-right text-rose-700" : "px-3 py-2 text-right"}>{formatQuotaAmount(a.remaining, a.unit)}</td>
                <td className="px-3 py-2"><UtilizationBar allocation={a} label={`Utilization of ${name}`} /></td>
                <td className="px-3 py-2 text-xs text-zinc-700"><RateLimits allocation={a} /></td>
                <td className="px-3 py-2 text-right whitespace-nowrap">
                  {canAllocate ? (
                    <>
                      <Button variant="secondary" size="sm" aria-expanded={editing === a.id} onClick={() => onEdit(editing === a.id ? null : a.id)} aria-label={`Edit allocation for ${name}`}>Edit</Button>{" "}
                      <Button variant="danger" size="sm" onClick={() => onDelete(a)} aria-label={`Delete allocation for ${name}`}>Delete</Button>
                    </>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
