import { revokeKey } from "@/lib/access/api-keys";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

export const POST = withRoute({ permission: "keys:manage" }, async ({ principal, params, ip }) =>
  jsonResponse(await revokeKey(principal, uuidParam(params, "id"), ip)),
);
