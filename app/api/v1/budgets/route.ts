import { createBudget, listBudgets } from "@/lib/budgets/budgets";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createBudgetSchema } from "@/lib/schemas/budget";

export const dynamic = "force-dynamic";

/** Team-scoped: finance and admins see every budget, others those of their teams. Archived budgets are hidden. */
export const GET = withRoute({ permission: "budgets:read" }, async ({ principal }) =>
  jsonResponse({ budgets: await listBudgets(principal) }),
);

/** Finance, admins and admin keys (contract: "scope admin, or a finance session"). */
export const POST = withRoute({ permission: "budgets:write" }, async ({ json, principal, ip }) => {
  const input = parseBody(createBudgetSchema, await json(), "The budget is not valid.");
  return jsonResponse(await createBudget(principal, input, { ip }), 201);
});
