import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { invalidRequest } from "@/lib/http/errors";
import { readBody, type BodySource } from "@/lib/http/read-body";
import { SECURITY_HEADERS } from "@/lib/http/security-headers";
import {
  admit,
  authenticateAuthorization,
  authenticateAuthorizationFromCache,
  DEFAULT_MAX_BODY_BYTES,
  JSON_HEADERS,
  jsonFromBytes,
  toErrorReply,
  type Reply,
} from "@/lib/http/with-route";
import { batchResponseBody } from "@/lib/ingestion/batch-response";
import { ingestEvents } from "@/lib/ingestion/ingest-events";
import { eventsEnvelopeSchema } from "@/lib/schemas/event";
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
  const envelope = eventsEnvelopeSchema.safeParse(body);
  if (!envelope.success) throw invalidRequest('Send {"events": [...]} with 1 to 1000 events.', envelope.error.issues);
  const { status, body: answer } = batchResponseBody(await ingestEvents(ctx, { events: envelope.data.events }), "event");
  return { status, headers: {}, body: answer };
}

/** Whether the custom server answers this request itself: a POST to the events path with an Authorization header. */
export function isKeyedEventsPost(request: IncomingMessage): boolean {
  if (request.method !== "POST" || request.headers.authorization === undefined) return false;
  const url = request.url ?? "";
  const query = url.indexOf("?");
  return (query === -1 ? url : url.slice(0, query)) === EVENTS_PATH;
}

export async function serveEvents(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    const authorization = request.headers.authorization ?? "";
    const principal = authenticateAuthorizationFromCache(authorization) ?? (await authenticateAuthorization(authorization));
    admit(principal, "usage:ingest");
    const source: BodySource = {
      contentEncoding: header(request, "content-encoding"),
      contentLength: header(request, "content-length"),
      chunks: request,
      // Stop reading; the answer closes the connection (below) and the rest is discarded.
      cancel: () => {
        request.removeAllListeners("data");
        request.resume();
      },
    };
    const body = jsonFromBytes(await readBody(source, { maxBytes: DEFAULT_MAX_BODY_BYTES }));
    reply = await receiveEventBatch({ principal }, body);
  } catch (error) {
    reply = toErrorReply(error, header(request, "x-request-id"));
  }
  send(response, reply, !request.readableEnded);
}

function header(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === "string" ? value : null;
}

function send(response: ServerResponse, reply: Reply, unread: boolean): void {
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = { ...SECURITY_HEADERS, ...JSON_HEADERS, ...reply.headers, "content-length": Buffer.byteLength(body) };
  // A body refused before its end is not read on: close the connection once answered.
  if (unread) headers.connection = "close";
  response.writeHead(reply.status, headers);
  response.end(body);
}
