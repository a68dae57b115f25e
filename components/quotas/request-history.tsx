"use client";

import { useSearchParams } from "next/navigation";
import { useOptimistic } from "react";
import { withParam } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { REVEALED_CLASS, useReveal } from "@/components/ui/use-reveal";
import type { BurstRequestView } from "./quota-types";
import { DECIDED_STATUSES as DECIDED, historyFilters } from "./quota-params";
import { RequestSummary } from "./request-summary";
import { useBurstRequests } from "./use-quotas";

function HistoryItem({ request, linked }: { request: BurstRequestView; linked: boolean }) {
  const ref = useReveal<HTMLLIElement>(linked);
  return (
    <li ref={ref} data-request-id={request.id} data-linked={linked || undefined} tabIndex={linked ? -1 : undefined} className={cn("py-3", linked && `-mx-2 px-2 ${REVEALED_CLASS}`)}>
      <RequestSummary request={request} />
    </li>
  );
}

/**
 * Decided requests (approved, rejected, cancelled, expired), filtered by status and team in
 * the URL; `?request=<id>` marks that one when it is here (decided since it was linked to).
 */
export function RequestHistory({ teams }: { teams: string[] }) {
  const params = useSearchParams();
  const { pending, replaceQuery } = useUrlNavigation();
  const current = historyFilters(params);
  // The buttons and the select show a choice at once; the list follows with the page.
  const [{ status, team }, show] = useOptimistic(current, (shown, changes: { status?: string; team?: string }) => ({ ...shown, ...changes }) as typeof current);
  const linkedId = params.get("request");
  const { data, error, isPending, refetch } = useBurstRequests(current);
  const decided = (data?.requests ?? [])
    .filter((r) => r.status !== "pending")
    .sort((a, b) => (b.decided_at ?? b.created_at).localeCompare(a.decided_at ?? a.created_at));

  function set(name: "status" | "team", value: string) {
    replaceQuery(withParam(params, name, value), () => show({ [name]: value }));
  }

  return (
    <section aria-labelledby="history-title" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-4 py-3">
        <h2 id="history-title" className="text-sm font-semibold text-zinc-900">Decided requests</h2>
        <div className="flex flex-wrap items-center gap-2">
          <div role="group" aria-label="Status" className="flex flex-wrap gap-1">
            {["", ...DECIDED].map((s) => (
              <Button key={s || "all"} size="sm" variant={status === s ? "primary" : "secondary"} aria-pressed={status === s} onClick={() => set("status", s)}>
                {s || "all"}
              </Button>
            ))}
          </div>
          <select aria-label="Team" value={team} onChange={(e) => set("team", e.target.value)} className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm">
            <option value="">All teams</option>
            {teams.map((slug) => (
              <option key={slug} value={slug}>{slug}</option>
            ))}
          </select>
        </div>
      </header>
      <div className="p-4">
        {isPending ? (
          <div role="status" aria-busy="true" aria-label="Loading decided requests" className="h-24 animate-pulse rounded bg-zinc-100" />
        ) : error ? (
          <div role="alert" className="text-sm text-rose-700">
            Decided requests could not be loaded: {error.message} <Button size="sm" variant="secondary" onClick={() => void refetch()}>Try again</Button>
          </div>
        ) : decided.length === 0 ? (
          <p data-testid="history-empty" className="text-sm text-zinc-600">No {current.status || "decided"} requests{current.team ? ` for ${current.team}` : ""}.</p>
        ) : (
          <ul data-testid="request-history" aria-busy={pending} className={cn("divide-y divide-zinc-100 transition-opacity", pending && "opacity-60")}>
            {decided.map((request) => (
              <HistoryItem key={request.id} request={request} linked={request.id === linkedId} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
