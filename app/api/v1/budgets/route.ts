import { READS, readRoute } from "@/lib/http/read-endpoints";
import { createBudget } from "@/lib/budgets/budgets";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createBudgetSchema } from "@/lib/schemas/budget";

export const dynamic = "force-dynamic";

/** Team-scoped: finance and admins see every budget, others those of their teams. Archived budgets are hidden. */
export const GET = readRoute(READS.budgets);

/** Finance, admins and admin keys (contract: "scope admin, or a finance session"). */
export const POST = withRoute({ permission: "budgets:write" }, async (route) => {
  const input = parseBody(createBudgetSchema, await route.json(), "The budget is not valid.");
  return jsonResponse(await createBudget(route, input), 201);
});
