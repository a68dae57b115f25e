import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "@/lib/http/read-body";
import { admitKey, bodySourceOf, headerOf, isKeyedPost, sendBody } from "@/lib/http/node-receiver";
import { JSON_HEADERS, toErrorReply } from "@/lib/http/with-route";
import { ingestOtlpTraces } from "@/lib/ingestion/ingest-otlp";
import {
  decodeOtlpBody,
  isProtobufType,
  OTLP_MAX_BODY_BYTES,
  OTLP_PROTOBUF_TYPE,
  otlpEncodingOf,
  otlpProtobufError,
  otlpSuccessProtobuf,
} from "@/lib/ingestion/otlp-http";

/**
 * POST /api/v1/otlp/v1/traces with an API key, answered by the custom server (scripts/start.ts)
 * as the events receiver is (lib/ingestion/events-receiver.ts): Next's request pipeline cost
 * more CPU per export than decoding and storing it. Same steps, order and answers as the route
 * (app/api/v1/otlp/v1/traces/route.ts, which serves session-cookie callers): the key, then
 * permission and rate limit, then the encoding, the capped body and the spans; every answer in
 * the request's encoding (otlp-http.ts).
 */
export const OTLP_TRACES_PATH = "/api/v1/otlp/v1/traces";

export function isKeyedOtlpPost(request: IncomingMessage): boolean {
  return isKeyedPost(request, OTLP_TRACES_PATH);
}

export async function serveOtlp(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const contentType = headerOf(request, "content-type");
  let status: number;
  let headers: Record<string, string> = {};
  let body: Buffer;
  try {
    const principal = await admitKey(request, "usage:ingest");
    const encoding = otlpEncodingOf(contentType);
    const bytes = await readBody(bodySourceOf(request), { maxBytes: OTLP_MAX_BODY_BYTES });
    const result = await ingestOtlpTraces({ principal }, { body: decodeOtlpBody(bytes, encoding) });
    status = 200;
    if (encoding === "json") {
      body = Buffer.from(JSON.stringify(result));
      headers = { ...JSON_HEADERS };
    } else {
      body = otlpSuccessProtobuf(result);
      headers = { "content-type": OTLP_PROTOBUF_TYPE, "cache-control": "no-store" };
    }
  } catch (error) {
    const reply = toErrorReply(error, headerOf(request, "x-request-id"));
    status = reply.status;
    if (isProtobufType(contentType)) {
      const message = (reply.body as { error?: { message?: string } }).error?.message ?? "";
      body = otlpProtobufError(reply.status, message);
      headers = { ...reply.headers, "content-type": OTLP_PROTOBUF_TYPE, "cache-control": "no-store" };
    } else {
      body = Buffer.from(JSON.stringify(reply.body));
      headers = { ...JSON_HEADERS, ...reply.headers };
    }
  }
  sendBody(request, response, status, headers, body);
}
