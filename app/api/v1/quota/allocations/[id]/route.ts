import { deleteAllocation, getAllocationOrThrow, updateAllocation } from "@/lib/quotas/allocations";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateAllocationSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Another team's allocation answers 404 to those who may not see it. */
export const GET = withRoute({ permission: "quota:read" }, async (route) =>
  jsonResponse(await getAllocationOrThrow(route, { id: uuidParam(route.params, "id") })),
);

/** {amount?, unit?, model?, requests_per_minute?, tokens_per_minute?}; null clears a per-minute limit. */
export const PATCH = withRoute({ permission: "quota:allocate" }, async (route) => {
  const id = uuidParam(route.params, "id");
  const changes = parseBody(updateAllocationSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await updateAllocation(route, { id, changes }));
});

/** Removes the allocation: 200 {id, deleted: true}. */
export const DELETE = withRoute({ permission: "quota:allocate" }, async (route) =>
  jsonResponse(await deleteAllocation(route, { id: uuidParam(route.params, "id") })),
);
