import { acknowledgeAlert } from "@/lib/alerts/alerts";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** open → acknowledged: the alert; 404 outside the caller's teams, 409 when not open. */
export const POST = withRoute({ permission: "spend:read" }, async (route) =>
  jsonResponse(await acknowledgeAlert(route, { id: uuidParam(route.params, "id") })),
);
