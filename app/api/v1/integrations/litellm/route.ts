import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { requestBodySource } from "@/lib/http/read-body";
import { LITELLM_MAX_BODY_BYTES, receiveLitellm } from "@/lib/ingestion/litellm-receiver";

export const dynamic = "force-dynamic";

/**
 * LiteLLM's generic_api logging callback: a JSON array, NDJSON, or one StandardLoggingPayload
 * (contract). Keyed requests are answered by the custom server before they reach Next
 * (lib/ingestion/litellm-receiver.ts); this route serves the rest, with the same work.
 */
export const POST = withRoute({ permission: "usage:ingest", maxBodyBytes: LITELLM_MAX_BODY_BYTES }, async (route) => {
  const { request } = route;
  const reply = await receiveLitellm(route, { source: requestBodySource(request), contentType: request.headers.get("content-type") });
  return jsonResponse(reply.body, reply.status, reply.headers);
});
