import { getPool } from "@/lib/db";
import { invalidRequest } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestEvents, ingestScope } from "@/lib/ingestion/ingest-events";
import { eventsEnvelopeSchema } from "@/lib/schemas/event";

export const dynamic = "force-dynamic";

export const POST = withRoute({ permission: "usage:ingest" }, async ({ json, principal }) => {
  const envelope = eventsEnvelopeSchema.safeParse(await json());
  if (!envelope.success) throw invalidRequest('Send {"events": [...]} with 1 to 1000 events.', envelope.error.issues);
  const { status, body } = batchResponseBody(await ingestEvents(getPool(), envelope.data.events, ingestScope(principal)), "event");
  return jsonResponse(body, status);
});
