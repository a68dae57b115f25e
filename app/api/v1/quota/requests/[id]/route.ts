import { getBurstRequestOrThrow } from "@/lib/quotas/bursts";
import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** One request (team_usage while pending); another team's answers 404. */
export const GET = withRoute({ permission: "quota:read" }, async (route) =>
  jsonResponse(await getBurstRequestOrThrow(route, { id: uuidParam(route.params, "id") })),
);
