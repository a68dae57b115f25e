import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { convertOtlpTraces, otlpPartialSuccess, type ContractEvent } from "@/lib/ingestion/otlp";

// Every expected value below is worked out by hand, never by calling the code under test.
// 1764000000 s = 20416 days + 57600 s; day 20416 is 2025-11-24 (2025-01-01 is day 20089, +327 days),
// and 57600 s is 16:00:00. So 1764000000123456789 ns is 2025-11-24T16:00:00.123456789Z.

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

type Attr = { key: string; value: Record<string, unknown> };
const str = (key: string, value: string): Attr => ({ key, value: { stringValue: value } });
const int = (key: string, value: string | number): Attr => ({ key, value: { intValue: value } });

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN = "00f067aa0ba902b7";

/** A minimal valid gen_ai chat span; `overrides` replace top-level span fields. */
function chatSpan(extra: Attr[] = [], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: "chat",
    startTimeUnixNano: "1764000000123456789",
    attributes: [
      str("gen_ai.provider.name", "openai"),
      str("gen_ai.request.model", "gpt-4o-mini"),
      int("gen_ai.usage.input_tokens", "10"),
      int("gen_ai.usage.output_tokens", "5"),
      ...extra,
    ],
    ...overrides,
  };
}

function request(spans: unknown[], resourceAttributes: Attr[] = []): unknown {
  return { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ spans }] }] };
}

function only(body: unknown): ContractEvent {
  const { events, rejected } = convertOtlpTraces(body);
  expect(rejected).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe("convertOtlpTraces: fixtures", () => {
  it("converts a chat span with every token class, tier, attempt and tags", () => {
    const result = convertOtlpTraces(fixture("chat-all-tokens.json"));
    expect(result).toEqual({
      events: [
        {
          id: "5b8efff798038103d269b633813fc60ceee19b7ec3c1b174",
          timestamp: "2025-11-24T16:00:00.123Z",
          provider: "openai",
          model: "gpt-4o-2024-08-06", // the response model wins over the request model
          operation: "chat",
          service_tier: "priority", // the response tier wins over the requested "auto"
          usage: {
            input_tokens: 1200,
            output_tokens: 350,
            cache_read_input_tokens: 800,
            cache_creation_input_tokens: 100,
            reasoning_output_tokens: 50,
          },
          latency_ms: 1236, // 1764000001358956789 - 1764000000123456789 = 1235500000 ns = 1235.5 ms
          status: "success",
          trace_id: "5b8efff798038103d269b633813fc60c",
          attempt: 2,
          tags: { team: "search", environment: "prod", feature: "autocomplete", prompt_version: "7" },
        },
      ],
      rejected: [],
      spanCount: 1,
      malformed: [],
    });
    // Exactly the contract's keys, nothing undefined lurking.
    expect(JSON.parse(JSON.stringify(result.events))).toEqual(result.events);
  });

  it("maps legacy gen_ai.system and old token names, ignores non-gen_ai and tool spans, marks errors", () => {
    const result = convertOtlpTraces(fixture("mixed-legacy.json"));
    expect(result.spanCount).toBe(5);
    expect(result.rejected).toEqual([]);
    expect(result.malformed).toEqual([]);
    expect(result.events).toEqual([
      {
        id: "0af7651916cd43dd8448eb211c80319c00f067aa0ba902b7",
        timestamp: "2025-11-24T16:00:00.010Z",
        provider: "az.ai.openai", // as sent: every ingest path normalizes it in prepareEvent
        model: "gpt-35-turbo-instruct",
        operation: "completion",
        usage: { input_tokens: 42, output_tokens: 7 },
        latency_ms: 0, // 499999 ns rounds down
        status: "success",
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        tags: { team: "support" }, // from the resource
      },
      {
        id: "0af7651916cd43dd8448eb211c80319c00f067aa0ba902b8",
        timestamp: "2025-11-24T16:00:00.020Z",
        provider: "aws.bedrock",
        model: "amazon.titan-embed-text-v2:0",
        operation: "embedding",
        usage: { input_tokens: 512, output_tokens: 0 }, // embeddings: no output attribute means 0
        latency_ms: 1, // exactly 0.5 ms rounds half up
        status: "error",
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        tags: { team: "search" }, // the span overrides the resource
      },
    ]);
  });

  it("rejects unusable gen_ai spans one by one and keeps the good one", () => {
    const result = convertOtlpTraces(fixture("rejections.json"));
    expect(result.spanCount).toBe(5);
    expect(result.events.map((e) => e.id)).toEqual([TRACE + "5555555555555555"]);
    expect(result.rejected).toEqual([
      {
        span: "resourceSpans.0.scopeSpans.0.spans.0 spanId=1111111111111111",
        message: "traceId is missing or not a 16-byte hex id",
      },
      {
        span: "resourceSpans.0.scopeSpans.0.spans.1 spanId=2222222222222222",
        message: "gen_ai.response.model / gen_ai.request.model / llm.model_name is missing or not a non-empty string",
      },
      {
        span: "resourceSpans.0.scopeSpans.0.spans.2 spanId=3333333333333333",
        message: "gen_ai.usage.input_tokens must be an integer",
      },
      // spans.3 names a model but carries no token count: not a model call (contract), ignored.
    ]);
  });
});

describe("convertOtlpTraces: timestamps and latency", () => {
  const at = (start: unknown, end?: unknown) =>
    only(request([chatSpan([], { startTimeUnixNano: start, endTimeUnixNano: end })]));

  it("converts nanoseconds exactly, truncating below the millisecond", () => {
    expect(at("1764000000123456789").timestamp).toBe("2025-11-24T16:00:00.123Z");
    // As a float this is 1764000000124000000 (.124); BigInt keeps .123.
    expect(at("1764000000123999999").timestamp).toBe("2025-11-24T16:00:00.123Z");
    // 2025-01-01 is day 20089 = 1735689600 s; one nanosecond earlier is still 2024.
    // As a float it would round up to 1735689600000000000, i.e. 2025-01-01T00:00:00.000Z.
    expect(at("1735689599999999999").timestamp).toBe("2024-12-31T23:59:59.999Z");
    expect(at("1000000").timestamp).toBe("1970-01-01T00:00:00.001Z");
    expect(at("999999").timestamp).toBe("1970-01-01T00:00:00.000Z");
  });

  it("accepts uint64 as a JSON number too", () => {
    expect(at(1764000000123456789).timestamp).toBe("2025-11-24T16:00:00.123Z");
    expect(at(1764000000000000000, 1764000000250000000).latency_ms).toBe(250);
  });

  it("rounds latency to the nearest millisecond, and omits it without a usable end", () => {
    expect(at("1764000000000000000", "1764000000000499999").latency_ms).toBe(0);
    expect(at("1764000000000000000", "1764000000000500000").latency_ms).toBe(1);
    expect(at("1764000000000000000", "1764000001999999999").latency_ms).toBe(2000);
    expect(at("1764000000000000000", "1764000000000000000").latency_ms).toBe(0);
    expect(at("1764000000000000000")).not.toHaveProperty("latency_ms");
    expect(at("1764000000000000000", "0")).not.toHaveProperty("latency_ms"); // unset
    expect(at("1764000000000000000", "1763999999000000000")).not.toHaveProperty("latency_ms"); // end < start
    expect(at("1764000000000000000", "soon")).not.toHaveProperty("latency_ms");
  });

  it("rejects a missing, zero, negative, fractional or out-of-range start", () => {
    for (const start of [undefined, "0", 0, "-5", "1.5e18", 1.5, "18446744073709551616", "abc"]) {
      const result = convertOtlpTraces(request([chatSpan([], { startTimeUnixNano: start })]));
      expect(result.events).toEqual([]);
      expect(result.rejected).toEqual([
        {
          span: `resourceSpans.0.scopeSpans.0.spans.0 spanId=${SPAN}`,
          message: "startTimeUnixNano is missing or not a uint64 nanosecond timestamp",
        },
      ]);
    }
    // The largest uint64 is fine: 18446744073709551615 ns is 2554-07-21T23:34:33.709Z.
    expect(at("18446744073709551615").timestamp).toBe("2554-07-21T23:34:33.709Z");
  });
});

describe("convertOtlpTraces: ids", () => {
  it("concatenates lowercase hex trace and span ids into a 48-character id", () => {
    const event = only(request([chatSpan([], { traceId: TRACE.toUpperCase(), spanId: SPAN.toUpperCase() })]));
    expect(event.id).toBe(TRACE + SPAN);
    expect(event.id).toHaveLength(48);
    expect(event.trace_id).toBe(TRACE);
  });

  it("accepts base64 ids from forwarders using the plain protobuf JSON mapping", () => {
    const event = only(request([chatSpan([], { traceId: "W47/95gDgQPSabYzgT/GDA==", spanId: "7uGbfsPBsXQ=" })]));
    expect(event.id).toBe("5b8efff798038103d269b633813fc60ceee19b7ec3c1b174");
  });

  it("rejects missing, short, non-hex and all-zero ids on gen_ai spans", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ traceId: undefined }, "traceId is missing or not a 16-byte hex id"],
      [{ traceId: "" }, "traceId is missing or not a 16-byte hex id"],
      [{ traceId: TRACE.slice(2) }, "traceId is missing or not a 16-byte hex id"],
      [{ traceId: "z".repeat(32) }, "traceId is missing or not a 16-byte hex id"],
      [{ traceId: "0".repeat(32) }, "traceId is missing or not a 16-byte hex id"],
      [{ traceId: 12345 }, "traceId is missing or not a 16-byte hex id"],
      [{ spanId: "0".repeat(16) }, "spanId is missing or not an 8-byte hex id"],
      [{ spanId: undefined }, "spanId is missing or not an 8-byte hex id"],
    ];
    for (const [overrides, message] of bad) {
      const result = convertOtlpTraces(request([chatSpan([], overrides)]));
      expect(result.events).toEqual([]);
      expect(result.rejected).toHaveLength(1);
      expect(result.rejected[0]!.message).toBe(message);
    }
    const noSpanId = convertOtlpTraces(request([chatSpan([], { spanId: "nope" })]));
    expect(noSpanId.rejected[0]!.span).toBe("resourceSpans.0.scopeSpans.0.spans.0");
  });
});

describe("convertOtlpTraces: attributes", () => {
  it("reads int64 token counts given as strings, numbers, integral doubles and numeric strings", () => {
    const usage = (value: Record<string, unknown>) =>
      only(request([chatSpan([{ key: "gen_ai.usage.cache_read.input_tokens", value }])])).usage
        .cache_read_input_tokens;
    expect(usage({ intValue: "7" })).toBe(7);
    expect(usage({ intValue: 7 })).toBe(7);
    expect(usage({ intValue: "0" })).toBe(0);
    expect(usage({ doubleValue: 7 })).toBe(7);
    expect(usage({ stringValue: "7" })).toBe(7);
    expect(usage({ intValue: "9007199254740991" })).toBe(9007199254740991);
  });

  it("rejects token counts that are not integers or not exactly representable", () => {
    const reason = (value: Record<string, unknown>) =>
      convertOtlpTraces(request([chatSpan([{ key: "gen_ai.usage.reasoning.output_tokens", value }])])).rejected[0]
        ?.message;
    expect(reason({ doubleValue: 1.5 })).toBe("gen_ai.usage.reasoning.output_tokens must be an integer");
    expect(reason({ intValue: "1.0" })).toBe("gen_ai.usage.reasoning.output_tokens must be an integer");
    expect(reason({ intValue: "1e3" })).toBe("gen_ai.usage.reasoning.output_tokens must be an integer");
    expect(reason({ stringValue: "many" })).toBe("gen_ai.usage.reasoning.output_tokens must be an integer");
    expect(reason({ boolValue: true })).toBe("gen_ai.usage.reasoning.output_tokens must be an integer");
    expect(reason({ arrayValue: { values: [{ intValue: "1" }] } })).toBe(
      "gen_ai.usage.reasoning.output_tokens must be an integer",
    );
    expect(reason({})).toBe("gen_ai.usage.reasoning.output_tokens must be an integer");
    expect(reason({ intValue: "9007199254740993" })).toBe("gen_ai.usage.reasoning.output_tokens is out of range");
  });

  it("passes negative counts through for the events schema to refuse", () => {
    expect(only(request([chatSpan([int("gen_ai.usage.cache_read.input_tokens", "-3")])])).usage).toEqual({
      input_tokens: 10,
      output_tokens: 5,
      cache_read_input_tokens: -3,
    });
  });

  it("prefers the current token names over the old ones, and does not fall back over a bad value", () => {
    const spanWith = (attributes: Attr[]) => ({
      traceId: TRACE,
      spanId: SPAN,
      startTimeUnixNano: "1764000000000000000",
      attributes: [str("gen_ai.provider.name", "openai"), str("gen_ai.request.model", "m"), ...attributes],
    });
    const both = only(
      request([
        spanWith([
          int("gen_ai.usage.prompt_tokens", "1"),
          int("gen_ai.usage.input_tokens", "100"),
          int("gen_ai.usage.completion_tokens", "2"),
          int("gen_ai.usage.output_tokens", "200"),
        ]),
      ]),
    );
    expect(both.usage).toEqual({ input_tokens: 100, output_tokens: 200 });
    const bad = convertOtlpTraces(
      request([spanWith([str("gen_ai.usage.input_tokens", "n/a"), int("gen_ai.usage.prompt_tokens", "1")])]),
    );
    expect(bad.rejected[0]!.message).toBe("gen_ai.usage.input_tokens must be an integer");
  });

  it("requires output tokens except for embeddings", () => {
    const span = (operation: string) => ({
      traceId: TRACE,
      spanId: SPAN,
      startTimeUnixNano: "1764000000000000000",
      attributes: [
        str("gen_ai.operation.name", operation),
        str("gen_ai.provider.name", "openai"),
        str("gen_ai.request.model", "text-embedding-3-small"),
        int("gen_ai.usage.input_tokens", "8"),
      ],
    });
    expect(only(request([span("embeddings")])).usage).toEqual({ input_tokens: 8, output_tokens: 0 });
    expect(convertOtlpTraces(request([span("chat")])).rejected[0]!.message).toBe(
      "output tokens are missing (gen_ai.usage.output_tokens / gen_ai.usage.completion_tokens / llm.token_count.completion)",
    );
  });

  it("rejects a span without a provider, and a model that is not a non-empty string", () => {
    const noProvider = {
      traceId: TRACE,
      spanId: SPAN,
      startTimeUnixNano: "1764000000000000000",
      attributes: [
        str("gen_ai.request.model", "m"),
        int("gen_ai.usage.input_tokens", "1"),
        int("gen_ai.usage.output_tokens", "1"),
      ],
    };
    expect(convertOtlpTraces(request([noProvider])).rejected[0]!.message).toBe(
      "gen_ai.provider.name / gen_ai.system / llm.provider / llm.system is missing or not a non-empty string",
    );
    const intModel = chatSpan([], {
      attributes: [
        str("gen_ai.provider.name", "openai"),
        int("gen_ai.request.model", "4"),
        int("gen_ai.usage.input_tokens", "1"),
        int("gen_ai.usage.output_tokens", "1"),
      ],
    });
    expect(convertOtlpTraces(request([intModel])).rejected).toHaveLength(1);
    // An empty response model falls back to the request model.
    expect(only(request([chatSpan([str("gen_ai.response.model", " ")])])).model).toBe("gpt-4o-mini");
  });

  it("reads the provider from the current, legacy and OpenInference attributes, as sent", () => {
    const provider = (attributes: Attr[]) =>
      only(
        request([
          chatSpan([], {
            attributes: [
              ...attributes,
              str("gen_ai.request.model", "m"),
              int("gen_ai.usage.input_tokens", "1"),
              int("gen_ai.usage.output_tokens", "1"),
            ],
          }),
        ]),
      ).provider;
    for (const given of ["openai", "Anthropic", "az.ai.openai", "aws.bedrock", "openai.chat", "constructor"]) {
      for (const key of ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"]) {
        expect(provider([str(key, given)])).toBe(given);
      }
    }
    // The first present attribute of the convention wins.
    expect(provider([str("gen_ai.system", "az.ai.openai"), str("gen_ai.provider.name", "openai")])).toBe("openai");
    expect(provider([str("llm.system", "openai"), str("llm.provider", "azure")])).toBe("azure");
  });

  it("maps operation names, unknown ones to other, and leaves the default when absent", () => {
    const operation = (name: string) => only(request([chatSpan([str("gen_ai.operation.name", name)])])).operation;
    expect(operation("chat")).toBe("chat");
    expect(operation("generate_content")).toBe("chat");
    expect(operation("text_completion")).toBe("completion");
    expect(operation("embeddings")).toBe("embedding");
    expect(operation("rerank")).toBe("rerank");
    expect(operation("invoke_agent")).toBe("other");
    expect(operation("toString")).toBe("other");
    expect(only(request([chatSpan()]))).not.toHaveProperty("operation");
  });

  it("picks the service tier from burnrate.service_tier, then the response, then the request", () => {
    const tier = (attributes: Attr[], resource: Attr[] = []) =>
      only(request([chatSpan(attributes)], resource)).service_tier;
    expect(tier([str("burnrate.service_tier", "batch"), str("openai.response.service_tier", "priority")])).toBe(
      "batch",
    );
    expect(tier([], [str("burnrate.service_tier", "flex")])).toBe("flex");
    expect(tier([str("burnrate.service_tier", "Priority")], [str("burnrate.service_tier", "flex")])).toBe("priority");
    expect(tier([str("gen_ai.openai.response.service_tier", "default")])).toBe("standard");
    expect(tier([str("gen_ai.openai.request.service_tier", "auto")])).toBe("standard");
    expect(tier([str("openai.request.service_tier", "flex")])).toBe("flex");
    // Unknown values are skipped, not guessed.
    expect(tier([str("burnrate.service_tier", "scale"), str("openai.response.service_tier", "flex")])).toBe("flex");
    expect(tier([str("openai.response.service_tier", "scale")])).toBeUndefined();
    expect(only(request([chatSpan()]))).not.toHaveProperty("service_tier");
  });

  it("takes attempt only when it is an integer >= 1, and response_cache_hit when boolean", () => {
    const event = (attributes: Attr[]) => only(request([chatSpan(attributes)]));
    expect(event([int("burnrate.attempt", 3)]).attempt).toBe(3);
    expect(event([str("burnrate.attempt", "1")]).attempt).toBe(1);
    expect(event([int("burnrate.attempt", "0")])).not.toHaveProperty("attempt");
    expect(event([str("burnrate.attempt", "second")])).not.toHaveProperty("attempt");
    expect(event([{ key: "burnrate.response_cache_hit", value: { boolValue: true } }]).response_cache_hit).toBe(true);
    expect(event([str("burnrate.response_cache_hit", "false")]).response_cache_hit).toBe(false);
    expect(event([])).not.toHaveProperty("response_cache_hit");
  });

  it("builds tags from burnrate.* on the span over the resource, stringifying scalars", () => {
    const event = only(
      request(
        [
          chatSpan([
            str("burnrate.team", "search"),
            str("burnrate.user", "u-42"),
            { key: "burnrate.beta", value: { boolValue: true } },
            { key: "burnrate.list", value: { arrayValue: { values: [{ stringValue: "a" }] } } },
            str("burnrate.", "no name"),
            int("burnrate.attempt", "2"),
            str("team", "not a burnrate attribute"),
          ]),
        ],
        [str("burnrate.team", "platform"), str("burnrate.tenant", "acme"), str("service.name", "api")],
      ),
    );
    expect(event.tags).toEqual({ team: "search", tenant: "acme", user: "u-42", beta: "true" });
    expect(only(request([chatSpan()]))).not.toHaveProperty("tags");
  });

  it("keeps a __proto__ tag as plain data", () => {
    const event = only(request([chatSpan([str("burnrate.__proto__", "x")])]));
    expect(Object.getPrototypeOf(event.tags)).toBe(Object.prototype);
    expect(Object.keys(event.tags!)).toEqual(["__proto__"]);
  });

  it("uses the first of duplicate attribute keys", () => {
    const event = only(request([chatSpan([str("burnrate.team", "first"), str("burnrate.team", "second")])]));
    expect(event.tags).toEqual({ team: "first" });
  });
});

describe("convertOtlpTraces: span status", () => {
  const status = (value: unknown) => only(request([chatSpan([], { status: value })])).status;
  it("is error only for STATUS_CODE_ERROR (2)", () => {
    expect(status({ code: 2, message: "boom" })).toBe("error");
    expect(status({ code: "STATUS_CODE_ERROR" })).toBe("error");
    expect(status({ code: 1 })).toBe("success");
    expect(status({ code: 0 })).toBe("success");
    expect(status({})).toBe("success");
    expect(status(undefined)).toBe("success");
    expect(status("error")).toBe("success");
  });
});

describe("convertOtlpTraces: which spans count", () => {
  it("ignores spans without gen_ai attributes, even when gen_ai attributes are on the resource", () => {
    const plain = { traceId: TRACE, spanId: SPAN, startTimeUnixNano: "1", attributes: [str("http.route", "/x")] };
    const result = convertOtlpTraces(request([plain, { name: "no ids" }], [str("gen_ai.provider.name", "openai")]));
    expect(result).toEqual({ events: [], rejected: [], spanCount: 2, malformed: [] });
  });

  it("ignores gen_ai spans that carry neither a model nor any token count", () => {
    const agent = {
      spanId: SPAN,
      attributes: [str("gen_ai.operation.name", "invoke_agent"), str("gen_ai.agent.name", "helper")],
    };
    expect(convertOtlpTraces(request([agent]))).toEqual({ events: [], rejected: [], spanCount: 1, malformed: [] });
  });

  it("walks several resources and scopes, counting every span", () => {
    const body = {
      resourceSpans: [
        { scopeSpans: [{ spans: [chatSpan()] }, { spans: [] }, {}] },
        { resource: {}, scopeSpans: [{ spans: [chatSpan([], { spanId: "00f067aa0ba902b8" }), { name: "x" }] }] },
        {},
      ],
    };
    const result = convertOtlpTraces(body);
    expect(result.spanCount).toBe(3);
    expect(result.events.map((e) => e.id)).toEqual([TRACE + SPAN, TRACE + "00f067aa0ba902b8"]);
    expect(result.malformed).toEqual([]);
  });
});

describe("convertOtlpTraces: malformed bodies never throw", () => {
  it("reports a body that is not an object", () => {
    for (const body of [null, undefined, [], "x", 42, true]) {
      expect(convertOtlpTraces(body)).toEqual({
        events: [],
        rejected: [],
        spanCount: 0,
        malformed: [{ path: "", message: "body must be a JSON object (ExportTraceServiceRequest)" }],
      });
    }
  });

  it("treats absent or null repeated fields as empty (an empty request is a success)", () => {
    for (const body of [{}, { resourceSpans: null }, { resourceSpans: [] }, { resourceSpans: [{ scopeSpans: null }] }]) {
      expect(convertOtlpTraces(body)).toEqual({ events: [], rejected: [], spanCount: 0, malformed: [] });
    }
  });

  it("reports containers of the wrong type and skips them", () => {
    expect(convertOtlpTraces({ resourceSpans: "x" }).malformed).toEqual([
      { path: "resourceSpans", message: "must be an array" },
    ]);
    expect(convertOtlpTraces({ resourceSpans: {} }).malformed).toEqual([
      { path: "resourceSpans", message: "must be an array" },
    ]);
    const nested = convertOtlpTraces({
      resourceSpans: [null, { scopeSpans: {} }, { scopeSpans: [7, { spans: "none" }, { spans: [chatSpan()] }] }],
    });
    expect(nested.malformed).toEqual([
      { path: "resourceSpans.0", message: "must be an object" },
      { path: "resourceSpans.1.scopeSpans", message: "must be an array" },
      { path: "resourceSpans.2.scopeSpans.0", message: "must be an object" },
      { path: "resourceSpans.2.scopeSpans.1.spans", message: "must be an array" },
    ]);
    expect(nested.events).toHaveLength(1);
    expect(nested.spanCount).toBe(1);
  });

  it("rejects span entries that are not objects", () => {
    const result = convertOtlpTraces(request([null, 5, "span", []]));
    expect(result.spanCount).toBe(4);
    expect(result.events).toEqual([]);
    expect(result.rejected.map((r) => r.span)).toEqual([0, 1, 2, 3].map((i) => `resourceSpans.0.scopeSpans.0.spans.${i}`));
    expect(new Set(result.rejected.map((r) => r.message))).toEqual(new Set(["span must be an object"]));
  });

  it("survives attributes of every wrong shape", () => {
    const weird = [
      null,
      7,
      { key: 5, value: { stringValue: "x" } },
      { key: "gen_ai.request.model" },
      { key: "gen_ai.provider.name", value: "openai" },
      { key: "gen_ai.usage.input_tokens", value: { intValue: null } },
    ];
    const result = convertOtlpTraces(request([chatSpan([], { attributes: weird }), chatSpan([], { attributes: "x" })]));
    expect(result.events).toEqual([]);
    expect(result.spanCount).toBe(2);
    expect(result.rejected).toEqual([
      {
        span: `resourceSpans.0.scopeSpans.0.spans.0 spanId=${SPAN}`,
        message: "gen_ai.provider.name / gen_ai.system / llm.provider / llm.system is missing or not a non-empty string",
      },
    ]);
  });
});

describe("otlpPartialSuccess", () => {
  it("is empty when nothing was rejected", () => {
    expect(otlpPartialSuccess(0, "")).toEqual({});
    expect(otlpPartialSuccess(0, "all good")).toEqual({});
  });

  it("carries rejectedSpans as an int64 decimal string and the error message", () => {
    expect(otlpPartialSuccess(3, "3 spans lacked a model")).toEqual({
      partialSuccess: { rejectedSpans: "3", errorMessage: "3 spans lacked a model" },
    });
    expect(JSON.stringify(otlpPartialSuccess(1, "x"))).toBe('{"partialSuccess":{"rejectedSpans":"1","errorMessage":"x"}}');
    expect(otlpPartialSuccess(2, "")).toEqual({ partialSuccess: { rejectedSpans: "2" } });
  });
});

describe("convertOtlpTraces: which tag attribute wins", () => {
  it("the span over the resource; within each, burnrate.* over ai.telemetry.metadata.*", () => {
    const span = chatSpan([
      str("ai.telemetry.metadata.team", "from-span-metadata"),
      str("burnrate.team", "from-span-burnrate"),
      str("ai.telemetry.metadata.tenant", "span-tenant"),
      str("burnrate.attempt", "2"), // an event field, not a tag
    ]);
    const resource = [
      str("burnrate.tenant", "resource-tenant"),
      str("burnrate.feature", "resource-feature"),
      str("ai.telemetry.metadata.feature", "resource-metadata-feature"),
      str("ai.telemetry.metadata.environment", "staging"),
    ];
    expect(only(request([span], resource)).tags).toEqual({
      team: "from-span-burnrate",
      tenant: "span-tenant",
      feature: "resource-feature",
      environment: "staging",
    });
  });
});
