"use client";

import { useState } from "react";
import { useSearchParams } from "next/navigation";
import { withParam } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { REVEALED_CLASS, useReveal } from "@/components/ui/use-reveal";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { formatPercent, ratio } from "@/lib/format";
import { formatQuotaAmount } from "@/lib/quotas/view";
import { DecisionForm } from "./decision-form";
import type { BurstRequestView, TeamUsage } from "./quota-types";
import { RequestSummary } from "./request-summary";
import { useBurstRequests } from "./use-quotas";

function UsageFacts({ usage }: { usage: TeamUsage }) {
  const share = usage.allocation === null ? null : ratio(usage.month_to_date, usage.allocation);
  const rows: [string, string][] = [
    ["Last 30 days", formatQuotaAmount(usage.last_30_days, usage.unit)],
    ["Month to date", formatQuotaAmount(usage.month_to_date, usage.unit)],
    ["Allocation", usage.allocation === null ? "none" : formatQuotaAmount(usage.allocation, usage.unit)],
  ];
  return (
    <dl data-testid="team-usage" className="tabular grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 rounded-md bg-zinc-50 p-3 text-xs">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-zinc-500">{term}</dt>
          <dd className="text-right font-medium text-zinc-900">{value}</dd>
        </div>
      ))}
      {share ? (
        <div className="contents">
          <dt className="text-zinc-500">Used of allocation</dt>
          <dd className={share.gt(1) ? "text-right font-medium text-rose-700" : "text-right font-medium text-zinc-900"}>{formatPercent(share)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

type Outcome = { ok: boolean; message: string };

function QueueItem({ request, linked, onOutcome }: { request: BurstRequestView; linked: boolean; onOutcome: (outcome: Outcome) => void }) {
  const ref = useReveal<HTMLLIElement>(linked);
  return (
    <li
      ref={ref}
      data-request-id={request.id}
      data-team={request.team}
      data-linked={linked || undefined}
      tabIndex={linked ? -1 : undefined}
      className={cn("grid grid-cols-1 gap-4 py-4 lg:grid-cols-[minmax(0,1.4fr)_minmax(0,1fr)_minmax(0,1fr)]", linked && `-mx-2 px-2 ${REVEALED_CLASS}`)}
    >
      <RequestSummary request={request} />
      <div>
        <h3 className="mb-1 text-xs font-medium text-zinc-500">{request.team}&apos;s recent usage</h3>
        {request.team_usage ? <UsageFacts usage={request.team_usage} /> : <p className="text-xs text-zinc-500">Usage not available.</p>}
      </div>
      <DecisionForm request={request} onOutcome={onOutcome} />
    </li>
  );
}

/**
 * Pending burst requests, oldest first, each beside the team's usage. Admins only.
 * `?request=<id>` (the link in a "waiting for a decision" notification) brings that one
 * into view, focused and marked; when it is no longer pending, says so.
 */
export function ApprovalQueue() {
  const { data, error, isPending, refetch } = useBurstRequests({ status: "pending" });
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const { replaceQuery } = useUrlNavigation();
  const params = useSearchParams();
  const linkedId = params.get("request");
  const pending = [...(data?.requests ?? [])].filter((r) => r.status === "pending").sort((a, b) => a.created_at.localeCompare(b.created_at));
  const linkedGone = linkedId !== null && data !== undefined && !pending.some((r) => r.id === linkedId);

  // A decision ends the link's errand: drop ?request= so the decided request is not
  // brought into view again (in the history below) and focus stays here.
  function report(next: Outcome) {
    setOutcome(next);
    if (!linkedId) return;
    replaceQuery(withParam(params, "request", null));
  }
  return (
    <div className="space-y-2">
      {linkedGone && !outcome ? (
        <p data-testid="linked-request-gone" className="rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-700">
          The request you followed is no longer pending: it was decided, cancelled or has expired. Decided requests are listed below.
        </p>
      ) : null}
      {outcome ? (
        <p role={outcome.ok ? "status" : "alert"} data-testid="decision-outcome" className={outcome.ok ? "rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900" : "rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800"}>
          {outcome.message}
        </p>
      ) : null}
      {isPending ? (
        <div role="status" aria-busy="true" aria-label="Loading the approval queue" className="h-32 animate-pulse rounded bg-zinc-100" />
      ) : error ? (
        <div role="alert" className="text-sm text-rose-700">
          The approval queue could not be loaded: {error.message} <Button size="sm" variant="secondary" onClick={() => void refetch()}>Try again</Button>
        </div>
      ) : pending.length === 0 ? (
        <p data-testid="approval-queue-empty" className="text-sm text-zinc-600">Nothing to decide: no burst request is pending.</p>
      ) : (
        <ul data-testid="approval-queue" className="divide-y divide-zinc-100">
          {pending.map((request) => (
            <QueueItem key={request.id} request={request} linked={request.id === linkedId} onOutcome={report} />
          ))}
        </ul>
      )}
    </div>
  );
}
