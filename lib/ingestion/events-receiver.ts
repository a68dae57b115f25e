import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidRequest } from "@/lib/http/errors";
import { readBody } from "@/lib/http/read-body";
import { admitKey, bodySourceOf, headerOf, isKeyedPost, sendBody } from "@/lib/http/node-receiver";
import { DEFAULT_MAX_BODY_BYTES, JSON_HEADERS, jsonFromBytes, toErrorReply, type Reply } from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestEvents } from "@/lib/ingestion/ingest-events";
import { parseEventsEnvelope } from "@/lib/schemas/event";
import type { Ctx } from "@/lib/context";

/**
 * POST /api/v1/events (contract). The work is the same whoever serves it: the route
 * (app/api/v1/events/route.ts, for session-cookie callers) and the custom server, which answers
 * keyed requests itself (scripts/start.ts) because Next's request pipeline turns a 400 KB batch
 * into a Web stream and back: it cost more CPU than validating, pricing and storing the batch
 * (bench:ingest-profile, docs/BENCHMARKS.md). Same steps, order and errors as every route: the
 * key, then permission and rate limit, then the body.
 */
export const EVENTS_PATH = "/api/v1/events";

/** The envelope checked whole, then the events stored: the answer of both servers. */
export async function receiveEventBatch(ctx: Ctx, body: unknown): Promise<Reply> {
  const envelope = parseEventsEnvelope(body);
  if (!envelope.success) throw invalidRequest('Send {"events": [...]} with 1 to 1000 events.', envelope.error.issues);
  const { status, body: answer } = batchResponseBody(await ingestEvents(ctx, { events: envelope.data.events }), "event");
  return { status, headers: {}, body: answer };
}

/** Whether the custom server answers this request itself: a POST to the events path with an Authorization header. */
export function isKeyedEventsPost(request: IncomingMessage): boolean {
  return isKeyedPost(request, EVENTS_PATH);
}

export async function serveEvents(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    const principal = await admitKey(request, "usage:ingest");
    const body = jsonFromBytes(await readBody(bodySourceOf(request), { maxBytes: DEFAULT_MAX_BODY_BYTES }));
    reply = await receiveEventBatch({ principal }, body);
  } catch (error) {
    reply = toErrorReply(error, headerOf(request, "x-request-id"));
  }
  sendBody(request, response, reply.status, { ...JSON_HEADERS, ...reply.headers }, JSON.stringify(reply.body));
}

