import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { convertOtlpTraces } from "@/lib/ingestion/otlp";

const anyValue = fc.oneof(
  fc.record({ stringValue: fc.oneof(fc.string(), fc.constantFrom("openai", "gpt-4o", "12", "constructor")) }),
  fc.record({ intValue: fc.oneof(fc.bigInt().map(String), fc.integer(), fc.string()) }),
  fc.record({ doubleValue: fc.oneof(fc.double(), fc.string()) }),
  fc.record({ boolValue: fc.boolean() }),
  fc.record({ arrayValue: fc.anything() }),
  fc.anything(),
);

const key = fc.constantFrom(
  "gen_ai.provider.name",
  "gen_ai.system",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "gen_ai.operation.name",
  "gen_ai.usage.input_tokens",
  "gen_ai.usage.output_tokens",
  "gen_ai.usage.cache_read.input_tokens",
  "gen_ai.usage.prompt_tokens",
  "burnrate.team",
  "burnrate.attempt",
  "burnrate.service_tier",
  "burnrate.__proto__",
  "openai.response.service_tier",
  "http.route",
);

const span = fc.record(
  {
    traceId: fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string(), fc.anything()),
    spanId: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), fc.string(), fc.anything()),
    startTimeUnixNano: fc.oneof(fc.bigInt({ min: -1n, max: 1n << 65n }).map(String), fc.anything()),
    endTimeUnixNano: fc.oneof(fc.bigInt({ min: -1n, max: 1n << 65n }).map(String), fc.anything()),
    attributes: fc.oneof(fc.array(fc.record({ key, value: anyValue })), fc.anything()),
    status: fc.anything(),
  },
  { requiredKeys: [] },
);

const tokenValue = fc.oneof(
  fc.nat().map((n) => ({ intValue: String(n) })),
  fc.nat().map((n) => ({ intValue: n })),
  anyValue,
);

// Mostly valid gen_ai spans, so the assertions on produced events have events to look at.
const nearValidSpan = fc.record({
  traceId: fc.stringMatching(/^[0-9a-fA-F]{32}$/),
  spanId: fc.stringMatching(/^[0-9a-fA-F]{16}$/),
  startTimeUnixNano: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }).map(String),
  endTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String), fc.anything()),
  attributes: fc
    .tuple(
      fc.constantFrom("openai", "az.ai.openai", "gcp.vertex_ai", "constructor", "x"),
      fc.constantFrom("gpt-4o", "claude", "m"),
      tokenValue,
      tokenValue,
      fc.array(fc.record({ key, value: anyValue }), { maxLength: 4 }),
    )
    .map(([provider, model, input, output, extra]) => [
      { key: "gen_ai.provider.name", value: { stringValue: provider } },
      { key: "gen_ai.request.model", value: { stringValue: model } },
      { key: "gen_ai.usage.input_tokens", value: input },
      { key: "gen_ai.usage.output_tokens", value: output },
      ...extra,
    ]),
  status: fc.oneof(fc.record({ code: fc.constantFrom(0, 1, 2) }), fc.anything()),
});

const body = fc.oneof(
  fc.anything(),
  fc.record({
    resourceSpans: fc.array(
      fc.record({
        resource: fc.oneof(fc.record({ attributes: fc.array(fc.record({ key, value: anyValue })) }), fc.anything()),
        scopeSpans: fc.oneof(
          fc.array(fc.record({ spans: fc.oneof(fc.array(fc.oneof(nearValidSpan, span, fc.anything())), fc.anything()) })),
          fc.anything(),
        ),
      }),
    ),
  }),
);

describe("convertOtlpTraces on arbitrary input", () => {
  it("never throws, accounts for every span, and emits only well-formed events", () => {
    fc.assert(
      fc.property(body, (input) => {
        const { events, rejected, spanCount } = convertOtlpTraces(input);
        expect(events.length + rejected.length).toBeLessThanOrEqual(spanCount);
        for (const event of events) {
          expect(event.id).toMatch(/^[0-9a-f]{48}$/);
          expect(event.trace_id).toBe(event.id.slice(0, 32));
          expect(event.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          expect(typeof event.provider).toBe("string");
          expect(event.model.length).toBeGreaterThan(0);
          expect(Number.isSafeInteger(event.usage.input_tokens)).toBe(true);
          expect(Number.isSafeInteger(event.usage.output_tokens)).toBe(true);
          if (event.latency_ms !== undefined) expect(event.latency_ms).toBeGreaterThanOrEqual(0);
          for (const value of Object.values(event.tags ?? {})) expect(typeof value).toBe("string");
          // Round-trips through JSON unchanged: no undefined, NaN or BigInt inside.
          expect(JSON.parse(JSON.stringify(event))).toEqual(event);
        }
      }),
      { numRuns: 500 },
    );
  });
});
