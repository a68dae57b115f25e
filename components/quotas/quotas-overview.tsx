"use client";

import { Panel } from "@/components/ui/panel";
import { AllocationsPanel } from "./allocations-panel";
import { ApprovalQueue } from "./approval-queue";
import { BurstRequestForm } from "./burst-request-form";
import { GatewaySnippet } from "./gateway-snippet";
import { MyRequests } from "./my-requests";
import { RequestHistory } from "./request-history";
import { useAllocations, useRefreshQuotas } from "./use-quotas";

export interface QuotasOverviewProps {
  userId: string;
  /** Teams the user may see. */
  teams: string[];
  /** Teams the user may file burst requests for (the ones they lead; every team for admins). */
  requestTeams: string[];
  canAllocate: boolean;
  canDecide: boolean;
}

function BurstRequests({ userId, requestTeams }: { userId: string; requestTeams: string[] }) {
  const allocations = useAllocations();
  const refresh = useRefreshQuotas();
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
      <Panel title="Request a burst" titleId="burst-form-title" description="More than the baseline for a limited window, approved by an admin.">
        <BurstRequestForm teams={requestTeams} allocations={allocations.data?.allocations ?? []} onFiled={() => void refresh()} />
      </Panel>
      <Panel title="My requests" titleId="my-requests-title" description="What you filed and what was decided.">
        <MyRequests userId={userId} />
      </Panel>
    </div>
  );
}

/** /quotas: allocations vs use, burst requests, the approval queue, decided history and the gateway check. */
export function QuotasOverview({ userId, teams, requestTeams, canAllocate, canDecide }: QuotasOverviewProps) {
  const allocations = useAllocations();
  const sample = allocations.data?.allocations[0];
  return (
    <div className="space-y-6">
      <AllocationsPanel teams={teams} canAllocate={canAllocate} />
      {canDecide ? (
        <Panel title="Approval queue" titleId="approval-queue-title" description="Pending burst requests, oldest first, beside each team's recent usage.">
          <ApprovalQueue />
        </Panel>
      ) : null}
      {requestTeams.length > 0 && !canDecide ? <BurstRequests userId={userId} requestTeams={requestTeams} /> : null}
      <RequestHistory teams={teams} />
      {canDecide && requestTeams.length > 0 ? (
        <details className="rounded-lg border border-zinc-200 bg-white shadow-xs">
          <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-zinc-900">File a burst request on a team&apos;s behalf</summary>
          <div className="border-t border-zinc-100 p-4"><BurstRequests userId={userId} requestTeams={requestTeams} /></div>
        </details>
      ) : null}
      <GatewaySnippet team={sample?.team ?? teams[0] ?? "search"} model={sample?.model ?? null} />
    </div>
  );
}
