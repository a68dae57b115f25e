import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { canonicalUsageFast, canonicalUsageSchema, MAX_TOKEN_COUNT, normalizeUsage } from "@/lib/pricing/normalize-usage";

const usage = (input: number, output: number, cacheRead = 0, cacheCreation = 0, reasoning = 0, cacheCreation1h = 0) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadInputTokens: cacheRead,
  cacheCreationInputTokens: cacheCreation,
  cacheCreation1hInputTokens: cacheCreation1h,
  reasoningOutputTokens: reasoning,
});

function errorsOf(result: ReturnType<typeof normalizeUsage>) {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.usage)}`);
  return result.errors;
}

describe("normalizeUsage: which shape", () => {
  it("requires exactly one of usage, openai_usage, anthropic_usage", () => {
    expect(errorsOf(normalizeUsage({}))).toEqual([{ path: "usage", message: expect.stringContaining("required") }]);
    // null counts as absent (SDKs serialise missing objects as null)
    expect(errorsOf(normalizeUsage({ usage: null, openai_usage: null }))[0]?.path).toBe("usage");
    const several = errorsOf(
      normalizeUsage({ usage: { input_tokens: 1, output_tokens: 1 }, anthropic_usage: { input_tokens: 1, output_tokens: 1 } }),
    );
    expect(several).toEqual([{ path: "usage", message: expect.stringContaining("usage, anthropic_usage") }]);
    expect(normalizeUsage({ usage: null, openai_usage: { prompt_tokens: 3, completion_tokens: 4 } })).toEqual({
      ok: true,
      usage: usage(3, 4),
    });
  });
});

describe("normalizeUsage: canonical usage", () => {
  it("passes counts through and defaults the optional classes to 0 (missing or null)", () => {
    expect(normalizeUsage({ usage: { input_tokens: 1200, output_tokens: 300 } })).toEqual({ ok: true, usage: usage(1200, 300) });
    expect(
      normalizeUsage({
        usage: {
          input_tokens: 1200,
          output_tokens: 300,
          cache_read_input_tokens: 1000,
          cache_creation_input_tokens: null,
          reasoning_output_tokens: 250,
          some_future_field: 7,
        },
      }),
    ).toEqual({ ok: true, usage: usage(1200, 300, 1000, 0, 250) });
  });

  it("accepts classes equal to their totals and rejects larger ones", () => {
    // 600 + 400 = 1000 = input: allowed; 600 + 401 > 1000: refused
    expect(
      normalizeUsage({ usage: { input_tokens: 1000, output_tokens: 5, cache_read_input_tokens: 600, cache_creation_input_tokens: 400 } }).ok,
    ).toBe(true);
    expect(
      errorsOf(normalizeUsage({ usage: { input_tokens: 1000, output_tokens: 5, cache_read_input_tokens: 600, cache_creation_input_tokens: 401 } })),
    ).toEqual([{ path: "usage.cache_read_input_tokens", message: expect.any(String) }]);
    expect(errorsOf(normalizeUsage({ usage: { input_tokens: 0, output_tokens: 5, reasoning_output_tokens: 6 } }))).toEqual([
      { path: "usage.reasoning_output_tokens", message: expect.any(String) },
    ]);
  });

  it("names each bad field: missing, negative, fractional, too large, wrong type", () => {
    const errors = errorsOf(
      normalizeUsage({
        usage: { output_tokens: -1, cache_read_input_tokens: 1.5, cache_creation_input_tokens: MAX_TOKEN_COUNT + 1, reasoning_output_tokens: "3" },
      }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual([
      "usage.cache_creation_input_tokens",
      "usage.cache_read_input_tokens",
      "usage.input_tokens",
      "usage.output_tokens",
      "usage.reasoning_output_tokens",
    ]);
    expect(errors.find((e) => e.path === "usage.input_tokens")?.message).toBe("is required");
    expect(errorsOf(normalizeUsage({ usage: [1, 2] }))).toEqual([{ path: "usage", message: "must be an object" }]);
    expect(errorsOf(normalizeUsage({ usage: "lots" }))).toEqual([{ path: "usage", message: "must be an object" }]);
  });

  it("accepts the int4 maximum", () => {
    expect(normalizeUsage({ usage: { input_tokens: MAX_TOKEN_COUNT, output_tokens: MAX_TOKEN_COUNT } })).toEqual({
      ok: true,
      usage: usage(2147483647, 2147483647),
    });
  });
});

describe("normalizeUsage: openai_usage", () => {
  it("keeps prompt_tokens (which includes cached tokens) as input", () => {
    const result = normalizeUsage({
      openai_usage: {
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 192, audio_tokens: 0, accepted_prediction_tokens: 0 },
      },
    });
    // input 2006 of which 1920 cache reads, output 300 of which 192 reasoning; OpenAI bills no cache writes
    expect(result).toEqual({ ok: true, usage: usage(2006, 300, 1920, 0, 192) });
  });

  it("tolerates missing or null detail objects and fields", () => {
    expect(normalizeUsage({ openai_usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: null } })).toEqual({
      ok: true,
      usage: usage(10, 2),
    });
    expect(
      normalizeUsage({
        openai_usage: { prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: { cached_tokens: null }, completion_tokens_details: {} },
      }),
    ).toEqual({ ok: true, usage: usage(10, 2) });
  });

  it("rejects cached > prompt and reasoning > completion, naming the nested field", () => {
    const errors = errorsOf(
      normalizeUsage({
        openai_usage: {
          prompt_tokens: 100,
          completion_tokens: 10,
          prompt_tokens_details: { cached_tokens: 101 },
          completion_tokens_details: { reasoning_tokens: 11 },
        },
      }),
    );
    expect(errors.map((e) => e.path)).toEqual([
      "openai_usage.prompt_tokens_details.cached_tokens",
      "openai_usage.completion_tokens_details.reasoning_tokens",
    ]);
  });

  it("names invalid nested fields with their full path", () => {
    const errors = errorsOf(normalizeUsage({ openai_usage: { prompt_tokens: 1, completion_tokens: 1, prompt_tokens_details: { cached_tokens: -3 } } }));
    expect(errors).toEqual([{ path: "openai_usage.prompt_tokens_details.cached_tokens", message: expect.any(String) }]);
    expect(errorsOf(normalizeUsage({ openai_usage: { completion_tokens: 1 } }))).toEqual([
      { path: "openai_usage.prompt_tokens", message: "is required" },
    ]);
  });
});

describe("normalizeUsage: anthropic_usage", () => {
  it("adds cache reads and writes to input_tokens (which excludes them)", () => {
    const result = normalizeUsage({
      anthropic_usage: {
        input_tokens: 50,
        output_tokens: 400,
        cache_read_input_tokens: 9000,
        cache_creation_input_tokens: 1200,
        cache_creation: { ephemeral_5m_input_tokens: 1200, ephemeral_1h_input_tokens: 0 },
        service_tier: "standard",
      },
    });
    // canonical input = 50 + 9000 + 1200 = 10250
    expect(result).toEqual({ ok: true, usage: usage(10250, 400, 9000, 1200, 0) });
  });

  it("tolerates null cache fields", () => {
    expect(
      normalizeUsage({ anthropic_usage: { input_tokens: 7, output_tokens: 8, cache_read_input_tokens: null, cache_creation_input_tokens: null } }),
    ).toEqual({ ok: true, usage: usage(7, 8) });
  });

  it("refuses a canonical input sum beyond int4", () => {
    // 2,000,000,000 + 147,483,647 = 2,147,483,647: still fits; one more does not
    expect(
      normalizeUsage({ anthropic_usage: { input_tokens: 2_000_000_000, output_tokens: 0, cache_read_input_tokens: 147_483_647 } }).ok,
    ).toBe(true);
    expect(
      errorsOf(
        normalizeUsage({
          anthropic_usage: { input_tokens: 2_000_000_000, output_tokens: 0, cache_read_input_tokens: 147_483_647, cache_creation_input_tokens: 1 },
        }),
      ),
    ).toEqual([{ path: "anthropic_usage.input_tokens", message: expect.stringContaining("2147483647") }]);
  });

  it("names invalid fields", () => {
    expect(errorsOf(normalizeUsage({ anthropic_usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: "9" } }))).toEqual([
      { path: "anthropic_usage.cache_read_input_tokens", message: expect.any(String) },
    ]);
  });
});

describe("normalizeUsage: 1-hour cache writes", () => {
  it("reads usage.cache_creation_1h_input_tokens as part of the cache writes, and refuses more than them", () => {
    expect(normalizeUsage({ usage: { input_tokens: 1000, output_tokens: 5, cache_creation_input_tokens: 400, cache_creation_1h_input_tokens: 150 } })).toEqual({
      ok: true,
      usage: usage(1000, 5, 0, 400, 0, 150),
    });
    expect(errorsOf(normalizeUsage({ usage: { input_tokens: 1000, output_tokens: 5, cache_creation_input_tokens: 400, cache_creation_1h_input_tokens: 401 } }))).toEqual([
      { path: "usage.cache_creation_1h_input_tokens", message: expect.stringContaining("must not exceed cache_creation_input_tokens") },
    ]);
  });

  it("reads anthropic_usage.cache_creation's ephemeral counts (Anthropic's Messages API shape)", () => {
    // input 100 uncached + 50 reads + 30 writes (5 min 20, 1 h 10)
    const anthropic = { input_tokens: 100, output_tokens: 7, cache_read_input_tokens: 50, cache_creation_input_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 20, ephemeral_1h_input_tokens: 10 } };
    expect(normalizeUsage({ anthropic_usage: anthropic })).toEqual({ ok: true, usage: usage(180, 7, 50, 30, 0, 10) });
    // Without cache_creation_input_tokens the writes are the two ephemeral counts.
    const { cache_creation_input_tokens: _total, ...withoutTotal } = anthropic;
    expect(normalizeUsage({ anthropic_usage: withoutTotal })).toEqual({ ok: true, usage: usage(180, 7, 50, 30, 0, 10) });
    expect(errorsOf(normalizeUsage({ anthropic_usage: { ...anthropic, cache_creation: { ephemeral_1h_input_tokens: 31 } } }))).toEqual([
      { path: "anthropic_usage.cache_creation.ephemeral_1h_input_tokens", message: expect.any(String) },
    ]);
  });
});

describe("the canonical usage's compiled check", () => {
  // The hot path answers the common `usage` without zod; it must accept exactly what the schema
  // accepts and read the same counts, and hand everything else to the schema.
  const count = fc.oneof(
    fc.integer({ min: 0, max: MAX_TOKEN_COUNT }),
    fc.constantFrom(-1, MAX_TOKEN_COUNT + 1, 0.5, Number.MAX_SAFE_INTEGER, -0, null, undefined, "10", true),
    fc.double(),
  );
  const value = fc.oneof(
    fc.record(
      {
        input_tokens: count,
        output_tokens: count,
        cache_read_input_tokens: count,
        cache_creation_input_tokens: count,
        cache_creation_1h_input_tokens: count,
        reasoning_output_tokens: count,
        audio_tokens: count,
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom(null, [], [1, 2], "usage", 7),
  );

  it("accepts exactly what the schema accepts, with the same counts", () => {
    fc.assert(
      fc.property(value, (v) => {
        const fast = canonicalUsageFast(v);
        const parsed = canonicalUsageSchema.safeParse(v);
        expect(fast !== null).toBe(parsed.success);
        if (fast && parsed.success) {
          expect(fast).toEqual(
            usage(
              parsed.data.input_tokens,
              parsed.data.output_tokens,
              parsed.data.cache_read_input_tokens ?? 0,
              parsed.data.cache_creation_input_tokens ?? 0,
              parsed.data.reasoning_output_tokens ?? 0,
              parsed.data.cache_creation_1h_input_tokens ?? 0,
            ),
          );
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("leaves every error message to the schema", () => {
    expect(errorsOf(normalizeUsage({ usage: { input_tokens: 1.5, output_tokens: 1 } }))).toEqual([
      { path: "usage.input_tokens", message: `must be an integer from 0 to ${MAX_TOKEN_COUNT}` },
    ]);
    expect(errorsOf(normalizeUsage({ usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 11 } }))[0]?.path).toBe(
      "usage.cache_read_input_tokens",
    );
  });
});
