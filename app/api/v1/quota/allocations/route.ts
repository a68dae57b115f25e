import { READS, readRoute } from "@/lib/http/read-endpoints";
import { setAllocation } from "@/lib/quotas/allocations";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createAllocationSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Team-scoped: admins and finance see every team's allocations, others their teams'. `?team=` narrows. */
export const GET = readRoute(READS.allocations);

/** Platform admins: creates (201) or replaces (200) the baseline for (team, model). */
export const POST = withRoute({ permission: "quota:allocate" }, async (route) => {
  const input = parseBody(createAllocationSchema, await route.json(), "The allocation is not valid.");
  const { allocation, created } = await setAllocation(route, input);
  return jsonResponse(allocation, created ? 201 : 200);
});
