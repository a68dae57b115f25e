import { removeMember } from "@/lib/access/teams";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

export const DELETE = withRoute({ permission: "teams:manage" }, async ({ principal, params, ip }) =>
  jsonResponse(await removeMember(principal, uuidParam(params, "id"), uuidParam(params, "userId"), ip)),
);
