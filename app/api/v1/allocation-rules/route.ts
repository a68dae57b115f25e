import { createAllocationRule } from "@/lib/chargeback/rules";
import { parseBody } from "@/lib/http/parse";
import { READS, readRoute } from "@/lib/http/read-endpoints";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createAllocationRuleSchema } from "@/lib/schemas/chargeback";

export const dynamic = "force-dynamic";

/** {"rules": [...]} in the order they claim spend. */
export const GET = readRoute(READS.allocationRules);

/** {name, match, method, targets?, effective_from}: 201 with the rule. */
export const POST = withRoute({ permission: "allocation:manage", maxBodyBytes: 65_536 }, async (route) => {
  const input = parseBody(createAllocationRuleSchema, await route.json(), "The allocation rule is not valid.");
  return jsonResponse(await createAllocationRule(route, input), 201);
});
