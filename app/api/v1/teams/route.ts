import { READS, readRoute } from "@/lib/http/read-endpoints";
import { createTeam } from "@/lib/access/teams";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createTeamSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Team-scoped: admins and finance see every team, others only their own. */
export const GET = readRoute(READS.teams);

export const POST = withRoute({ permission: "teams:manage" }, async (route) => {
  const input = parseBody(createTeamSchema, await route.json(), "The team is not valid.");
  return jsonResponse(await createTeam(route, input), 201);
});
