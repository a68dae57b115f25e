import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as litellmRoute } from "@/app/api/v1/integrations/litellm/route";
import { prisma } from "@/lib/db";
import { isKeyedLitellmPost, serveLitellm } from "@/lib/ingestion/litellm-receiver";
import { apiRequest, createTestKey } from "../factories/api-keys";

/**
 * The custom server's fast path for LiteLLM batches (lib/ingestion/litellm-receiver.ts), served
 * by a real node:http server wired as scripts/start.ts wires it: keyed POSTs are answered by
 * serveLitellm, everything else reaches the fallback (Next in production, a 299 marker here).
 * Each answer is compared with the route handler's for the same request (different ids, so
 * neither is a duplicate of the other).
 */

const FALLBACK_STATUS = 299;
let server: http.Server;
let baseUrl: string;
let ingestKey: string;
let readKey: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (isKeyedLitellmPost(request)) return void serveLitellm(request, response);
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

async function viaServer(c: Case, tag: string) {
  const headers: Record<string, string> = { "content-type": "application/json", ...c.headers };
  if (c.key) headers.authorization = `Bearer ${c.key}`;
  const response = await fetch(`${baseUrl}/api/v1/integrations/litellm`, { method: "POST", headers, body: c.body(tag) as BodyInit });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function viaRoute(c: Case, tag: string) {
  const response = await litellmRoute(apiRequest("/api/v1/integrations/litellm", { key: c.key, rawBody: c.body(tag), headers: c.headers }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function payload(tag: string, overrides: Record<string, unknown> = {}) {
  return {
    id: `fast-${tag}-${randomUUID()}`,
    startTime: 1795168800.25,
    endTime: 1795168801.5,
    custom_llm_provider: "openai",
    model: "openai/gpt-4o-mini",
    prompt_tokens: 100,
    completion_tokens: 20,
    messages: [{ role: "user", content: "x".repeat(1000) }],
    ...overrides,
  };
}

/** Error bodies and counts, without ids that differ by construction. */
function comparable(body: Record<string, unknown>) {
  const errors = (body.errors as { id?: string }[] | undefined)?.map(({ id: _id, ...rest }) => rest);
  return { ...body, ...(errors ? { errors } : {}) };
}

const CASES: [string, Case][] = [
  ["a stored batch", { key: "ingest", body: (t) => JSON.stringify([payload(t), payload(t)]) }],
  ["a gzip batch", { key: "ingest", headers: { "content-encoding": "gzip" }, body: (t) => gzipSync(JSON.stringify([payload(t)])) }],
  ["ndjson with a bad line", { key: "ingest", headers: { "content-type": "application/x-ndjson" }, body: (t) => `${JSON.stringify(payload(t))}\n{"id":\n${JSON.stringify(payload(t))}\n` }],
  ["a payload without id", { key: "ingest", body: (t) => JSON.stringify([payload(t), { ...payload(t), id: undefined }]) }],
  ["not a batch", { key: "ingest", body: () => "[1, 2" }],
  ["an unknown encoding", { key: "ingest", headers: { "content-encoding": "br" }, body: (t) => JSON.stringify([payload(t)]) }],
  ["a truncated gzip body", { key: "ingest", headers: { "content-encoding": "gzip" }, body: (t) => gzipSync(JSON.stringify([payload(t)])).subarray(0, 30) }],
  ["a key without ingest", { key: "read", body: (t) => JSON.stringify([payload(t)]) }],
  ["an unknown key", { key: "br_notARealKey", body: (t) => JSON.stringify([payload(t)]) }],
];

describe("LiteLLM fast path answers exactly as the route", () => {
  it.each(CASES)("%s", async (_name, c) => {
    const key = c.key === "ingest" ? ingestKey : c.key === "read" ? readKey : c.key;
    const fast = await viaServer({ ...c, key }, "fast"); // tags of one length: error offsets match
    const route = await viaRoute({ ...c, key }, "next");
    expect(fast.status).toBe(route.status);
    expect(comparable(fast.body)).toEqual(comparable(route.body));
    expect(fast.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("stores what it accepts, without the dropped fields", async () => {
    const p = payload("stored");
    const answer = await viaServer({ key: ingestKey, body: () => JSON.stringify([p]) }, "stored");
    expect(answer.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 0 });
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: p.id } });
    expect([row.provider, row.model, row.inputTokens, row.latencyMs]).toEqual(["openai", "gpt-4o-mini", 100, 1250]);
  });

  it("leaves cookie callers and other paths to Next", async () => {
    const cookie = await fetch(`${baseUrl}/api/v1/integrations/litellm`, { method: "POST", body: "[]" });
    expect(cookie.status).toBe(FALLBACK_STATUS);
    const other = await fetch(`${baseUrl}/api/v1/events`, { method: "POST", headers: { authorization: `Bearer ${ingestKey}` }, body: "{}" });
    expect(other.status).toBe(FALLBACK_STATUS);
  });
});
