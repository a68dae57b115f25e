import { invalidRequest } from "@/lib/http/errors";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestEvents } from "@/lib/ingestion/ingest-events";
import { eventsEnvelopeSchema } from "@/lib/schemas/event";

export const dynamic = "force-dynamic";

export const POST = withRoute({ permission: "usage:ingest" }, async (route) => {
  const envelope = eventsEnvelopeSchema.safeParse(await route.json());
  if (!envelope.success) throw invalidRequest('Send {"events": [...]} with 1 to 1000 events.', envelope.error.issues);
  const { status, body } = batchResponseBody(await ingestEvents(route, { events: envelope.data.events }), "event");
  return jsonResponse(body, status);
});
