import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { compareReconciliation, drift, providerModelKey, pulledDayKey, type BurnrateRow, type CompareInput, type ProviderRow } from "@/lib/reconciliation/compare";
import type { ReconciliationProvider, ReconciliationRowJson } from "@/lib/schemas/reconciliation";

/**
 * Burnrate's numbers against the provider's, per provider, UTC day and model. Every expected
 * amount below is worked out by hand (in the comments), never with the code's own helpers.
 */

const SONNET = "claude-sonnet-4-5-20250929";
const HAIKU = "claude-haiku-4-5-20251001";
const OPUS = "claude-opus-4-1-20250805";
const GPT4O = "gpt-4o-2024-08-06";
const MINI = "gpt-4o-mini-2024-07-18";

function provided(provider: ReconciliationProvider, day: string, model: string | null, overrides: Partial<ProviderRow> = {}): ProviderRow {
  return {
    provider,
    day,
    model,
    requests: null,
    inputTokens: model === null ? null : 0,
    cacheReadTokens: model === null ? null : 0,
    cacheWriteTokens: model === null ? null : 0,
    cacheWrite1hTokens: model === null ? null : 0,
    outputTokens: model === null ? null : 0,
    costUsd: null,
    ...overrides,
  };
}

function counted(provider: ReconciliationProvider, day: string, model: string, overrides: Partial<BurnrateRow> = {}): BurnrateRow {
  return {
    provider,
    day,
    model,
    requests: 0,
    unpricedRequests: 0,
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    costUsd: "0",
    ...overrides,
  };
}

const pulled = (...keys: [ReconciliationProvider, string][]) => new Set(keys.map(([provider, day]) => pulledDayKey(provider, day)));

function rowOf(rows: readonly ReconciliationRowJson[], provider: string, day: string, model: string | null): ReconciliationRowJson {
  const found = rows.filter((row) => row.provider === provider && row.day === day && row.model === model);
  expect(found, `exactly one row ${provider}/${day}/${model}`).toHaveLength(1);
  return found[0] as ReconciliationRowJson;
}

/** The sum of some decimal strings, as 12-decimal text (to check that rows add up to the day's totals). */
function sum(values: readonly (string | null)[]): string {
  return values.reduce((total, value) => (value === null ? total : total.plus(value)), new Money(0)).toFixed(12);
}

describe("pulledDayKey / providerModelKey", () => {
  it("are provider/day and provider/model", () => {
    expect(pulledDayKey("openai", "2026-11-02")).toBe("openai/2026-11-02");
    expect(providerModelKey("anthropic", SONNET)).toBe(`anthropic/${SONNET}`);
  });
});

describe("drift", () => {
  it("is burnrate − provider with 12 decimals and its percentage of the provider with 2", () => {
    // 10.5 − 10 = 0.5; 0.5 / 10 = 5 %
    expect(drift(new Money("10.5"), new Money("10"))).toEqual({ drift_usd: "0.500000000000", drift_pct: "5.00" });
    // 0.123456789012345 − 0.1 = 0.023456789012345 → 0.023456789012 (12 decimals); 23.456789012345 % → 23.46
    expect(drift(new Money("0.123456789012345"), new Money("0.1"))).toEqual({ drift_usd: "0.023456789012", drift_pct: "23.46" });
  });

  it("is negative when Burnrate counted less", () => {
    // 9 − 12 = −3; −3 / 12 = −25 %
    expect(drift(new Money("9"), new Money("12"))).toEqual({ drift_usd: "-3.000000000000", drift_pct: "-25.00" });
    // 1 − 3 = −2; −2/3 = −66.666… % → −66.67
    expect(drift(new Money("1"), new Money("3"))).toEqual({ drift_usd: "-2.000000000000", drift_pct: "-66.67" });
    // 2 − 3 = −1; −1/3 = −33.333… % → −33.33
    expect(drift(new Money("2"), new Money("3"))).toEqual({ drift_usd: "-1.000000000000", drift_pct: "-33.33" });
    // Burnrate counted nothing: −100 %
    expect(drift(new Money("0"), new Money("3"))).toEqual({ drift_usd: "-3.000000000000", drift_pct: "-100.00" });
  });

  it("has no percentage when the provider's cost is 0", () => {
    expect(drift(new Money("4.2"), new Money("0"))).toEqual({ drift_usd: "4.200000000000", drift_pct: null });
    expect(drift(new Money("0"), new Money("0"))).toEqual({ drift_usd: "0.000000000000", drift_pct: null });
  });

  it("is exactly zero when both agree", () => {
    expect(drift(new Money("5.79781825"), new Money("5.797818250000"))).toEqual({ drift_usd: "0.000000000000", drift_pct: "0.00" });
  });

  it("does not write a negative zero percentage for a drift that rounds to 0.00 %", () => {
    // 99.999 − 100 = −0.001 (drift_usd keeps its sign); −0.001 / 100 × 100 = −0.001 %, which is 0.00 with 2 decimals.
    // A negative drift that rounds to nothing reads 0.00, never -0.00.
    const result = drift(new Money("99.999"), new Money("100"));
    expect(result.drift_usd).toBe("-0.001000000000");
    expect(result.drift_pct).toBe("0.00");
  });
});

describe("compareReconciliation: a provider that splits cost by model (Anthropic)", () => {
  // Day 1: Sonnet billed 12.3456, counted 12.5; Haiku billed 0.4, counted 0.3. Day 2: Sonnet 1 and 1.
  const input: CompareInput = {
    provider: [
      provided("anthropic", "2026-11-02", SONNET, {
        inputTokens: 1_000_000,
        cacheReadTokens: 200_000,
        cacheWriteTokens: 50_000,
        cacheWrite1hTokens: 10_000,
        outputTokens: 100_000,
        costUsd: "12.3456",
      }),
      provided("anthropic", "2026-11-02", HAIKU, { inputTokens: 400_000, outputTokens: 20_000, costUsd: "0.4" }),
      provided("anthropic", "2026-11-03", SONNET, { inputTokens: 10_000, outputTokens: 1_000, costUsd: "1" }),
    ],
    burnrate: [
      counted("anthropic", "2026-11-02", SONNET, {
        requests: 120,
        inputTokens: 1_000_000,
        cacheReadTokens: 200_000,
        cacheWriteTokens: 50_000,
        outputTokens: 100_000,
        costUsd: "12.5",
      }),
      counted("anthropic", "2026-11-02", HAIKU, { requests: 40, inputTokens: 400_000, outputTokens: 20_000, costUsd: "0.3" }),
      counted("anthropic", "2026-11-03", SONNET, { requests: 3, inputTokens: 10_000, outputTokens: 1_000, costUsd: "1" }),
    ],
    pulledDays: pulled(["anthropic", "2026-11-02"], ["anthropic", "2026-11-03"]),
  };
  const result = compareReconciliation(input);

  it("has one row per model and day, and no model: null row when every cost is attributed", () => {
    expect(result.rows.map((row) => [row.day, row.model])).toEqual([
      ["2026-11-02", HAIKU],
      ["2026-11-02", SONNET],
      ["2026-11-03", SONNET],
    ]);
  });

  it("compares each model's cost: drift = burnrate − provider, its percentage with 2 decimals", () => {
    const sonnet = rowOf(result.rows, "anthropic", "2026-11-02", SONNET);
    // 12.5 − 12.3456 = 0.1544; 0.1544 / 12.3456 × 100 = 1.25065 → 1.25
    expect(sonnet).toMatchObject({
      provider_cost_usd: "12.345600000000",
      burnrate_cost_usd: "12.500000000000",
      drift_usd: "0.154400000000",
      drift_pct: "1.25",
    });
    const haiku = rowOf(result.rows, "anthropic", "2026-11-02", HAIKU);
    // 0.3 − 0.4 = −0.1; −0.1 / 0.4 = −25 %
    expect(haiku).toMatchObject({ provider_cost_usd: "0.400000000000", burnrate_cost_usd: "0.300000000000", drift_usd: "-0.100000000000", drift_pct: "-25.00" });
    expect(rowOf(result.rows, "anthropic", "2026-11-03", SONNET)).toMatchObject({
      provider_cost_usd: "1.000000000000",
      burnrate_cost_usd: "1.000000000000",
      drift_usd: "0.000000000000",
      drift_pct: "0.00",
      causes: [],
      explanation: null,
    });
  });

  it("carries both sides' token counts and requests", () => {
    expect(rowOf(result.rows, "anthropic", "2026-11-02", SONNET)).toMatchObject({
      provider_input_tokens: 1_000_000,
      burnrate_input_tokens: 1_000_000,
      provider_cache_read_tokens: 200_000,
      burnrate_cache_read_tokens: 200_000,
      provider_cache_write_tokens: 50_000,
      burnrate_cache_write_tokens: 50_000,
      provider_output_tokens: 100_000,
      burnrate_output_tokens: 100_000,
      // Anthropic's usage report has no request count.
      provider_requests: null,
      burnrate_requests: 120,
      burnrate_unpriced_requests: 0,
    });
  });

  it("totals each day", () => {
    // provider 12.3456 + 0.4 = 12.7456; burnrate 12.5 + 0.3 = 12.8; drift 0.0544; 0.0544 / 12.7456 × 100 = 0.4268… → 0.43
    expect(result.days).toEqual([
      { provider: "anthropic", day: "2026-11-02", provider_cost_usd: "12.745600000000", burnrate_cost_usd: "12.800000000000", drift_usd: "0.054400000000", drift_pct: "0.43" },
      { provider: "anthropic", day: "2026-11-03", provider_cost_usd: "1.000000000000", burnrate_cost_usd: "1.000000000000", drift_usd: "0.000000000000", drift_pct: "0.00" },
    ]);
  });

  it("totals each provider over the days", () => {
    // provider 12.7456 + 1 = 13.7456; burnrate 12.8 + 1 = 13.8; drift 0.0544; 0.0544 / 13.7456 × 100 = 0.3957… → 0.40
    expect(result.totals).toEqual([
      { provider: "anthropic", provider_cost_usd: "13.745600000000", burnrate_cost_usd: "13.800000000000", drift_usd: "0.054400000000", drift_pct: "0.40" },
    ]);
  });

  it("has every day's rows add up exactly to the day's totals, on both sides", () => {
    for (const day of result.days) {
      const rows = result.rows.filter((row) => row.provider === day.provider && row.day === day.day);
      expect(sum(rows.map((row) => row.provider_cost_usd))).toBe(day.provider_cost_usd);
      expect(sum(rows.map((row) => row.burnrate_cost_usd))).toBe(day.burnrate_cost_usd);
      expect(sum(rows.map((row) => row.drift_usd))).toBe(day.drift_usd);
    }
  });

  it("does not mutate its input", () => {
    expect(input.provider[0]?.costUsd).toBe("12.3456");
    expect(input.burnrate[0]?.costUsd).toBe("12.5");
  });
});

describe("compareReconciliation: a provider whose cost names no model (OpenAI)", () => {
  // Usage per model without cost; the day's cost (input_tokens 5.79781825 + Image models 0.32) on the model: null row.
  const input: CompareInput = {
    provider: [
      provided("openai", "2026-11-02", GPT4O, { requests: 100, inputTokens: 500_000, cacheReadTokens: 100_000, outputTokens: 50_000 }),
      provided("openai", "2026-11-02", MINI, { requests: 300, inputTokens: 2_000_000, outputTokens: 200_000 }),
      provided("openai", "2026-11-02", null, { costUsd: "6.117818250000" }),
    ],
    burnrate: [
      counted("openai", "2026-11-02", GPT4O, { requests: 100, inputTokens: 500_000, cacheReadTokens: 100_000, outputTokens: 50_000, costUsd: "4.25" }),
      counted("openai", "2026-11-02", MINI, { requests: 300, inputTokens: 2_000_000, outputTokens: 200_000, costUsd: "1.8" }),
    ],
    pulledDays: pulled(["openai", "2026-11-02"]),
  };
  const result = compareReconciliation(input);

  it("leaves the model rows without provider cost and without drift", () => {
    for (const [model, burnrateUsd] of [
      [GPT4O, "4.250000000000"],
      [MINI, "1.800000000000"],
    ] as const) {
      expect(rowOf(result.rows, "openai", "2026-11-02", model)).toMatchObject({
        provider_cost_usd: null,
        burnrate_cost_usd: burnrateUsd,
        drift_usd: null,
        drift_pct: null,
        causes: [],
        explanation: null,
      });
    }
    // Tokens are still compared per model.
    expect(rowOf(result.rows, "openai", "2026-11-02", MINI)).toMatchObject({
      provider_input_tokens: 2_000_000,
      burnrate_input_tokens: 2_000_000,
      provider_output_tokens: 200_000,
      provider_requests: 300,
      burnrate_requests: 300,
    });
  });

  it("puts the provider's day cost against Burnrate's cost of all those models on the model: null row", () => {
    // burnrate 4.25 + 1.8 = 6.05; drift 6.05 − 6.11781825 = −0.06781825; −0.06781825 / 6.11781825 × 100 = −1.1085… → −1.11
    expect(rowOf(result.rows, "openai", "2026-11-02", null)).toEqual({
      provider: "openai",
      day: "2026-11-02",
      model: null,
      provider_cost_usd: "6.117818250000",
      burnrate_cost_usd: "6.050000000000",
      drift_usd: "-0.067818250000",
      drift_pct: "-1.11",
      provider_input_tokens: null,
      burnrate_input_tokens: 0,
      provider_cache_read_tokens: null,
      burnrate_cache_read_tokens: 0,
      provider_cache_write_tokens: null,
      burnrate_cache_write_tokens: 0,
      provider_output_tokens: null,
      burnrate_output_tokens: 0,
      provider_requests: null,
      burnrate_requests: 0,
      burnrate_unpriced_requests: 0,
      causes: ["unattributed_cost"],
      explanation: "Cost the provider does not split by model, against Burnrate's cost of the models it could not be matched to.",
    });
  });

  it("counts every dollar once in days[] and totals[]", () => {
    const day = { provider_cost_usd: "6.117818250000", burnrate_cost_usd: "6.050000000000", drift_usd: "-0.067818250000", drift_pct: "-1.11" };
    expect(result.days).toEqual([{ provider: "openai", day: "2026-11-02", ...day }]);
    expect(result.totals).toEqual([{ provider: "openai", ...day }]);
  });

  it("sorts the model: null row after the models", () => {
    expect(result.rows.map((row) => row.model)).toEqual([GPT4O, MINI, null]);
  });

  it("adds up to the day's totals when the model rows without provider cost are taken as the null row's breakdown", () => {
    // Burnrate's cost of GPT4O and MINI is on their rows AND on the null row (which compares it): the rows that
    // carry a comparison (provider cost, or the null row) add up to the day exactly.
    const compared = result.rows.filter((row) => row.model === null || row.provider_cost_usd !== null);
    expect(sum(compared.map((row) => row.provider_cost_usd))).toBe("6.117818250000");
    expect(sum(compared.map((row) => row.burnrate_cost_usd))).toBe("6.050000000000");
    expect(sum(result.rows.map((row) => row.drift_usd))).toBe("-0.067818250000");
  });

  it("splits a day where some cost names a model: that model compared alone, the rest on the null row", () => {
    // GPT4O's line items matched (2); the rest of the day (3) did not. Burnrate: GPT4O 2.1, MINI 0.5.
    const mixed = compareReconciliation({
      provider: [
        provided("openai", "2026-11-03", GPT4O, { requests: 10, inputTokens: 1_000, outputTokens: 100, costUsd: "2" }),
        provided("openai", "2026-11-03", MINI, { requests: 20, inputTokens: 5_000, outputTokens: 500 }),
        provided("openai", "2026-11-03", null, { costUsd: "3" }),
      ],
      burnrate: [
        counted("openai", "2026-11-03", GPT4O, { requests: 10, inputTokens: 1_000, outputTokens: 100, costUsd: "2.1" }),
        counted("openai", "2026-11-03", MINI, { requests: 20, inputTokens: 5_000, outputTokens: 500, costUsd: "0.5" }),
      ],
      pulledDays: pulled(["openai", "2026-11-03"]),
    });
    // GPT4O: 2.1 − 2 = 0.1 → 5 %
    expect(rowOf(mixed.rows, "openai", "2026-11-03", GPT4O)).toMatchObject({ provider_cost_usd: "2.000000000000", burnrate_cost_usd: "2.100000000000", drift_usd: "0.100000000000", drift_pct: "5.00" });
    expect(rowOf(mixed.rows, "openai", "2026-11-03", MINI)).toMatchObject({ provider_cost_usd: null, burnrate_cost_usd: "0.500000000000", drift_usd: null, drift_pct: null });
    // null: 0.5 − 3 = −2.5 → −83.333… % → −83.33
    expect(rowOf(mixed.rows, "openai", "2026-11-03", null)).toMatchObject({ provider_cost_usd: "3.000000000000", burnrate_cost_usd: "0.500000000000", drift_usd: "-2.500000000000", drift_pct: "-83.33" });
    // day: provider 5, burnrate 2.6, drift −2.4 → −48 %
    expect(mixed.days).toEqual([
      { provider: "openai", day: "2026-11-03", provider_cost_usd: "5.000000000000", burnrate_cost_usd: "2.600000000000", drift_usd: "-2.400000000000", drift_pct: "-48.00" },
    ]);
  });
});

describe("compareReconciliation: pulled days only", () => {
  it("leaves out, on both sides, the days a pull has not answered", () => {
    const result = compareReconciliation({
      provider: [
        provided("anthropic", "2026-11-02", SONNET, { inputTokens: 100, outputTokens: 10, costUsd: "1" }),
        provided("anthropic", "2026-11-04", SONNET, { inputTokens: 100, outputTokens: 10, costUsd: "7" }),
        // Pulled for anthropic only: openai's 2026-11-02 is not compared.
        provided("openai", "2026-11-02", null, { costUsd: "9" }),
      ],
      burnrate: [
        counted("anthropic", "2026-11-02", SONNET, { inputTokens: 100, outputTokens: 10, costUsd: "1" }),
        counted("anthropic", "2026-11-03", SONNET, { inputTokens: 100, outputTokens: 10, costUsd: "5" }),
        counted("anthropic", "2026-11-04", SONNET, { inputTokens: 100, outputTokens: 10, costUsd: "8" }),
        counted("openai", "2026-11-02", GPT4O, { inputTokens: 100, outputTokens: 10, costUsd: "4" }),
      ],
      pulledDays: pulled(["anthropic", "2026-11-02"]),
    });
    expect(result.rows.map((row) => [row.provider, row.day, row.model])).toEqual([["anthropic", "2026-11-02", SONNET]]);
    expect(result.days).toEqual([
      { provider: "anthropic", day: "2026-11-02", provider_cost_usd: "1.000000000000", burnrate_cost_usd: "1.000000000000", drift_usd: "0.000000000000", drift_pct: "0.00" },
    ]);
    expect(result.totals).toEqual([{ provider: "anthropic", provider_cost_usd: "1.000000000000", burnrate_cost_usd: "1.000000000000", drift_usd: "0.000000000000", drift_pct: "0.00" }]);
  });

  it("answers nothing when nothing was pulled", () => {
    const result = compareReconciliation({
      provider: [provided("anthropic", "2026-11-02", SONNET, { costUsd: "1" })],
      burnrate: [counted("anthropic", "2026-11-02", SONNET, { costUsd: "1" })],
      pulledDays: new Set(),
    });
    expect(result).toEqual({ rows: [], days: [], totals: [] });
  });
});

describe("compareReconciliation: models on one side only", () => {
  it("a model only Burnrate has: provider tokens 0, tokens_extra, its cost on the null row", () => {
    const result = compareReconciliation({
      provider: [provided("anthropic", "2026-11-02", SONNET, { inputTokens: 1_000, outputTokens: 100, costUsd: "2" })],
      burnrate: [
        counted("anthropic", "2026-11-02", SONNET, { requests: 4, inputTokens: 1_000, outputTokens: 100, costUsd: "2" }),
        counted("anthropic", "2026-11-02", OPUS, { requests: 5, inputTokens: 1_000, cacheReadTokens: 200, cacheWriteTokens: 50, outputTokens: 100, costUsd: "3" }),
      ],
      pulledDays: pulled(["anthropic", "2026-11-02"]),
    });
    expect(rowOf(result.rows, "anthropic", "2026-11-02", OPUS)).toEqual({
      provider: "anthropic",
      day: "2026-11-02",
      model: OPUS,
      provider_cost_usd: null,
      burnrate_cost_usd: "3.000000000000",
      drift_usd: null,
      drift_pct: null,
      provider_input_tokens: 0,
      burnrate_input_tokens: 1_000,
      provider_cache_read_tokens: 0,
      burnrate_cache_read_tokens: 200,
      provider_cache_write_tokens: 0,
      burnrate_cache_write_tokens: 50,
      provider_output_tokens: 0,
      burnrate_output_tokens: 100,
      provider_requests: 0,
      burnrate_requests: 5,
      burnrate_unpriced_requests: 0,
      causes: ["tokens_extra"],
      explanation: "Burnrate counted more tokens than the provider billed: events sent twice under different ids, or another organization's traffic.",
    });
    // The provider billed nothing against it: a remainder row with Burnrate's 3 and no provider cost.
    expect(rowOf(result.rows, "anthropic", "2026-11-02", null)).toMatchObject({
      provider_cost_usd: null,
      burnrate_cost_usd: "3.000000000000",
      drift_usd: null,
      drift_pct: null,
      causes: [],
      explanation: null,
    });
    // The day: provider 2, burnrate 2 + 3 = 5, drift 3 → 150 %
    expect(result.days).toEqual([
      { provider: "anthropic", day: "2026-11-02", provider_cost_usd: "2.000000000000", burnrate_cost_usd: "5.000000000000", drift_usd: "3.000000000000", drift_pct: "150.00" },
    ]);
    expect(result.rows.map((row) => row.model)).toEqual([OPUS, SONNET, null]);
  });

  it("a model only the provider has: Burnrate 0, tokens_missing naming the missing counts", () => {
    const result = compareReconciliation({
      provider: [provided("anthropic", "2026-11-02", HAIKU, { inputTokens: 12_345, outputTokens: 6_789, costUsd: "0.75" })],
      burnrate: [],
      pulledDays: pulled(["anthropic", "2026-11-02"]),
    });
    expect(result.rows).toHaveLength(1);
    expect(rowOf(result.rows, "anthropic", "2026-11-02", HAIKU)).toMatchObject({
      provider_cost_usd: "0.750000000000",
      burnrate_cost_usd: "0.000000000000",
      drift_usd: "-0.750000000000",
      drift_pct: "-100.00",
      provider_input_tokens: 12_345,
      burnrate_input_tokens: 0,
      provider_output_tokens: 6_789,
      burnrate_output_tokens: 0,
      burnrate_requests: 0,
      causes: ["tokens_missing"],
      explanation: "Traffic not sent to Burnrate: 12,345 input and 6,789 output tokens the provider billed are missing.",
    });
    expect(result.days).toEqual([
      { provider: "anthropic", day: "2026-11-02", provider_cost_usd: "0.750000000000", burnrate_cost_usd: "0.000000000000", drift_usd: "-0.750000000000", drift_pct: "-100.00" },
    ]);
  });

  it("names only the side that is missing", () => {
    const result = compareReconciliation({
      provider: [provided("anthropic", "2026-11-02", HAIKU, { inputTokens: 1_500_000, outputTokens: 1_000, costUsd: "1" })],
      burnrate: [counted("anthropic", "2026-11-02", HAIKU, { inputTokens: 1_000_000, outputTokens: 1_000, costUsd: "0.7" })],
      pulledDays: pulled(["anthropic", "2026-11-02"]),
    });
    expect(rowOf(result.rows, "anthropic", "2026-11-02", HAIKU)).toMatchObject({
      causes: ["tokens_missing"],
      explanation: "Traffic not sent to Burnrate: 500,000 input tokens the provider billed are missing.",
    });
  });
});

describe("compareReconciliation: causes", () => {
  const DAY = "2026-11-02";
  const one = (providerRow: Partial<ProviderRow>, burnrateRow: Partial<BurnrateRow>, withoutCacheWriteRate: string[] = []) => {
    const result = compareReconciliation({
      provider: [provided("anthropic", DAY, SONNET, providerRow)],
      burnrate: [counted("anthropic", DAY, SONNET, burnrateRow)],
      pulledDays: pulled(["anthropic", DAY]),
      modelsWithoutCacheWriteRate: new Set(withoutCacheWriteRate),
    });
    expect(result.rows).toHaveLength(1);
    return result.rows[0] as ReconciliationRowJson;
  };
  const tokens = { inputTokens: 1_000_000, cacheReadTokens: 100_000, cacheWriteTokens: 0, outputTokens: 50_000 };

  it("no cause and no explanation when everything agrees", () => {
    const row = one({ ...tokens, costUsd: "4" }, { ...tokens, requests: 10, costUsd: "4" });
    expect(row.causes).toEqual([]);
    expect(row.explanation).toBeNull();
  });

  it("unpriced_model when some of the model's requests have no price", () => {
    const row = one({ ...tokens, costUsd: "4" }, { ...tokens, requests: 2_000, unpricedRequests: 1_234, costUsd: "1.5" });
    expect(row.causes).toEqual(["unpriced_model"]);
    expect(row.explanation).toBe(`1,234 requests of ${SONNET} have no price in Burnrate: add one and they are re-costed.`);
  });

  it("missing_cache_write_rate when the model's price has no cache-write rate and the provider billed cache writes", () => {
    const withWrites = { ...tokens, cacheWriteTokens: 50_000 };
    const row = one({ ...withWrites, costUsd: "4" }, { ...withWrites, costUsd: "3.9" }, [`anthropic/${SONNET}`]);
    expect(row.causes).toEqual(["missing_cache_write_rate"]);
    expect(row.explanation).toBe("50,000 cache-write tokens are priced at the input rate: the model's price has no cache-write rate.");
  });

  it("not missing_cache_write_rate without cache writes, or for another provider's or model's price", () => {
    // No cache writes: only the price difference (−2.5 %) remains.
    expect(one({ ...tokens, costUsd: "4" }, { ...tokens, costUsd: "3.9" }, [`anthropic/${SONNET}`]).causes).toEqual(["price_difference"]);
    const withWrites = { ...tokens, cacheWriteTokens: 50_000 };
    expect(one({ ...withWrites, costUsd: "4" }, { ...withWrites, costUsd: "3.9" }, [`openai/${SONNET}`, `anthropic/${HAIKU}`]).causes).toEqual(["price_difference"]);
  });

  it("price_difference when tokens agree within 1 % and |drift_pct| > 1", () => {
    // input 1 005 000 vs 1 000 000 is 0.5 %: tokens agree. Cost 4.1 vs 4: +2.5 %.
    const row = one({ ...tokens, costUsd: "4" }, { ...tokens, inputTokens: 1_005_000, costUsd: "4.1" });
    expect(row.drift_pct).toBe("2.50");
    expect(row.causes).toEqual(["price_difference"]);
    expect(row.explanation).toBe("The tokens agree but the cost does not: a price difference (check the model's rates, its tier, or a discount).");
    // Negative drift: −2.5 %
    expect(one({ ...tokens, costUsd: "4" }, { ...tokens, costUsd: "3.9" }).causes).toEqual(["price_difference"]);
  });

  it("no price_difference at exactly 1 %, one from 1.01 %", () => {
    // 101 vs 100: drift_pct 1.00, not above 1
    const atOne = one({ ...tokens, costUsd: "100" }, { ...tokens, costUsd: "101" });
    expect(atOne.drift_pct).toBe("1.00");
    expect(atOne.causes).toEqual([]);
    expect(atOne.explanation).toBeNull();
    expect(one({ ...tokens, costUsd: "100" }, { ...tokens, costUsd: "101.01" }).causes).toEqual(["price_difference"]);
    expect(one({ ...tokens, costUsd: "100" }, { ...tokens, costUsd: "98.99" }).causes).toEqual(["price_difference"]);
  });

  it("tokens within 1 % are noise; beyond 1 % they are a token difference, not a price difference", () => {
    // 1 010 000 vs 1 000 000 is exactly 1 %: still agreeing
    expect(one({ ...tokens, costUsd: "4" }, { ...tokens, inputTokens: 1_010_000, costUsd: "4.1" }).causes).toEqual(["price_difference"]);
    // 1 010 001 is 1.0001 % more
    expect(one({ ...tokens, costUsd: "4" }, { ...tokens, inputTokens: 1_010_001, costUsd: "4.1" }).causes).toEqual(["tokens_extra"]);
    // output 49 000 vs 50 000 is 2 % fewer
    const fewer = one({ ...tokens, costUsd: "4" }, { ...tokens, outputTokens: 49_000, costUsd: "3.9" });
    expect(fewer.causes).toEqual(["tokens_missing"]);
    expect(fewer.explanation).toBe("Traffic not sent to Burnrate: 1,000 output tokens the provider billed are missing.");
  });

  it("lists several causes, most specific first", () => {
    const withWrites = { ...tokens, cacheWriteTokens: 20_000 };
    const row = one({ ...withWrites, costUsd: "4" }, { ...withWrites, inputTokens: 800_000, unpricedRequests: 3, costUsd: "2" }, [`anthropic/${SONNET}`]);
    expect(row.causes).toEqual(["unpriced_model", "missing_cache_write_rate", "tokens_missing"]);
    expect(row.explanation).toBe(
      `3 requests of ${SONNET} have no price in Burnrate: add one and they are re-costed. ` +
        "20,000 cache-write tokens are priced at the input rate: the model's price has no cache-write rate. " +
        "Traffic not sent to Burnrate: 200,000 input tokens the provider billed are missing.",
    );
  });
});

describe("compareReconciliation: order", () => {
  it("sorts rows by provider, day, then model with null last; days by provider and day; totals by provider", () => {
    const result = compareReconciliation({
      provider: [
        provided("openai", "2026-11-03", null, { costUsd: "1" }),
        provided("openai", "2026-11-03", "b-model", { inputTokens: 1 }),
        provided("openai", "2026-11-02", "a-model", { inputTokens: 1, costUsd: "1" }),
        provided("anthropic", "2026-11-03", "z-model", { inputTokens: 1, costUsd: "1" }),
        provided("anthropic", "2026-11-02", null, { costUsd: "1" }),
        provided("anthropic", "2026-11-02", "m-model", { inputTokens: 1, costUsd: "1" }),
      ],
      burnrate: [
        counted("openai", "2026-11-03", "a-model", { inputTokens: 1, costUsd: "1" }),
        counted("anthropic", "2026-11-02", "b-model", { inputTokens: 1, costUsd: "1" }),
        counted("anthropic", "2026-11-02", "a-model", { inputTokens: 1, costUsd: "1" }),
      ],
      pulledDays: pulled(["openai", "2026-11-03"], ["openai", "2026-11-02"], ["anthropic", "2026-11-03"], ["anthropic", "2026-11-02"]),
    });
    expect(result.rows.map((row) => [row.provider, row.day, row.model])).toEqual([
      ["anthropic", "2026-11-02", "a-model"],
      ["anthropic", "2026-11-02", "b-model"],
      ["anthropic", "2026-11-02", "m-model"],
      ["anthropic", "2026-11-02", null],
      ["anthropic", "2026-11-03", "z-model"],
      ["openai", "2026-11-02", "a-model"],
      ["openai", "2026-11-03", "a-model"],
      ["openai", "2026-11-03", "b-model"],
      ["openai", "2026-11-03", null],
    ]);
    expect(result.days.map((day) => [day.provider, day.day])).toEqual([
      ["anthropic", "2026-11-02"],
      ["anthropic", "2026-11-03"],
      ["openai", "2026-11-02"],
      ["openai", "2026-11-03"],
    ]);
    expect(result.totals.map((total) => total.provider)).toEqual(["anthropic", "openai"]);
  });
});
