import type { Metadata } from "next";
import { Suspense } from "react";
import { can, canSee, teamsToActOn } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { urlSearchParamsOf, type SearchParams } from "@/lib/schemas/pages/search-params";
import { savingsPageState } from "@/lib/view/savings";
import { SavingsReport } from "@/components/savings/savings-report";
import { DeferrablePanel, SubstitutesPanel } from "@/components/savings/savings-settings";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { PanelBlock } from "@/components/ui/skeleton";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Savings" };

/** What a cheaper model, the batch tier or better prompt caching would have saved, priced from real token mixes. */
export default async function SavingsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/savings");
  if (!canSee(user, "savings")) return <AccessDenied what="savings" />;
  const state = savingsPageState(urlSearchParamsOf(await searchParams), new Date());
  const server = serverQueries(user);
  const actTeams = teamsToActOn(user, "savings:defer");
  return (
    <>
      <PageHeader
        title="Savings"
        description="Opportunities priced exactly from each feature's real token mix: a declared cheaper substitute, the batch tier for work that can wait, and prompt caching where prompts are long and steady."
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<PanelBlock rows={6} />}>
            <Prefetch queries={[server.savings({ from: state.from, to: state.to, team: state.team })]}>
              <SavingsReport dismissTeams={actTeams} />
            </Prefetch>
          </Suspense>
          <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
            <Suspense fallback={<PanelBlock rows={3} />}>
              <Prefetch queries={[server.savingsSubstitutes()]}>
                <SubstitutesPanel canManage={can(user, "savings:manage")} />
              </Prefetch>
            </Suspense>
            <Suspense fallback={<PanelBlock rows={3} />}>
              <Prefetch queries={[server.deferrableFeatures()]}>
                <DeferrablePanel teams={actTeams} />
              </Prefetch>
            </Suspense>
          </div>
        </div>
      </UrlNavigationProvider>
    </>
  );
}
