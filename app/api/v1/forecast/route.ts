import { getPool } from "@/lib/db";
import { queryForecast } from "@/lib/budgets/forecast-spend";
import { teamScope } from "@/lib/auth/permissions";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { forecastQuerySchema } from "@/lib/schemas/forecast";

export const dynamic = "force-dynamic";

/** The current month's spend forecast (docs/API.md), scoped to the caller's teams; no budget needed. */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(forecastQuerySchema, request);
  return jsonResponse(await queryForecast(getPool(), query, teamScope(principal)));
});
