import { READS, readRoute } from "@/lib/http/read-endpoints";
import { createBurstRequest } from "@/lib/quotas/bursts";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createBurstSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Newest first, team-scoped, `?status=&team=` filters; pending requests carry `team_usage`. */
export const GET = readRoute(READS.burstRequests);

/** A team lead for a team they lead, or a platform admin: 201 with the pending request. */
export const POST = withRoute({ permission: "quota:request" }, async (route) => {
  const input = parseBody(createBurstSchema, await route.json(), "The burst request is not valid.");
  return jsonResponse(await createBurstRequest(route, input), 201);
});
