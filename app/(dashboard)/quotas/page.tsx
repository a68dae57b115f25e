import { urlSearchParamsOf, type SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import { Suspense } from "react";
import { listTeams } from "@/lib/access/teams";
import { can, canActOnTeam, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { Panel } from "@/components/ui/panel";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { AllocationsPanel } from "@/components/quotas/allocations-panel";
import { ApprovalQueue } from "@/components/quotas/approval-queue";
import { historyFilters } from "@/components/quotas/quota-params";
import { QuotaTabs } from "@/components/quotas/quota-tabs";
import { BurstRequestsPanel, GatewaySnippetPanel, QuotaPanelSkeleton } from "@/components/quotas/quotas-overview";
import { RequestHistory } from "@/components/quotas/request-history";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Quotas" };


/**
 * Quotas, rendered on the server: allocations vs use, the approval queue (admins), a lead's
 * burst requests, the decided history (its filters are the URL's) and the gateway check,
 * each with its queries prefetched inside its own <Suspense>.
 */
export default async function QuotasPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/quotas");
  if (!canSee(user, "quotas")) return <AccessDenied what="quotas" />;
  const teams = (await listTeams({ principal: user })).map((t) => t.slug);
  const requestTeams = teams.filter((slug) => canActOnTeam(user, "quota:request", slug));
  const canAllocate = can(user, "quota:allocate");
  const canDecide = can(user, "quota:decide");
  const search = urlSearchParamsOf(await searchParams);
  const server = serverQueries(user);
  const burstRequests = (
    <Suspense fallback={<QuotaPanelSkeleton label="Loading your burst requests…" tall />}>
      <Prefetch queries={[server.allocations(), server.burstRequests()]}>
        <BurstRequestsPanel userId={user.userId} requestTeams={requestTeams} />
      </Prefetch>
    </Suspense>
  );
  return (
    <>
      <PageHeader
        title="Quotas"
        description="Monthly allocations per team (UTC), bursts on top of them, and the check your gateway calls before each model request."
      />
      <QuotaTabs />
      <UrlNavigationProvider>
        <div className="space-y-6">
          <Suspense fallback={<QuotaPanelSkeleton label="Loading allocations…" tall={canAllocate} />}>
            <Prefetch queries={[server.allocations(), server.burstRequests({ status: "approved" })]}>
              <AllocationsPanel teams={teams} canAllocate={canAllocate} />
            </Prefetch>
          </Suspense>
          {canDecide ? (
            <Panel title="Approval queue" titleId="approval-queue-title" description="Pending burst requests, oldest first, beside each team's recent usage.">
              <Suspense fallback={<QuotaPanelSkeleton label="Loading the approval queue…" />}>
                <Prefetch queries={[server.burstRequests({ status: "pending" })]}>
                  <ApprovalQueue />
                </Prefetch>
              </Suspense>
            </Panel>
          ) : null}
          {requestTeams.length > 0 && !canDecide ? burstRequests : null}
          <Suspense fallback={<QuotaPanelSkeleton label="Loading decided requests…" />}>
            <Prefetch queries={[server.burstRequests(historyFilters(search))]}>
              <RequestHistory teams={teams} />
            </Prefetch>
          </Suspense>
          {canDecide && requestTeams.length > 0 ? (
            <details className="rounded-lg border border-zinc-200 bg-white shadow-xs">
              <summary className="cursor-pointer px-4 py-3 text-sm font-semibold text-zinc-900">File a burst request on a team&apos;s behalf</summary>
              <div className="border-t border-zinc-100 p-4">{burstRequests}</div>
            </details>
          ) : null}
          <Suspense fallback={<QuotaPanelSkeleton label="Loading the gateway check…" />}>
            <Prefetch queries={[server.allocations()]}>
              <GatewaySnippetPanel teams={teams} />
            </Prefetch>
          </Suspense>
        </div>
      </UrlNavigationProvider>
    </>
  );
}
