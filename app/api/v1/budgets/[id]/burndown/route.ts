import { budgetBurndown } from "@/lib/budgets/budgets";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** The current month day by day: cumulative actual vs budget vs forecast band. Team-scoped like GET /budgets/{id}. */
export const GET = withRoute({ permission: "budgets:read" }, async ({ principal, params }) =>
  jsonResponse(await budgetBurndown(principal, uuidParam(params, "id"))),
);
