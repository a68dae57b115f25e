import type { SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import { Suspense } from "react";
import { parseCachePageState, resolveCacheWindow } from "@/lib/schemas/pages/cache";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { Callout } from "@/components/ui/callout";
import { PageHeader } from "@/components/ui/page-header";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import {
  CacheFiltersPanel,
  CacheFiltersSkeleton,
  CacheReportPanel,
  CacheReportSkeleton,
  CacheTokensPanel,
  CacheTokensSkeleton,
} from "@/components/cache/cache-panels";
import { cacheRequests } from "@/components/cache/cache-params";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Cache" };


/**
 * The Cache page, rendered on the server: the filters (the window's tag values), the cache
 * report and tokens per request each prefetch their query in their own <Suspense> and
 * stream as soon as it answers.
 */
export default async function CachePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/cache");
  if (!canSee(user, "cache")) return <AccessDenied what="the cache page" />;
  const state = parseCachePageState(await searchParams);
  const window = resolveCacheWindow(state, new Date());
  const scope = teamScope(user);
  const server = serverQueries(user);
  const requests = cacheRequests(state, window);
  return (
    <>
      <PageHeader
        title="Cache"
        description={
          <>
            {scope.kind === "teams" ? `Your teams (${scope.slugs.join(", ") || "none yet"}) · ` : null}
            How much prompt caching saves, and when it stops working. UTC{" "}
            {window.bucket === "day" ? "days" : "hours"}.
          </>
        }
        actions={
          <a href="#tokens-per-request" className="text-sm font-medium text-zinc-700 underline underline-offset-4 hover:text-zinc-900">
            Tokens per request ↓
          </a>
        }
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<CacheFiltersSkeleton />}>
            <Prefetch queries={[server.spend(requests.options), server.tagKeys(), ...(requests.tagValues ? [server.spend(requests.tagValues)] : [])]}>
              <CacheFiltersPanel state={state} window={window} />
            </Prefetch>
          </Suspense>
          {window.notice ? <Callout title="Shown by day">{window.notice}</Callout> : null}
          <Suspense fallback={<CacheReportSkeleton />}>
            <Prefetch queries={[server.cacheReport(requests.report)]}>
              <CacheReportPanel state={state} window={window} />
            </Prefetch>
          </Suspense>
          <Suspense fallback={<CacheTokensSkeleton />}>
            <Prefetch queries={[server.tokensPerRequest(requests.tokens), server.tagKeys()]}>
              <CacheTokensPanel state={state} window={window} />
            </Prefetch>
          </Suspense>
        </div>
      </UrlNavigationProvider>
    </>
  );
}
