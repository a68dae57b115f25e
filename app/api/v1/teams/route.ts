import { createTeam, listTeams } from "@/lib/access/teams";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createTeamSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Team-scoped: admins and finance see every team, others only their own. */
export const GET = withRoute({ permission: "teams:read" }, async ({ principal }) =>
  jsonResponse({ teams: await listTeams(principal) }),
);

export const POST = withRoute({ permission: "teams:manage" }, async ({ json, principal, ip }) => {
  const input = parseBody(createTeamSchema, await json(), "The team is not valid.");
  return jsonResponse(await createTeam(principal, input, ip), 201);
});
