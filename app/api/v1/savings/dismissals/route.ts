import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { dismissOpportunity } from "@/lib/savings/savings";
import { dismissalSchema } from "@/lib/schemas/savings";

export const dynamic = "force-dynamic";

/** {kind, team, feature, model?} → 201: that opportunity is not shown again (remembered). */
export const POST = withRoute({ permission: "savings:defer", maxBodyBytes: 16_384 }, async (route) => {
  const input = parseBody(dismissalSchema, await route.json(), "The dismissal is not valid.");
  return jsonResponse(await dismissOpportunity(route, input), 201);
});
