import { getPool } from "@/lib/db";
import { invalidRequest } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestScope } from "@/lib/ingestion/ingest-events";
import { ingestOutcomes } from "@/lib/ingestion/ingest-outcomes";
import { outcomesEnvelopeSchema } from "@/lib/schemas/outcome";

export const dynamic = "force-dynamic";

export const POST = withRoute({ permission: "usage:ingest" }, async ({ json, principal }) => {
  const envelope = outcomesEnvelopeSchema.safeParse(await json());
  if (!envelope.success) throw invalidRequest('Send {"outcomes": [...]} with 1 to 1000 outcomes.', envelope.error.issues);
  const { status, body } = batchResponseBody(await ingestOutcomes(getPool(), envelope.data.outcomes, ingestScope(principal)), "outcome");
  return jsonResponse(body, status);
});
