import { decideBurstRequest } from "@/lib/quotas/bursts";
import { DECISION_MAX_BODY_BYTES, optionalJsonBody } from "@/lib/quotas/http";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { approveBurstSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Platform admins only (others 403): {comment?, amount? ≤ requested}; 409 when no longer pending. */
export const POST = withRoute({ permission: "quota:decide", maxBodyBytes: DECISION_MAX_BODY_BYTES }, async ({ request, principal, params, ip }) => {
  const id = uuidParam(params, "id");
  const input = parseBody(approveBurstSchema, await optionalJsonBody(request), "The approval is not valid.");
  return jsonResponse(await decideBurstRequest(principal, id, { kind: "approve", amount: input.amount, comment: input.comment }, { ip }));
});
