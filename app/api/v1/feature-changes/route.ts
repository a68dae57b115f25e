import { parseBody } from "@/lib/http/parse";
import { READS, readRoute } from "@/lib/http/read-endpoints";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { markFeatureChange } from "@/lib/savings/feature-changes";
import { featureChangeSchema } from "@/lib/schemas/savings";

export const dynamic = "force-dynamic";

/** ?team: the team's marked changes with cost per request and per successful outcome before and after. */
export const GET = readRoute(READS.featureChanges);

/** {team, feature, at, description} → 201 (finance, admins, the team's leads). */
export const POST = withRoute({ permission: "savings:defer", maxBodyBytes: 16_384 }, async (route) => {
  const input = parseBody(featureChangeSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await markFeatureChange(route, input), 201);
});
