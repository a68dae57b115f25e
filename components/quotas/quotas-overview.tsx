"use client";

import { Panel } from "@/components/ui/panel";
import { Block, LoadingRegion } from "@/components/ui/skeleton";
import { BurstRequestForm } from "./burst-request-form";
import { GatewaySnippet } from "./gateway-snippet";
import { MyRequests } from "./my-requests";
import { useAllocations, useRefreshQuotas } from "./use-quotas";

/**
 * The client panels of /quotas that the page composes (allocations vs use, the approval
 * queue, burst requests, the decided history and the gateway check), each inside its own
 * <Suspense> with its queries prefetched on the server.
 */

/** A lead's burst requests: the form (amounts checked against the team's allocations) beside what they filed. */
export function BurstRequestsPanel({ userId, requestTeams }: { userId: string; requestTeams: string[] }) {
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

/** The gateway check, for a team and model that have an allocation when there is one. */
export function GatewaySnippetPanel({ teams }: { teams: string[] }) {
  const allocations = useAllocations();
  const sample = allocations.data?.allocations[0];
  return <GatewaySnippet team={sample?.team ?? teams[0] ?? "search"} model={sample?.model ?? null} />;
}

/** A quota panel's place while the page reads its data. */
export function QuotaPanelSkeleton({ label, tall = false }: { label: string; tall?: boolean }) {
  return (
    <LoadingRegion label={label}>
      <Block className={tall ? "h-64" : "h-40"} />
    </LoadingRegion>
  );
}
