import { deleteAllocationRule, getAllocationRuleOrThrow, updateAllocationRule } from "@/lib/chargeback/rules";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateAllocationRuleSchema } from "@/lib/schemas/chargeback";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "allocation:manage" }, async (route) =>
  jsonResponse(await getAllocationRuleOrThrow(route, { id: uuidParam(route.params, "id") })),
);

/** Any of {name, match, method, targets, effective_from}; the merged rule is checked as a whole. */
export const PATCH = withRoute({ permission: "allocation:manage", maxBodyBytes: 65_536 }, async (route) => {
  const id = uuidParam(route.params, "id");
  const changes = parseBody(updateAllocationRuleSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await updateAllocationRule(route, { id, changes }));
});

/** 200 with the deleted rule; closed months keep the rules they were closed with. */
export const DELETE = withRoute({ permission: "allocation:manage" }, async (route) =>
  jsonResponse(await deleteAllocationRule(route, { id: uuidParam(route.params, "id") })),
);
