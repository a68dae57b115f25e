import { archiveBudget, getBudgetOrThrow, updateBudget } from "@/lib/budgets/budgets";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateBudgetSchema } from "@/lib/schemas/budget";

export const dynamic = "force-dynamic";

/** Another team's budget answers 404 for those who may not see it (archived budgets are still readable). */
export const GET = withRoute({ permission: "budgets:read" }, async (route) =>
  jsonResponse(await getBudgetOrThrow(route, { id: uuidParam(route.params, "id") })),
);

/** Only {name?, amount_usd?, thresholds?, scope?}; a scope replaces the whole scope. */
export const PATCH = withRoute({ permission: "budgets:write" }, async (route) => {
  const id = uuidParam(route.params, "id");
  const changes = parseBody(updateBudgetSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await updateBudget(route, { id, changes }));
});

/** Archives the budget (200 with it, `archived: true`); it disappears from the list. */
export const DELETE = withRoute({ permission: "budgets:write" }, async (route) =>
  jsonResponse(await archiveBudget(route, { id: uuidParam(route.params, "id") })),
);
