import { getCacheReport } from "@/lib/analytics/cache";
import { teamScope } from "@/lib/auth/permissions";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { cacheQuerySchema } from "@/lib/schemas/cache";

export const dynamic = "force-dynamic";

/**
 * Prompt-cache hit rates, response-cache hits and money saved (at current prices) per
 * bucket and group, with hit-rate drop episodes; team-scoped. Query: from, to (required),
 * bucket=hour|day, group_by, limit, drop_pp, baseline_buckets, min_requests and the
 * team/feature/tenant/environment/model filters (lib/schemas/cache.ts).
 */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(cacheQuerySchema, request);
  return jsonResponse(await getCacheReport(query, { scope: teamScope(principal) }));
});
