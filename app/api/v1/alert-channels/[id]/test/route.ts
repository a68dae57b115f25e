import { testChannel } from "@/lib/alerts/channels";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/**
 * Sends a test message now: 200 {ok, status_code, error, duration_ms} whether or not it
 * arrived. `error` is "HTTP <status>", a network error or the outbound guard's refusal —
 * never the receiver's body (the button must not read internal pages for its user).
 */
export const POST = withRoute({ permission: "alerts:manage" }, async (route) =>
  jsonResponse(await testChannel(route, { id: uuidParam(route.params, "id") })),
);
