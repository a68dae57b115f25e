import { evaluateAlertsNow } from "@/lib/alerts/alerts";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** Runs every rule now: {"fired": [webhook body, ...], "resolved": [...], "skipped": bool, ...}. No body is read. */
export const POST = withRoute({ permission: "alerts:manage" }, async (route) => jsonResponse(await evaluateAlertsNow(route)));
