import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/otlp/v1/traces/route";
import { getPool, prisma } from "@/lib/db";
import { decodeTraceResponse, encodeTraceRequest } from "@/lib/ingestion/otlp-protobuf";
import { Money } from "@/lib/money";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { apiRequest, createTestKey } from "../factories/api-keys";

// Golden fixtures, one per instrumentation, shaped like what each really emits (tests/fixtures/otlp/README.md),
// sent through the real route in both encodings, compressed and not.

interface Expected {
  span_id: string;
  provider_as_sent: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_output_tokens: number;
  tags: Record<string, string>;
}
interface Fixture {
  request: { resourceSpans: unknown[] };
  expected: Expected[];
}

const FIXTURE_DIR = new URL("../fixtures/otlp/", import.meta.url);
const fixtures = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith(".json"))
  .map((name) => ({ name, fixture: JSON.parse(readFileSync(new URL(name, FIXTURE_DIR), "utf8")) as Fixture }));

type Variant = "json" | "json+gzip" | "protobuf" | "protobuf+gzip";
const VARIANTS: Variant[] = ["json", "json+gzip", "protobuf", "protobuf+gzip"];

let ingestKey: string;

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  // One price per fixture model (test-owned; rates chosen so every token class costs differently).
  const models = new Map<string, string>();
  for (const { fixture } of fixtures) {
    for (const call of fixture.expected) models.set(`${normalizeProvider(call.provider_as_sent)}\u0000${call.model}`, call.model);
  }
  await prisma.price.createMany({
    data: [...models.keys()].map((key) => {
      const [provider = "", model = ""] = key.split("\u0000");
      return {
        provider,
        model,
        serviceTier: "standard" as const,
        effectiveFrom: new Date("2026-01-01T00:00:00Z"),
        inputPerMtok: "3",
        outputPerMtok: "15",
        cacheReadPerMtok: "0.3",
        cacheWritePerMtok: "3.75",
        reasoningPerMtok: "12",
      };
    }),
  });
});

/** A fixture's request with every trace id replaced, so each variant stores its own events. */
function withFreshTraceIds(fixture: Fixture): { request: unknown; traceIds: Map<string, string> } {
  const traceIds = new Map<string, string>();
  const request = JSON.parse(JSON.stringify(fixture.request), (key, value: unknown) => {
    if (key !== "traceId" || typeof value !== "string") return value;
    let fresh = traceIds.get(value);
    if (!fresh) traceIds.set(value, (fresh = randomBytes(16).toString("hex")));
    return fresh;
  }) as unknown;
  return { request, traceIds };
}

function encode(request: unknown, variant: Variant): { body: Uint8Array; headers: Record<string, string> } {
  const protobuf = variant.startsWith("protobuf");
  const plain = protobuf ? encodeTraceRequest(request) : Buffer.from(JSON.stringify(request));
  const headers: Record<string, string> = { "content-type": protobuf ? "application/x-protobuf" : "application/json" };
  if (!variant.endsWith("gzip")) return { body: plain, headers };
  return { body: gzipSync(plain), headers: { ...headers, "content-encoding": "gzip" } };
}

async function send(body: Uint8Array | string, headers: Record<string, string>, key = ingestKey) {
  return POST(apiRequest("/api/v1/otlp/v1/traces", { key, rawBody: body, headers }));
}

/** The contract's cost, computed here independently of lib/pricing (decimal arithmetic on the rates above). */
function expectedCost(call: Expected): string {
  const uncached = call.input_tokens - call.cache_read_input_tokens - call.cache_creation_input_tokens;
  return new Money(uncached)
    .mul(3)
    .add(new Money(call.cache_read_input_tokens).mul("0.3"))
    .add(new Money(call.cache_creation_input_tokens).mul("3.75"))
    .add(new Money(call.output_tokens - call.reasoning_output_tokens).mul(15))
    .add(new Money(call.reasoning_output_tokens).mul(12))
    .div(1_000_000)
    .toFixed(12);
}

describe("POST /api/v1/otlp/v1/traces: every instrumentation, every encoding", () => {
  for (const { name, fixture } of fixtures) {
    for (const variant of VARIANTS) {
      it(`${name} as ${variant}: one event per call, normalized provider, exact cost split`, async () => {
        const { request, traceIds } = withFreshTraceIds(fixture);
        const { body, headers } = encode(request, variant);
        const response = await send(body, headers);
        expect(response.status).toBe(200);
        const answer = variant.startsWith("protobuf")
          ? decodeTraceResponse(new Uint8Array(await response.arrayBuffer()))
          : ((await response.json()) as Record<string, unknown>);
        expect(answer).toEqual({}); // no partial_success: nothing rejected
        expect(response.headers.get("content-type")).toContain(variant.startsWith("protobuf") ? "application/x-protobuf" : "application/json");

        const rows = await prisma.usageEvent.findMany({ where: { traceId: { in: [...traceIds.values()] } }, orderBy: { id: "asc" } });
        expect(rows).toHaveLength(fixture.expected.length);
        for (const call of fixture.expected) {
          const row = rows.find((r) => r.id.endsWith(call.span_id));
          expect(row, `event for span ${call.span_id}`).toBeDefined();
          const normalized = normalizeProvider(call.provider_as_sent);
          expect({
            provider: row?.provider,
            providerAsSent: row?.providerAsSent,
            model: row?.model,
            input: row?.inputTokens,
            output: row?.outputTokens,
            cacheRead: row?.cacheReadInputTokens,
            cacheWrite: row?.cacheCreationInputTokens,
            reasoning: row?.reasoningOutputTokens,
            team: row?.team,
            feature: row?.feature,
            cost: row?.costUsd?.toFixed(12),
          }).toEqual({
            provider: normalized,
            providerAsSent: normalized === call.provider_as_sent ? null : call.provider_as_sent,
            model: call.model,
            input: call.input_tokens,
            output: call.output_tokens,
            cacheRead: call.cache_read_input_tokens,
            cacheWrite: call.cache_creation_input_tokens,
            reasoning: call.reasoning_output_tokens,
            team: call.tags.team ?? null,
            feature: call.tags.feature ?? null,
            cost: expectedCost(call),
          });
        }
      });
    }
  }

  it("normalizes the providers the issue names: OpenLLMetry's Anthropic and the AI SDK's openai.chat", () => {
    expect(normalizeProvider("Anthropic")).toBe("anthropic");
    expect(normalizeProvider("openai.chat")).toBe("openai");
  });

  it("takes deflate in both zlib and raw form", async () => {
    for (const deflate of [deflateSync, deflateRawSync]) {
      const { request, traceIds } = withFreshTraceIds(fixtures[0]!.fixture);
      const response = await send(deflate(encodeTraceRequest(request)), {
        "content-type": "application/x-protobuf",
        "content-encoding": "deflate",
      });
      expect(response.status).toBe(200);
      expect(await prisma.usageEvent.count({ where: { traceId: { in: [...traceIds.values()] } } })).toBe(fixtures[0]!.fixture.expected.length);
    }
  });
});

describe("POST /api/v1/otlp/v1/traces: bad input is a clear 4xx, never a 500", () => {
  const sample = () => withFreshTraceIds(fixtures[0]!.fixture).request;

  it("answers 415 for other content types, naming the header", async () => {
    for (const type of ["text/plain", "application/grpc", ""]) {
      const response = await send(JSON.stringify(sample()), type ? { "content-type": type } : { "content-type": "" });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ error: { code: "unsupported_media_type", details: [{ path: "content-type" }] } });
    }
    const encoding = await send(JSON.stringify(sample()), { "content-type": "application/json", "content-encoding": "br" });
    expect(encoding.status).toBe(415);
  });

  it("answers a corrupt protobuf body with 400 and a google.rpc.Status in protobuf", async () => {
    const bytes = encodeTraceRequest(sample());
    for (const corrupt of [bytes.subarray(0, bytes.length - 7), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01])]) {
      const response = await send(corrupt, { "content-type": "application/x-protobuf" });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/x-protobuf");
      const status = Buffer.from(await response.arrayBuffer());
      // field 1 (code) = 3 INVALID_ARGUMENT, then field 2 (message)
      expect([...status.subarray(0, 2)]).toEqual([0x08, 3]);
      expect(status.toString("utf8")).toContain("not an OTLP ExportTraceServiceRequest");
    }
  });

  it("answers a truncated gzip body with 400", async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(sample())));
    const response = await send(gz.subarray(0, gz.length - 10), { "content-type": "application/json", "content-encoding": "gzip" });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("stops a gzip bomb at the inflated limit: 413 in well under a second", async () => {
    // 1,000 gzip members of 1 MB of zeros each: ~1 MB on the wire, 1 GB inflated.
    const member = gzipSync(Buffer.alloc(1_000_000));
    const bomb = Buffer.concat(Array.from({ length: 1000 }, () => member));
    expect(bomb.length).toBeLessThan(1_100_000);
    const started = performance.now();
    const response = await send(bomb, { "content-type": "application/x-protobuf", "content-encoding": "gzip" });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toBe("application/x-protobuf");
    expect(elapsed).toBeLessThan(1000);
  });

  it("refuses a key without the ingest scope before reading the body, in the request's encoding", async () => {
    const readKey = await createTestKey(["read"]);
    const response = await send(encodeTraceRequest(sample()), { "content-type": "application/x-protobuf" }, readKey);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toBe("application/x-protobuf");
    const status = Buffer.from(await response.arrayBuffer());
    expect([...status.subarray(0, 2)]).toEqual([0x08, 7]); // PERMISSION_DENIED
  });

  it("reports a rejected span as partial_success in protobuf", async () => {
    const traceId = randomBytes(16).toString("hex");
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: randomBytes(8).toString("hex"),
                  startTimeUnixNano: "1795168800000000000",
                  attributes: [
                    { key: "gen_ai.provider.name", value: { stringValue: "openai" } },
                    { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
                    { key: "gen_ai.usage.input_tokens", value: { intValue: "10" } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await send(encodeTraceRequest(request), { "content-type": "application/x-protobuf" });
    expect(response.status).toBe(200);
    const answer = decodeTraceResponse(new Uint8Array(await response.arrayBuffer()));
    expect(answer).toMatchObject({ partialSuccess: { rejectedSpans: "1" } });
    expect(String((answer.partialSuccess as { errorMessage: string }).errorMessage)).toContain("output tokens are missing");
  });

  it("records the batch for the Connect page", async () => {
    const rows = await getPool().query<{ source: string; events: number }>(
      "SELECT source, sum(events)::int AS events FROM ingest_receipts GROUP BY source",
    );
    expect(rows.rows.find((row) => row.source === "otlp")?.events).toBeGreaterThan(0);
  });
});
