import { decideBurstRequest } from "@/lib/quotas/bursts";
import { DECISION_MAX_BODY_BYTES, optionalJsonBody } from "@/lib/quotas/http";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { approveBurstSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Platform admins only (others 403): {comment?, amount? ≤ requested}; 409 when no longer pending. */
export const POST = withRoute({ permission: "quota:decide", maxBodyBytes: DECISION_MAX_BODY_BYTES }, async (route) => {
  const id = uuidParam(route.params, "id");
  const input = parseBody(approveBurstSchema, await optionalJsonBody(route.request), "The approval is not valid.");
  return jsonResponse(await decideBurstRequest(route, { id, action: { kind: "approve", amount: input.amount, comment: input.comment } }));
});
