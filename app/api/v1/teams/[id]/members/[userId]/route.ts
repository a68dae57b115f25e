import { removeMember } from "@/lib/access/teams";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

export const DELETE = withRoute({ permission: "teams:manage" }, async (route) =>
  jsonResponse(await removeMember(route, { teamId: uuidParam(route.params, "id"), userId: uuidParam(route.params, "userId") })),
);
