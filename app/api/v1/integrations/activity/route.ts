import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { listIngestActivity } from "@/lib/ingestion/ingest-receipts";

export const dynamic = "force-dynamic";

/**
 * {"sources": [{source, last_received_at, events_last_hour}, ...]} for the events API, OTLP and
 * LiteLLM, in that order: the Connect page's Arrivals panel. Installation-wide counts, so it
 * needs metrics:read (admins, and read keys not bound to a team).
 */
export const GET = withRoute({ permission: "metrics:read" }, async (route) =>
  jsonResponse({ sources: await listIngestActivity(route) }),
);
