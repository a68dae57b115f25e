import { invalidRequest } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestOutcomes } from "@/lib/ingestion/ingest-outcomes";
import { outcomesEnvelopeSchema } from "@/lib/schemas/outcome";

export const dynamic = "force-dynamic";

export const POST = withRoute({ permission: "usage:ingest" }, async (route) => {
  const envelope = outcomesEnvelopeSchema.safeParse(await route.json());
  if (!envelope.success) throw invalidRequest('Send {"outcomes": [...]} with 1 to 1000 outcomes.', envelope.error.issues);
  const { status, body } = batchResponseBody(await ingestOutcomes(route, { outcomes: envelope.data.outcomes }), "outcome");
  return jsonResponse(body, status);
});
