import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { runReconciliation } from "@/lib/reconciliation/reconciliation";
import { runReconciliationSchema } from "@/lib/schemas/reconciliation";

export const dynamic = "force-dynamic";

/**
 * {from, to} (UTC days, to exclusive, at most 93): pulls every connection now and replaces
 * those days. 200 {from, to, connections: [{id, provider, status, error, pages, rows}], days};
 * a failed pull is reported (and kept in the connection's last run), not a 5xx.
 */
export const POST = withRoute({ permission: "reconciliation:manage", maxBodyBytes: 4_096 }, async (route) => {
  const input = parseBody(runReconciliationSchema, await route.json(), "The run is not valid.");
  return jsonResponse(await runReconciliation(route, input));
});
