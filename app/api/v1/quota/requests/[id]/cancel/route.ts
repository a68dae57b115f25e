import { decideBurstRequest } from "@/lib/quotas/bursts";
import { DECISION_MAX_BODY_BYTES, optionalJsonBody } from "@/lib/quotas/http";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { decisionCommentSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** The requester while pending, or a platform admin (others 403): {comment?}; 409 when no longer pending. */
export const POST = withRoute({ permission: "quota:request", maxBodyBytes: DECISION_MAX_BODY_BYTES }, async (route) => {
  const id = uuidParam(route.params, "id");
  const input = parseBody(decisionCommentSchema, await optionalJsonBody(route.request), "The cancellation is not valid.");
  return jsonResponse(await decideBurstRequest(route, { id, action: { kind: "cancel", comment: input.comment } }));
});
