import { createBurstRequest, listBurstRequests } from "@/lib/quotas/bursts";
import { parseBody, parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { burstsQuerySchema, createBurstSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Newest first, team-scoped, `?status=&team=` filters; pending requests carry `team_usage`. */
export const GET = withRoute({ permission: "quota:read" }, async ({ request, principal }) => {
  const query = parseQuery(burstsQuerySchema, request);
  return jsonResponse({ requests: await listBurstRequests(principal, query) });
});

/** A team lead for a team they lead, or a platform admin: 201 with the pending request. */
export const POST = withRoute({ permission: "quota:request" }, async ({ json, principal, ip }) => {
  const input = parseBody(createBurstSchema, await json(), "The burst request is not valid.");
  return jsonResponse(await createBurstRequest(principal, input, { ip }), 201);
});
