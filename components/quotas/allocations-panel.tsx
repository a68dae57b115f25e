"use client";

import { useState } from "react";
import { apiFetch } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { isBurstActive } from "@/lib/quotas/view";
import { AllocationForm } from "./allocation-form";
import { allocationName, AllocationsTable } from "./allocations-table";
import type { AllocationView } from "./quota-types";
import { useAllocations, useBurstRequests, useQuotaMutation, useRefreshQuotas } from "./use-quotas";

function Legend() {
  return (
    <p className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-zinc-500" aria-hidden="true">
      <span className="flex items-center gap-1.5"><span className="inline-block h-2 w-4 rounded-sm bg-zinc-200" /> baseline</span>
      <span className="flex items-center gap-1.5"><span className="inline-block h-2 w-4 rounded-sm bg-violet-300" /> approved burst</span>
      <span className="flex items-center gap-1.5"><span className="inline-block h-2 w-4 rounded-sm bg-indigo-500" /> used</span>
      <span className="flex items-center gap-1.5"><span className="inline-block h-2 w-4 rounded-sm bg-rose-500" /> used, over the limit</span>
    </p>
  );
}

/** The overview's first section: every visible allocation, and for admins the form to set, edit and delete them. */
export function AllocationsPanel({ teams, canAllocate }: { teams: string[]; canAllocate: boolean }) {
  const { data, error, isPending, refetch } = useAllocations();
  const approved = useBurstRequests({ status: "approved" });
  const refresh = useRefreshQuotas();
  const [editing, setEditing] = useState<string | null>(null);
  const remove = useQuotaMutation((id: string) => apiFetch<unknown>(`/api/v1/quota/allocations/${id}`, { method: "DELETE" }));
  const allocations = data?.allocations ?? [];
  const now = new Date();
  const bursts = (approved.data?.requests ?? []).filter((r) => isBurstActive(r, now));
  const unallocated = teams.filter((slug) => !allocations.some((a) => a.team === slug));
  const current = allocations.find((a) => a.id === editing);

  function confirmDelete(allocation: AllocationView) {
    if (!window.confirm(`Delete the allocation for ${allocationName(allocation)}? Its quota checks stop limiting.`)) return;
    remove.mutate(allocation.id, { onSuccess: () => setEditing(null) });
  }

  return (
    <div className="space-y-4">
      {canAllocate ? (
        <Panel title="Set an allocation" titleId="new-allocation-title" description="A team's monthly baseline in dollars or tokens, optionally for one model, with optional rate limits. Setting one for a team and model that already has one replaces it.">
          <AllocationForm teams={teams} onSaved={() => void refresh()} />
        </Panel>
      ) : null}

      <section aria-labelledby="allocations-title" className="space-y-2">
        <div className="flex flex-wrap items-end justify-between gap-2">
          <h2 id="allocations-title" className="text-sm font-semibold text-zinc-900">Allocations this month</h2>
          <Legend />
        </div>
        {isPending ? (
          <div role="status" aria-busy="true" aria-label="Loading allocations" className="h-40 animate-pulse rounded-lg bg-zinc-100" />
        ) : error ? (
          <div role="alert" className="rounded-lg border border-rose-200 bg-white p-6 text-center text-sm">
            <p className="text-zinc-900">Allocations could not be loaded: {error.message}</p>
            <Button className="mt-3" onClick={() => void refetch()}>Try again</Button>
          </div>
        ) : allocations.length === 0 ? (
          <p data-testid="allocations-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm text-zinc-600">
            {canAllocate ? "No allocations yet. Set one above: the gateway's quota check then limits that team." : "No allocation covers your teams yet. Admins set them."}
          </p>
        ) : (
          <>
            <AllocationsTable allocations={allocations} bursts={bursts} canAllocate={canAllocate} editing={editing} onEdit={setEditing} onDelete={confirmDelete} />
            {remove.error ? <FieldError message={`Deleting failed: ${remove.error.message}`} /> : null}
            {approved.error ? <p className="text-xs text-zinc-500">Burst windows could not be loaded: {approved.error.message}</p> : null}
          </>
        )}
        {!isPending && !error && canAllocate && unallocated.length > 0 ? (
          <p className="text-xs text-zinc-500" data-testid="unallocated-teams">Without an allocation: {unallocated.join(", ")}.</p>
        ) : null}
      </section>

      {current ? (
        <Panel title={`Edit allocation: ${allocationName(current)}`} titleId="edit-allocation-title">
          <AllocationForm key={current.id} teams={teams} allocation={current} onSaved={() => { setEditing(null); void refresh(); }} onCancel={() => setEditing(null)} />
        </Panel>
      ) : null}
    </div>
  );
}
