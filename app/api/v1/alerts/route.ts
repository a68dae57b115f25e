import { listAlerts } from "@/lib/alerts/alerts";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { alertsQuerySchema } from "@/lib/schemas/alerts";

export const dynamic = "force-dynamic";

/** ?state=&type=&team=&from=&to=&limit=: {"alerts": [...]}, newest first, team-scoped. */
export const GET = withRoute({ permission: "spend:read" }, async ({ request, principal }) => {
  const query = parseQuery(alertsQuerySchema, request);
  return jsonResponse({ alerts: await listAlerts(principal, query) });
});
