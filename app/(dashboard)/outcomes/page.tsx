import type { SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import { Suspense } from "react";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { resolveOutcomesWindow, utcToday } from "@/lib/view/outcomes";
import { parseOutcomesPageState } from "@/lib/schemas/pages/outcomes";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { outcomeRequests, tableTypes } from "@/components/outcomes/outcome-params";
import { OutcomesFiltersPanel, OutcomesFiltersSkeleton, OutcomesReportPanel, OutcomesReportSkeleton } from "@/components/outcomes/outcomes-panels";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Outcomes" };


/**
 * Outcomes, rendered on the server: the filters (every type and feature of the window) and
 * the report (this window, the one before, cost by feature per type) each prefetch their
 * queries in their own <Suspense> and stream as soon as they answer. The by-feature
 * requests need the window's types first: the unfiltered report, shared by both panels.
 */
export default async function OutcomesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/outcomes");
  if (!canSee(user, "outcomes")) return <AccessDenied what="outcomes" />;
  const state = parseOutcomesPageState(await searchParams);
  const now = new Date();
  const window = resolveOutcomesWindow(state, now);
  const scope = teamScope(user);
  const server = serverQueries(user);
  const requests = outcomeRequests(state, window);
  const options = server.outcomeReport(requests.options);
  const costsOf = async (pick: (allTypes: readonly string[]) => readonly string[]) => {
    // Without the types there is nothing to ask by feature: the panel's hooks ask themselves.
    const report = (await options.load().catch(() => null)) as OutcomeReport | null;
    if (!report) return [];
    return pick(report.types.map((t) => t.type)).map((type) => server.outcomeCost(requests.featureCost(type)));
  };
  return (
    <>
      <PageHeader
        title="Outcomes"
        description={
          <>
            {scope.kind === "teams" ? <span data-testid="team-scope">Outcomes of your teams ({scope.slugs.join(", ") || "none yet"}) · </span> : null}
            What each successful result costs: every model call of a workflow, retries and failures included, divided by the
            outcomes it achieved. UTC days.
          </>
        }
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<OutcomesFiltersSkeleton />}>
            <Prefetch queries={async () => [options, ...(await costsOf((all) => all))]}>
              <OutcomesFiltersPanel state={state} window={window} today={utcToday(now)} />
            </Prefetch>
          </Suspense>
          <Suspense fallback={<OutcomesReportSkeleton />}>
            <Prefetch
              queries={async () => [
                server.outcomeReport(requests.report),
                server.outcomeReport(requests.previous),
                options,
                ...(await costsOf((all) => tableTypes(state, all))),
              ]}
            >
              <OutcomesReportPanel state={state} window={window} scoped={scope.kind === "teams"} />
            </Prefetch>
          </Suspense>
        </div>
      </UrlNavigationProvider>
    </>
  );
}
