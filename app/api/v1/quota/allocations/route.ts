import { listAllocations, setAllocation } from "@/lib/quotas/allocations";
import { parseBody, parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { allocationsQuerySchema, createAllocationSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/** Team-scoped: admins and finance see every team's allocations, others their teams'. `?team=` narrows. */
export const GET = withRoute({ permission: "quota:read" }, async ({ request, principal }) => {
  const query = parseQuery(allocationsQuerySchema, request);
  return jsonResponse({ allocations: await listAllocations(principal, query) });
});

/** Platform admins: creates (201) or replaces (200) the baseline for (team, model). */
export const POST = withRoute({ permission: "quota:allocate" }, async ({ json, principal, ip }) => {
  const input = parseBody(createAllocationSchema, await json(), "The allocation is not valid.");
  const { allocation, created } = await setAllocation(principal, input, { ip });
  return jsonResponse(allocation, created ? 201 : 200);
});
