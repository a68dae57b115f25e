import type { Metadata } from "next";
import { Suspense } from "react";
import { isCurrentMonthWindow } from "@/lib/view/showback";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { defaultShowbackWindow, showbackPageSchema } from "@/lib/schemas/pages/showback";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { ShowbackFilters, ShowbackFiltersSkeleton } from "@/components/showback/showback-filters";
import { showbackRequests } from "@/components/showback/showback-params";
import { ShowbackResults, ShowbackResultsSkeleton } from "@/components/showback/showback-results";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";
import { firstValues, type SearchParams } from "@/lib/schemas/pages/search-params";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Showback" };


/**
 * Showback, rendered on the server: the filter bar (with the window's tag values) and the
 * figures (the window's spend, the one before, by day, and the month-end forecast in the
 * current month) are each prefetched in their own <Suspense>, so each streams as soon as
 * its queries answer and the HTML carries the numbers.
 */
export default async function ShowbackPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/showback");
  if (!canSee(user, "showback")) return <AccessDenied what="showback" />;
  const raw = firstValues(await searchParams);
  const parsed = showbackPageSchema.safeParse(raw);
  const state = parsed.success ? parsed.data : showbackPageSchema.parse({});
  const now = new Date();
  const fallback = defaultShowbackWindow(now);
  const window = state.from && state.to && state.from < state.to ? { from: state.from, to: state.to } : fallback;
  const scope = teamScope(user);
  const server = serverQueries(user);
  const requests = showbackRequests(state, window);
  const figures = [server.spend(requests.current), server.spend(requests.prior), server.spend(requests.daily)];
  if (isCurrentMonthWindow(window, now) && requests.forecastable) figures.push(server.forecast(requests.forecast));
  return (
    <>
      <PageHeader
        title="Showback"
        description={
          scope.kind === "all"
            ? "Who spends what: by team, feature, environment, tenant, model or prompt version. UTC days."
            : `Spend of your teams (${scope.slugs.join(", ") || "none yet"}). UTC days.`
        }
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<ShowbackFiltersSkeleton />}>
            <Prefetch queries={[server.spend(requests.options), server.tagKeys(), ...(requests.tagValues ? [server.spend(requests.tagValues)] : [])]}>
              <ShowbackFilters state={state} window={window} />
            </Prefetch>
          </Suspense>
          <Suspense fallback={<ShowbackResultsSkeleton />}>
            <Prefetch queries={figures}>
              <ShowbackResults state={state} window={window} />
            </Prefetch>
          </Suspense>
        </div>
      </UrlNavigationProvider>
    </>
  );
}
