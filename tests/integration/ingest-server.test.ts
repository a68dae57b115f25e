import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as eventsRoute } from "@/app/api/v1/events/route";
import { POST as otlpRoute } from "@/app/api/v1/otlp/v1/traces/route";
import { prisma } from "@/lib/db";
import { isKeyedEventsPost, serveEvents } from "@/lib/ingestion/events-receiver";
import { isKeyedOtlpPost, serveOtlp } from "@/lib/ingestion/otlp-receiver";
import { encodeTraceRequest } from "@/lib/ingestion/otlp-protobuf";
import { apiRequest, createTestKey } from "../factories/api-keys";

/**
 * The custom server's fast paths for usage events and OTLP traces (lib/ingestion/events-receiver.ts,
 * otlp-receiver.ts), served by a real node:http server wired as scripts/start.ts wires them:
 * keyed POSTs are answered by the receivers, everything else reaches the fallback (Next in
 * production, a 299 marker here). Each answer is compared with the route handler's for the same
 * request (different ids, so neither is a duplicate of the other).
 */

const FALLBACK_STATUS = 299;
let server: http.Server;
let baseUrl: string;
let ingestKey: string;
let readKey: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (isKeyedEventsPost(request)) return void serveEvents(request, response);
    if (isKeyedOtlpPost(request)) return void serveOtlp(request, response);
    request.resume();
    response.writeHead(FALLBACK_STATUS, { "content-type": "text/plain" }).end("fallback");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ingestKey = await createTestKey(["ingest"]);
  readKey = await createTestKey(["read"]);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

type Case = { key?: string; headers?: Record<string, string>; body: (tag: string) => string | Buffer };
type Route = (request: Request) => Promise<Response>;

async function viaServer(path: string, c: Case, tag: string) {
  const headers: Record<string, string> = { "content-type": "application/json", ...c.headers };
  if (c.key) headers.authorization = `Bearer ${c.key}`;
  const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers, body: c.body(tag) as BodyInit });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

async function viaRoute(route: Route, path: string, c: Case, tag: string) {
  const response = await route(apiRequest(path, { key: c.key, rawBody: c.body(tag), headers: { "content-type": "application/json", ...c.headers } }));
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

function event(tag: string, overrides: Record<string, unknown> = {}) {
  return {
    id: `fast-${tag}-${randomUUID()}`,
    timestamp: "2026-11-20T10:00:00Z",
    provider: "openai",
    model: "gpt-4o-mini",
    usage: { input_tokens: 100, output_tokens: 20 },
    tags: { team: "search", channel: "chat" },
    ...overrides,
  };
}

/** JSON answers without the ids that differ by construction. */
function comparable(body: Buffer) {
  const json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  const errors = (json.errors as { id?: string }[] | undefined)?.map(({ id: _id, ...rest }) => rest);
  return { ...json, ...(errors ? { errors } : {}) };
}

const EVENT_CASES: [string, Case][] = [
  ["a stored batch", { key: "ingest", body: (t) => JSON.stringify({ events: [event(t), event(t)] }) }],
  ["a gzip batch", { key: "ingest", headers: { "content-encoding": "gzip" }, body: (t) => gzipSync(JSON.stringify({ events: [event(t)] })) }],
  ["a partly invalid batch", { key: "ingest", body: (t) => JSON.stringify({ events: [event(t), event(t, { model: "", attempt: 0, tags: { team: 5 } })] }) }],
  ["an envelope without events", { key: "ingest", body: () => JSON.stringify({ events: [] }) }],
  ["not JSON", { key: "ingest", body: () => '{"events": [' }],
  ["an unknown encoding", { key: "ingest", headers: { "content-encoding": "br" }, body: (t) => JSON.stringify({ events: [event(t)] }) }],
  ["a key without ingest", { key: "read", body: (t) => JSON.stringify({ events: [event(t)] }) }],
  ["an unknown key", { key: "br_notARealKey", body: (t) => JSON.stringify({ events: [event(t)] }) }],
];

describe("the events fast path answers exactly as the route", () => {
  it.each(EVENT_CASES)("%s", async (_name, c) => {
    const key = c.key === "ingest" ? ingestKey : c.key === "read" ? readKey : c.key;
    const fast = await viaServer("/api/v1/events", { ...c, key }, "fast"); // tags of one length: error offsets match
    const route = await viaRoute(eventsRoute, "/api/v1/events", { ...c, key }, "next");
    expect(fast.status).toBe(route.status);
    expect(comparable(fast.body)).toEqual(comparable(route.body));
    expect(fast.headers.get("x-content-type-options")).toBe("nosniff");
    expect(fast.headers.get("retry-after")).toBe(route.headers.get("retry-after"));
  });

  it("stores what it accepts, once", async () => {
    const e = event("stored", { tags: { team: "search", feature: "answers" } });
    const body = JSON.stringify({ events: [e] });
    const first = await viaServer("/api/v1/events", { key: ingestKey, body: () => body }, "stored");
    expect(comparable(first.body)).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    const again = await viaServer("/api/v1/events", { key: ingestKey, body: () => body }, "stored");
    expect(comparable(again.body)).toMatchObject({ accepted: 0, duplicates: 1, rejected: 0 });
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: e.id } });
    expect([row.team, row.feature, row.inputTokens, row.outputTokens, row.extraTags]).toEqual(["search", "answers", 100, 20, null]);
  });

  it("leaves cookie callers and other paths to Next", async () => {
    const cookie = await fetch(`${baseUrl}/api/v1/events`, { method: "POST", body: "{}" });
    expect(cookie.status).toBe(FALLBACK_STATUS);
    const other = await fetch(`${baseUrl}/api/v1/events/x`, { method: "POST", headers: { authorization: `Bearer ${ingestKey}` }, body: "{}" });
    expect(other.status).toBe(FALLBACK_STATUS);
    const get = await fetch(`${baseUrl}/api/v1/events`, { headers: { authorization: `Bearer ${ingestKey}` } });
    expect(get.status).toBe(FALLBACK_STATUS);
  });
});

const fixture = JSON.parse(readFileSync("tests/fixtures/otlp/genai-semconv.json", "utf8")) as { request: unknown };

/** The fixture's export with fresh trace ids, so each request stores new spans. */
function otlpExport(tag: string): unknown {
  const text = JSON.stringify(fixture.request);
  const fresh = randomUUID().replaceAll("-", "");
  return JSON.parse(text.replace(/"traceId":"[0-9a-fA-F]{32}"/g, () => `"traceId":"${fresh}"`).replaceAll("__tag__", tag));
}

const PROTOBUF = { "content-type": "application/x-protobuf" };
const OTLP_CASES: [string, Case][] = [
  ["an OTLP/JSON export", { key: "ingest", body: (t) => JSON.stringify(otlpExport(t)) }],
  ["a protobuf export, gzip", { key: "ingest", headers: { ...PROTOBUF, "content-encoding": "gzip" }, body: (t) => gzipSync(encodeTraceRequest(otlpExport(t))) }],
  ["protobuf that is not an export", { key: "ingest", headers: PROTOBUF, body: () => Buffer.from([0x0a, 0xff, 0xff, 0xff]) }],
  ["JSON that is not an export", { key: "ingest", body: () => '{"resourceSpans": 5}' }],
  ["an unsupported media type", { key: "ingest", headers: { "content-type": "text/plain" }, body: () => "spans" }],
  ["a protobuf request with a key without ingest", { key: "read", headers: PROTOBUF, body: (t) => Buffer.from(encodeTraceRequest(otlpExport(t))) }],
  ["a JSON request with an unknown key", { key: "br_notARealKey", body: (t) => JSON.stringify(otlpExport(t)) }],
];

describe("the OTLP fast path answers exactly as the route", () => {
  it.each(OTLP_CASES)("%s", async (_name, c) => {
    const key = c.key === "ingest" ? ingestKey : c.key === "read" ? readKey : c.key;
    const fast = await viaServer("/api/v1/otlp/v1/traces", { ...c, key }, "fast");
    const route = await viaRoute(otlpRoute, "/api/v1/otlp/v1/traces", { ...c, key }, "next");
    expect(fast.status).toBe(route.status);
    expect(fast.headers.get("content-type")).toBe(route.headers.get("content-type"));
    expect(fast.headers.get("www-authenticate")).toBe(route.headers.get("www-authenticate"));
    if ((fast.headers.get("content-type") ?? "").includes("json")) expect(comparable(fast.body)).toEqual(comparable(route.body));
    else expect(fast.body.equals(route.body)).toBe(true); // protobuf: byte for byte
  });
});
