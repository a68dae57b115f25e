import { getPool } from "@/lib/db";
import { traceDetail } from "@/lib/analytics/trace-detail";
import { teamScope } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { traceIdSchema } from "@/lib/schemas/outcome-cost";

export const dynamic = "force-dynamic";

/** One trace's calls (time order) and outcomes; 404 when nothing of it is in the caller's team scope. */
export const GET = withRoute({ permission: "spend:read" }, async ({ params, principal }) => {
  const traceId = traceIdSchema.safeParse(params.traceId);
  const detail = traceId.success ? await traceDetail(getPool(), traceId.data, teamScope(principal)) : null;
  if (!detail) throw new ApiError("not_found", "No such trace.");
  return jsonResponse(detail);
});
