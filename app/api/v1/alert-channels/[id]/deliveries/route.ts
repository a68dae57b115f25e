import { listChannelDeliveries } from "@/lib/alerts/channels";
import { uuidParam } from "@/lib/http/params";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { deliveriesQuerySchema } from "@/lib/schemas/alerts";

export const dynamic = "force-dynamic";

/** ?limit= (default 50, at most 500): {"deliveries": [...]}, newest first. */
export const GET = withRoute({ permission: "alerts:manage" }, async (route) => {
  const id = uuidParam(route.params, "id");
  const query = parseQuery(deliveriesQuerySchema, route.request);
  return jsonResponse({ deliveries: await listChannelDeliveries(route, { id, limit: query.limit }) });
});
