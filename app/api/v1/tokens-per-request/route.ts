import { getTokensPerRequest } from "@/lib/analytics/tokens-per-request";
import { teamScope } from "@/lib/auth/permissions";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { tokensPerRequestQuerySchema } from "@/lib/schemas/cache";

export const dynamic = "force-dynamic";

/**
 * Average input and output tokens per request per bucket and group, with a per-group jump
 * flag (last 7 days vs the 28 before); team-scoped. Query: from, to (required),
 * bucket=hour|day, group_by=feature|prompt_version|model and the
 * team/feature/tenant/environment/model filters (lib/schemas/cache.ts).
 */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(tokensPerRequestQuerySchema, request);
  return jsonResponse(await getTokensPerRequest(query, { scope: teamScope(principal) }));
});
