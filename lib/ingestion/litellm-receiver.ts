import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "@/lib/http/errors";
import { readBody, type BodySource } from "@/lib/http/read-body";
import { admitKey, bodySourceOf, headerOf, isKeyedPost, sendBody } from "@/lib/http/node-receiver";
import { JSON_HEADERS, toErrorReply, type Reply } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestLitellmPayloads } from "@/lib/ingestion/ingest-litellm";
import { createPayloadScanner, LitellmBodyError, type ScannedBody } from "@/lib/ingestion/litellm-body";
import type { Ctx } from "@/lib/context";

/**
 * POST /api/v1/integrations/litellm: LiteLLM's generic_api logging callback (contract).
 *
 * The work is the same whoever serves it: the route (app/api/v1/integrations/litellm/route.ts,
 * for session-cookie callers) and the custom server, which answers keyed requests itself
 * (scripts/start.ts) because a LiteLLM batch is up to 50 MB of mostly chat transcript: Next's
 * request pipeline costs ~35 ms of CPU for a 20 MB body, more than scanning it (~20 ms), and
 * capped the receiver at ~1,500 events/s (docs/BENCHMARKS.md). Same steps, order and errors as
 * every route: the key, then permission and rate limit, then the body.
 */
export const LITELLM_PATH = "/api/v1/integrations/litellm";

/** LiteLLM drops a batch it cannot deliver, so a large batch is never refused for its size below this. */
export const LITELLM_MAX_BODY_BYTES = 50_000_000;

const NDJSON_TYPES = new Set(["application/x-ndjson", "application/jsonl", "application/ndjson"]);

/** Scans the body as it arrives (messages, response and model_parameters dropped) and stores the payloads. */
export async function receiveLitellm(ctx: Ctx, input: { source: BodySource; contentType: string | null }): Promise<Reply> {
  const { source, contentType } = input;
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const scanner = createPayloadScanner({ ndjson: NDJSON_TYPES.has(type) });
  let scanned: ScannedBody;
  try {
    await readBody(source, { maxBytes: LITELLM_MAX_BODY_BYTES, onChunk: (chunk) => scanner.write(chunk) });
    scanned = scanner.end();
  } catch (error) {
    if (!(error instanceof LitellmBodyError)) throw error;
    throw new ApiError("invalid_request", `The body is not a LiteLLM logging batch: ${error.message}.`, {
      details: [{ path: error.line === undefined ? "" : `line ${error.line}`, message: error.message }],
    });
  }
  const result = await ingestLitellmPayloads(ctx, { body: scanned });
  const { status, body } = batchResponseBody(result, "payload");
  return { status, headers: {}, body };
}

/** Whether the custom server answers this request itself: a POST to the receiver with an Authorization header. */
export function isKeyedLitellmPost(request: IncomingMessage): boolean {
  return isKeyedPost(request, LITELLM_PATH);
}

export async function serveLitellm(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    const principal = await admitKey(request, "usage:ingest");
    reply = await receiveLitellm({ principal }, { source: bodySourceOf(request), contentType: headerOf(request, "content-type") });
  } catch (error) {
    reply = toErrorReply(error, headerOf(request, "x-request-id"));
  }
  sendBody(request, response, reply.status, { ...JSON_HEADERS, ...reply.headers }, JSON.stringify(reply.body));
}
