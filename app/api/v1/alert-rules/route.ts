import { READS, readRoute } from "@/lib/http/read-endpoints";
import { createRule } from "@/lib/alerts/rule-store";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createRuleSchema } from "@/lib/schemas/alerts";

export const dynamic = "force-dynamic";

/** {"rules": [rule, ...]}; the default rules are created on first use. */
export const GET = readRoute(READS.alertRules);

/** {type, name?, enabled?, params?, scope? | budget_id? (budget types), channel_ids?}: 201 and the rule. */
export const POST = withRoute({ permission: "alerts:manage" }, async (route) => {
  const input = parseBody(createRuleSchema, await route.json(), "The rule is not valid.");
  return jsonResponse(await createRule(route, input), 201);
});
