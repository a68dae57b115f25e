import { parseBody } from "@/lib/http/parse";
import { READS, readRoute } from "@/lib/http/read-endpoints";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { markDeferrable } from "@/lib/savings/savings";
import { deferrableSchema } from "@/lib/schemas/savings";

export const dynamic = "force-dynamic";

/** {"features": [{id, team, feature, created_at}]} in the caller's teams. */
export const GET = readRoute(READS.deferrableFeatures);

/** {team, feature} → 201: that feature's calls could wait for the batch tier (admin, finance, or a lead of the team). */
export const POST = withRoute({ permission: "savings:defer", maxBodyBytes: 16_384 }, async (route) => {
  const input = parseBody(deferrableSchema, await route.json(), "The feature is not valid.");
  return jsonResponse(await markDeferrable(route, input), 201);
});
