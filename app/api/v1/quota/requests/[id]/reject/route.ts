import { decideBurstRequest } from "@/lib/quotas/bursts";
import { DECISION_MAX_BODY_BYTES, optionalJsonBody } from "@/lib/quotas/http";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { decisionCommentSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Platform admins only (others 403): {comment?}; 409 when no longer pending. */
export const POST = withRoute({ permission: "quota:decide", maxBodyBytes: DECISION_MAX_BODY_BYTES }, async (route) => {
  const id = uuidParam(route.params, "id");
  const input = parseBody(decisionCommentSchema, await optionalJsonBody(route.request), "The rejection is not valid.");
  return jsonResponse(await decideBurstRequest(route, { id, action: { kind: "reject", comment: input.comment } }));
});
