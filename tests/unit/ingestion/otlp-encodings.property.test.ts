import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readBodyBytes } from "@/lib/http/read-body";
import { convertOtlpTraces, OTLP_CONVENTIONS } from "@/lib/ingestion/otlp";
import { decodeTraceRequest, encodeTraceRequest } from "@/lib/ingestion/otlp-protobuf";

// The same spans sent as OTLP/JSON and as protobuf, each plain or gzip-compressed, must give
// identical events and identical rejections: one converter serves both encodings.

const conventionKeys = Object.values(OTLP_CONVENTIONS).flat();
const key = fc.constantFrom(
  ...conventionKeys,
  "burnrate.team",
  "burnrate.feature",
  "burnrate.attempt",
  "burnrate.service_tier",
  "ai.telemetry.metadata.team",
  "ai.telemetry.functionId",
  "ai.model.provider",
  "http.route",
);

// Every AnyValue proto3 can carry; int64 over its whole range (the decoder leaves a Long, JSON a string).
const anyValue = fc.oneof(
  fc.record({ stringValue: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("openai.chat", "Anthropic", "gpt-4o", "12", "EMBEDDING")) }),
  fc.record({ intValue: fc.integer({ min: -1_000, max: 10_000_000 }).map(String) }),
  fc.record({ intValue: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }).map(String) }),
  fc.record({ doubleValue: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ noNaN: true, noDefaultInfinity: true })) }),
  fc.record({ boolValue: fc.boolean() }),
);

// Ids: any hex, an all-zero one (invalid either way), or one with leading zero bytes.
const hex = (length: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`)) },
    { weight: 1, arbitrary: fc.constant("0".repeat(length)) },
    { weight: 1, arbitrary: fc.stringMatching(new RegExp(`^[0-9a-f]{2}$`)).map((tail) => tail.padStart(length, "0")) },
  );
// fixed64 nanoseconds over the whole range, and the small ones (0 is "unset").
const nanos = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: 1000n })).map(String);
const span = fc.record({
  traceId: hex(32),
  spanId: hex(16),
  name: fc.string({ maxLength: 8 }),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes: fc.uniqueArray(fc.record({ key, value: anyValue }), { selector: (a) => a.key, maxLength: 10 }),
  status: fc.record({ code: fc.constantFrom(0, 1, 2) }),
});

// Spans that carry a whole call under one of the conventions, so the property sees real events.
const pick = (keys: readonly string[]) => fc.constantFrom(...keys);
const callSpan = fc
  .tuple(
    span,
    pick(OTLP_CONVENTIONS.provider),
    pick(OTLP_CONVENTIONS.model),
    pick(OTLP_CONVENTIONS.inputTokens),
    pick(OTLP_CONVENTIONS.outputTokens),
    fc.nat({ max: 100_000 }),
    fc.nat({ max: 100_000 }),
  )
  .map(([base, provider, model, input, output, inputTokens, outputTokens]) => ({
    ...base,
    attributes: [
      { key: provider, value: { stringValue: "openai.chat" } },
      { key: model, value: { stringValue: "gpt-4o-mini" } },
      { key: input, value: { intValue: String(inputTokens) } },
      { key: output, value: { intValue: String(outputTokens) } },
      ...base.attributes.filter((a) => ![provider, model, input, output].includes(a.key)),
    ],
  }));

const request = fc.record({
  resourceSpans: fc.array(
    fc.record({
      resource: fc.record({ attributes: fc.uniqueArray(fc.record({ key, value: anyValue }), { selector: (a) => a.key, maxLength: 3 }) }),
      scopeSpans: fc.array(fc.record({ spans: fc.array(fc.oneof(callSpan, span), { maxLength: 4 }) }), { minLength: 1, maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 2 },
  ),
});

async function throughTheWire(body: Uint8Array, gzip: boolean): Promise<Buffer> {
  const headers: Record<string, string> = gzip ? { "content-encoding": "gzip" } : {};
  const request = new Request("http://localhost/api/v1/otlp/v1/traces", {
    method: "POST",
    headers,
    body: gzip ? gzipSync(body) : Buffer.from(body),
  });
  return readBodyBytes(request, { maxBytes: 20_000_000 });
}

describe("OTLP encodings", () => {
  it("JSON and protobuf, gzip or not, give identical events and rejections", async () => {
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (otlp, gzip) => {
        const fromJson = convertOtlpTraces(JSON.parse((await throughTheWire(Buffer.from(JSON.stringify(otlp)), gzip)).toString("utf8")));
        const fromProtobuf = convertOtlpTraces(decodeTraceRequest(await throughTheWire(encodeTraceRequest(otlp), gzip)));
        expect(fromProtobuf).toEqual(fromJson);
      }),
      { numRuns: 400 },
    );
  });

  it("finds model calls among the generated spans (the property is not vacuous)", () => {
    const samples = fc.sample(request, { numRuns: 400, seed: 7 });
    const events = samples.reduce((n, otlp) => n + convertOtlpTraces(otlp).events.length, 0);
    expect(events).toBeGreaterThan(20);
  });
});
