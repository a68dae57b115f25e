import { parseBody } from "@/lib/http/parse";
import { READS, readRoute } from "@/lib/http/read-endpoints";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createSubstitute } from "@/lib/savings/savings";
import { createSubstituteSchema } from "@/lib/schemas/savings";

export const dynamic = "force-dynamic";

/** {"substitutes": [{id, from, to, note, created_at}]} */
export const GET = readRoute(READS.savingsSubstitutes);

/** {from: {provider, model}, to: {provider, model}, note?} (admin) → 201; the same pair again: 409. */
export const POST = withRoute({ permission: "savings:manage", maxBodyBytes: 16_384 }, async (route) => {
  const input = parseBody(createSubstituteSchema, await route.json(), "The substitute is not valid.");
  return jsonResponse(await createSubstitute(route, input), 201);
});
