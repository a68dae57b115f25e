import { getPool } from "@/lib/db";
import { querySpend } from "@/lib/analytics/spend";
import { teamScope } from "@/lib/auth/permissions";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { spendQuerySchema } from "@/lib/schemas/spend";

export const dynamic = "force-dynamic";

/** Showback (contract: GET /api/v1/spend), scoped to the caller's teams. */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(spendQuerySchema, request);
  return jsonResponse(await querySpend(getPool(), query, teamScope(principal)));
});
