import { deleteRule, updateRule } from "@/lib/alerts/rule-store";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateRuleSchema } from "@/lib/schemas/alerts";

export const dynamic = "force-dynamic";

/** {name?, enabled?, params? (merged, validated per type), scope? (null = everything), channel_ids?}: the rule. */
export const PATCH = withRoute({ permission: "alerts:manage" }, async (route) => {
  const id = uuidParam(route.params, "id");
  const changes = parseBody(updateRuleSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await updateRule(route, { id, changes }));
});

/** A rule someone added: {id, deleted: true, resolved_alerts}; 409 for a built-in rule (disable it instead). */
export const DELETE = withRoute({ permission: "alerts:manage" }, async (route) =>
  jsonResponse(await deleteRule(route, { id: uuidParam(route.params, "id") })),
);
