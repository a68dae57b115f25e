import { getPool } from "@/lib/db";
import { outcomeCost } from "@/lib/analytics/outcome-cost";
import { teamScope } from "@/lib/auth/permissions";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { outcomeCostQuerySchema } from "@/lib/schemas/outcome-cost";

export const dynamic = "force-dynamic";

/** Cost per outcome (contract): from, to, type, group_by over the outcome's own tags. */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(outcomeCostQuerySchema, request);
  const result = await outcomeCost(
    getPool(),
    { from: query.from, to: query.to, type: query.type, groupBy: query.group_by },
    teamScope(principal),
  );
  return jsonResponse(result);
});
