import { quotaReview } from "@/lib/quotas/review";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { reviewQuerySchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Team-scoped; `?month=YYYY-MM`, default the last complete UTC month. */
export const GET = withRoute({ permission: "quota:read" }, async ({ request, principal }) => {
  const query = parseQuery(reviewQuerySchema, request);
  return jsonResponse(await quotaReview(principal, query.month));
});
