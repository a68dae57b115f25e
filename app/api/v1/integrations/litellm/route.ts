import { getPool } from "@/lib/db";
import { ApiError } from "@/lib/http/errors";
import { boundTeamOf, jsonResponse, withRoute } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestLitellmPayloads } from "@/lib/ingestion/ingest-litellm";
import { createPayloadScanner, LitellmBodyError, type ScannedBody } from "@/lib/ingestion/litellm-body";

export const dynamic = "force-dynamic";

/** LiteLLM drops a batch it cannot deliver, so a large batch is never refused for its size below this. */
const LITELLM_MAX_BODY_BYTES = 50_000_000;

/** LiteLLM's generic_api logging callback: a JSON array, NDJSON, or one StandardLoggingPayload (contract). */
export const POST = withRoute({ permission: "usage:ingest", maxBodyBytes: LITELLM_MAX_BODY_BYTES }, async ({ request, bytes, principal }) => {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  const scanner = createPayloadScanner({ ndjson: type === "application/x-ndjson" || type === "application/jsonl" });
  let scanned: ScannedBody;
  try {
    // Chunk by chunk: messages, response and model_parameters are dropped before they are ever held.
    await bytes({ onChunk: (chunk) => scanner.write(chunk) });
    scanned = scanner.end();
  } catch (error) {
    if (!(error instanceof LitellmBodyError)) throw error;
    throw new ApiError("invalid_request", `The body is not a LiteLLM logging batch: ${error.message}.`, {
      details: [{ path: error.line === undefined ? "" : `line ${error.line}`, message: error.message }],
    });
  }
  const result = await ingestLitellmPayloads(getPool(), scanned, { boundTeam: boundTeamOf(principal) });
  const { status, body } = batchResponseBody(result, "payload");
  return jsonResponse(body, status);
});
