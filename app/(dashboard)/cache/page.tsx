import type { Metadata } from "next";
import { parseCachePageState, resolveCacheWindow } from "@/lib/analytics/cache-view";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { CacheExplorer } from "@/components/cache/cache-explorer";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Cache" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function CachePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/cache");
  if (!canSee(user, "cache")) return <AccessDenied what="the cache page" />;
  const state = parseCachePageState(await searchParams);
  const window = resolveCacheWindow(state, new Date());
  const scope = teamScope(user);
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
      <CacheExplorer state={state} window={window} />
    </>
  );
}
