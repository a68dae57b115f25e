import { getPool } from "@/lib/db";
import { outcomeReport } from "@/lib/analytics/outcome-report";
import { teamScope } from "@/lib/auth/permissions";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { outcomeReportQuerySchema } from "@/lib/schemas/outcome-cost";

export const dynamic = "force-dynamic";

/** The Outcomes page: per-type cost per success, cost per trace distribution, top traces. */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(outcomeReportQuerySchema, request);
  return jsonResponse(await outcomeReport(getPool(), query, teamScope(principal)));
});
