import { previewAllocationRule } from "@/lib/chargeback/rules";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { previewAllocationRuleSchema } from "@/lib/schemas/chargeback";

export const dynamic = "force-dynamic";

/** A rule as it would be saved (+ month?, replace_id?): each team's total before and after; nothing is saved. */
export const POST = withRoute({ permission: "allocation:manage", maxBodyBytes: 65_536 }, async (route) => {
  const input = parseBody(previewAllocationRuleSchema, await route.json(), "The allocation rule is not valid.");
  return jsonResponse(await previewAllocationRule(route, input));
});
