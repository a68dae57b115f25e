"use client";

import { apiFetch } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { formatQuotaAmount } from "@/lib/quotas/view";
import type { BurstRequestView } from "./quota-types";
import { RequestSummary } from "./request-summary";
import { decisionErrorMessage, useBurstRequests, useQuotaMutation } from "./use-quotas";

/** The requests the signed-in user filed, newest first, with Cancel while one is still pending. */
export function MyRequests({ userId }: { userId: string }) {
  const { data, error, isPending, refetch } = useBurstRequests();
  const cancel = useQuotaMutation((id: string) => apiFetch<BurstRequestView>(`/api/v1/quota/requests/${id}/cancel`, { method: "POST" }));
  const mine = (data?.requests ?? [])
    .filter((r) => r.requested_by?.id === userId)
    .sort((a, b) => b.created_at.localeCompare(a.created_at));

  if (isPending) return <div role="status" aria-busy="true" aria-label="Loading your requests" className="h-24 animate-pulse rounded bg-zinc-100" />;
  if (error) {
    return (
      <div role="alert" className="text-sm text-rose-700">
        Your requests could not be loaded: {error.message} <Button size="sm" variant="secondary" onClick={() => void refetch()}>Try again</Button>
      </div>
    );
  }
  return (
    <div className="space-y-2">
      {cancel.error ? <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{decisionErrorMessage(cancel.error)}</p> : null}
      {mine.length === 0 ? (
        <p data-testid="my-requests-empty" className="text-sm text-zinc-600">You have not filed any burst requests.</p>
      ) : (
        <ul data-testid="my-requests" className="divide-y divide-zinc-100">
          {mine.map((request) => (
            <li key={request.id} data-request-id={request.id} className="flex flex-wrap items-start justify-between gap-3 py-3">
              <RequestSummary request={request} showRequester={false} />
              {request.status === "pending" ? (
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={cancel.isPending}
                  onClick={() => {
                    if (window.confirm(`Cancel the request for ${request.team}?`)) cancel.mutate(request.id);
                  }}
                  aria-label={`Cancel the request for +${formatQuotaAmount(request.amount, request.unit)} for ${request.team}`}
                >
                  Cancel
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
