import { getTeamOrThrow, renameTeam } from "@/lib/access/teams";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateTeamSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Another team's id answers 404 for those who may not see it. */
export const GET = withRoute({ permission: "teams:read" }, async (route) =>
  jsonResponse(await getTeamOrThrow(route, { id: uuidParam(route.params, "id") })),
);

export const PATCH = withRoute({ permission: "teams:manage" }, async (route) => {
  const id = uuidParam(route.params, "id");
  const input = parseBody(updateTeamSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await renameTeam(route, { id, name: input.name }));
});
