import { getTraceDetail } from "@/lib/analytics/trace-detail";
import { ApiError } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { traceIdSchema } from "@/lib/schemas/outcome-cost";

export const dynamic = "force-dynamic";

/** One trace's calls (time order) and outcomes; 404 when nothing of it is in the caller's team scope. */
export const GET = withRoute({ permission: "spend:read" }, async (route) => {
  const traceId = traceIdSchema.safeParse(route.params.traceId);
  const detail = traceId.success ? await getTraceDetail(route, { traceId: traceId.data }) : null;
  if (!detail) throw new ApiError("not_found", "No such trace.");
  return jsonResponse(detail);
});
