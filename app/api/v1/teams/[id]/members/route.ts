import { setMember } from "@/lib/access/teams";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { setMemberSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Adds a member or changes their role in the team: {email, role: "lead" | "member"}. */
export const PUT = withRoute({ permission: "teams:manage" }, async (route) => {
  const teamId = uuidParam(route.params, "id");
  const member = parseBody(setMemberSchema, await route.json(), "The membership is not valid.");
  return jsonResponse(await setMember(route, { teamId, member }));
});
