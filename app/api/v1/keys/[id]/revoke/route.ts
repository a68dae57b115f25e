import { revokeKey } from "@/lib/access/api-keys";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

export const POST = withRoute({ permission: "keys:manage" }, async (route) =>
  jsonResponse(await revokeKey(route, { id: uuidParam(route.params, "id") })),
);
