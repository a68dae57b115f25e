import { describe, expect, it } from "vitest";
import type { HitRatePoint } from "@/lib/analytics/cache-drops";
import type { TokensJump, TokensMetrics } from "@/lib/analytics/tokens-per-request";
import {
  evaluateBudgetForecast,
  evaluateBudgetThreshold,
  evaluateCacheHitRateDrop,
  evaluateSpendSpike,
  evaluateTokensPerRequestJump,
  evaluateUnpricedSpend,
  evaluateUntaggedSpend,
  medianUsd,
  scopeKey,
  type BudgetInput,
  type RuleContext,
  type SpikeInput,
} from "@/lib/alerts/rules";
import { effectiveParams } from "@/lib/schemas/alerts";

const ctx: RuleContext = { ruleId: "rule-1", baseUrl: "https://burnrate.example", now: new Date("2025-09-10T12:30:00Z") };
const SEPTEMBER = new Date("2025-09-01T00:00:00Z");

function budget(overrides: Partial<BudgetInput> = {}): BudgetInput {
  return {
    id: "budget-1",
    name: "Search",
    scope: { team: "search" },
    amountUsd: "1000",
    thresholds: [50, 80, 100],
    spentUsd: "800",
    forecastUsd: "1200",
    basisDays: 20,
    periodStart: SEPTEMBER,
    ...overrides,
  };
}

describe("budget_threshold", () => {
  const params = effectiveParams("budget_threshold", {});

  it("fires each threshold reached, exactly at 80.00 % and not at 79.99 %", () => {
    expect(evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "799.99" })]).map((f) => f.payload.threshold)).toEqual([50]);
    expect(evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "799.999999999999" })]).map((f) => f.payload.threshold)).toEqual([50]);
    expect(evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "800" })]).map((f) => f.payload.threshold)).toEqual([50, 80]);
    expect(evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "1000" })]).map((f) => f.payload.threshold)).toEqual([50, 80, 100]);
    expect(evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "0" })])).toEqual([]);
  });

  it("writes the contract's payload and a message that never rounds up", () => {
    const [, at80] = evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "800" })]);
    expect(at80).toEqual({
      ruleType: "budget_threshold",
      type: "budget.threshold",
      dedupeKey: 'budget_threshold|rule-1|[["team","search"]]|2025-09-01T00:00:00.000Z|budget-1|80',
      budgetId: "budget-1",
      scope: { team: "search" },
      periodStart: SEPTEMBER,
      message: 'Budget "Search" has used 80.00% of its $1,000.00 monthly budget ($800.00 spent), past its 80% threshold.',
      payload: {
        type: "budget.threshold",
        budget_id: "budget-1",
        threshold: 80,
        actual_usd: "800.000000000000",
        forecast_usd: "1200.000000000000",
        amount_usd: "1000.000000000000",
        message: 'Budget "Search" has used 80.00% of its $1,000.00 monthly budget ($800.00 spent), past its 80% threshold.',
        url: "https://burnrate.example/budgets",
        scope: { team: "search" },
        period_start: "2025-09-01T00:00:00.000Z",
      },
    });
    const [at50] = evaluateBudgetThreshold(ctx, params, [budget({ spentUsd: "799.999" })]);
    expect(at50?.message).toBe('Budget "Search" has used 79.99% of its $1,000.00 monthly budget ($800.00 spent), past its 50% threshold.');
  });

  it("keys every threshold, budget and period apart", () => {
    const keys = evaluateBudgetThreshold(ctx, params, [
      budget({ spentUsd: "1000" }),
      budget({ id: "budget-2", spentUsd: "1000" }),
      budget({ spentUsd: "1000", periodStart: new Date("2025-10-01T00:00:00Z") }),
    ]).map((f) => f.dedupeKey);
    expect(new Set(keys).size).toBe(9);
  });
});

describe("budget_forecast", () => {
  const params = effectiveParams("budget_forecast", {});

  it("fires when the forecast is above the amount, not at it", () => {
    expect(evaluateBudgetForecast(ctx, params, [budget({ forecastUsd: "1000" })])).toEqual([]);
    const [finding] = evaluateBudgetForecast(ctx, params, [budget({ forecastUsd: "1000.000000000001" })]);
    expect(finding?.payload).toEqual({
      type: "budget.forecast",
      budget_id: "budget-1",
      actual_usd: "800.000000000000",
      forecast_usd: "1000.000000000001",
      amount_usd: "1000.000000000000",
      message: 'Budget "Search" is forecast to spend $1,000.00 this month, 100.00% of its $1,000.00 budget ($800.00 spent so far).',
      url: "https://burnrate.example/budgets",
      scope: { team: "search" },
      period_start: "2025-09-01T00:00:00.000Z",
    });
    expect(finding?.dedupeKey).toBe('budget_forecast|rule-1|[["team","search"]]|2025-09-01T00:00:00.000Z|budget-1');
  });

  it("waits for min_basis_days (default 1) and honours margin_pct", () => {
    expect(evaluateBudgetForecast(ctx, params, [budget({ basisDays: 0 })])).toEqual([]);
    expect(evaluateBudgetForecast(ctx, effectiveParams("budget_forecast", { min_basis_days: 0 }), [budget({ basisDays: 0 })])).toHaveLength(1);
    const margin = effectiveParams("budget_forecast", { margin_pct: 20 });
    expect(evaluateBudgetForecast(ctx, margin, [budget({ forecastUsd: "1200" })])).toEqual([]);
    expect(evaluateBudgetForecast(ctx, margin, [budget({ forecastUsd: "1200.01" })])).toHaveLength(1);
  });
});

describe("spend_spike", () => {
  const params = effectiveParams("spend_spike", {});
  const hourStart = new Date("2025-09-10T11:00:00Z");

  function spike(actualUsd: string, baselineUsd: string[], overrides: Partial<SpikeInput> = {}): SpikeInput {
    return {
      scope: { team: "search" },
      window: "hour",
      windowStart: hourStart,
      windowEnd: new Date("2025-09-10T12:00:00Z"),
      actualUsd,
      baselineUsd,
      ...overrides,
    };
  }
  const seven = (value: string) => Array.from({ length: 7 }, () => value);

  it("has the documented defaults", () => {
    expect(params).toEqual({ windows: ["hour", "day"], relative: 1, floor_usd: "5", baseline_days: 7, group_by: "team" });
  });

  it("needs more than baseline × 2: exactly twice the baseline does not fire", () => {
    expect(evaluateSpendSpike(ctx, params, [spike("20", seven("10"))])).toEqual([]);
    expect(evaluateSpendSpike(ctx, params, [spike("20.000000000001", seven("10"))])).toHaveLength(1);
  });

  it("needs an excess of at least the floor: exactly $5 above fires, a hair less does not", () => {
    expect(evaluateSpendSpike(ctx, params, [spike("6", seven("1"))])).toHaveLength(1);
    expect(evaluateSpendSpike(ctx, params, [spike("5.999999999999", seven("1"))])).toEqual([]);
    // no history at all: the floor alone decides
    expect(evaluateSpendSpike(ctx, params, [spike("5", seven("0"))])).toHaveLength(1);
    expect(evaluateSpendSpike(ctx, params, [spike("4.99", seven("0"))])).toEqual([]);
  });

  it("compares with the median, so one earlier spike does not raise the baseline", () => {
    expect(medianUsd(["1", "3"]).toFixed()).toBe("2");
    expect(medianUsd(["100", "1", "1", "1", "1", "1", "1"]).toFixed()).toBe("1");
    expect(evaluateSpendSpike(ctx, params, [spike("7", ["100", "1", "1", "1", "1", "1", "1"])])).toHaveLength(1);
  });

  it("writes the hour and day messages and payloads, keyed per window and UTC day", () => {
    const [hour] = evaluateSpendSpike(ctx, params, [spike("7", seven("1"))]);
    expect(hour).toMatchObject({
      type: "spend.spike",
      dedupeKey: 'spend_spike|rule-1|[["team","search"]]|2025-09-10T00:00:00.000Z|hour',
      periodStart: new Date("2025-09-10T00:00:00Z"),
      budgetId: null,
    });
    expect(hour?.payload).toEqual({
      type: "spend.spike",
      actual_usd: "7.000000000000",
      baseline_usd: "1.000000000000",
      window: "hour",
      window_start: "2025-09-10T11:00:00.000Z",
      window_end: "2025-09-10T12:00:00.000Z",
      message:
        "Spend spike (team search): $7.00 in the hour from 2025-09-10 11:00 UTC, against a median of $1.00 for that hour over the previous 7 days (+$6.00).",
      url: "https://burnrate.example/showback",
      scope: { team: "search" },
      period_start: "2025-09-10T00:00:00.000Z",
    });
    const [day] = evaluateSpendSpike(ctx, params, [
      spike("30", seven("2"), { window: "day", windowStart: new Date("2025-09-10T00:00:00Z"), windowEnd: new Date("2025-09-10T13:00:00Z"), scope: {} }),
    ]);
    expect(day?.message).toBe(
      "Spend spike (all spend): $30.00 today so far (through 2025-09-10 13:00 UTC), against a median of $2.00 by that time over the previous 7 days (+$28.00).",
    );
    expect(day?.dedupeKey).toBe("spend_spike|rule-1|[]|2025-09-10T00:00:00.000Z|day");
  });

  it("evaluates only the windows asked for, with the relative and floor asked for", () => {
    const dayOnly = effectiveParams("spend_spike", { windows: ["day"] });
    expect(evaluateSpendSpike(ctx, dayOnly, [spike("7", seven("1"))])).toEqual([]);
    const tuned = effectiveParams("spend_spike", { relative: 0.5, floor_usd: "0.5" });
    expect(evaluateSpendSpike(ctx, tuned, [spike("1.5", seven("1"))])).toEqual([]);
    expect(evaluateSpendSpike(ctx, tuned, [spike("1.51", seven("1"))])).toHaveLength(1);
  });
});

describe("cache_hit_rate_drop", () => {
  const params = effectiveParams("cache_hit_rate_drop", { baseline_buckets: 3, min_requests: 1, min_buckets: 2 });
  const HOUR = 3_600_000;
  const start = Date.parse("2025-09-10T05:00:00Z");
  const series = (reads: number[]): HitRatePoint[] =>
    reads.map((read, i) => ({ bucket: new Date(start + i * HOUR).toISOString(), requests: 10, inputTokens: 1000, cacheReadInputTokens: read }));

  it("has the documented defaults", () => {
    expect(effectiveParams("cache_hit_rate_drop", {})).toEqual({ group_by: "feature", bucket: "hour", drop_pp: 15, min_requests: 50, lookback_days: 14 });
  });

  it("fires an ongoing episode exactly 15 points down, not 14.9", () => {
    const scope = { team: "search", feature: "f1" };
    const [finding] = evaluateCacheHitRateDrop(ctx, params, [{ scope, points: series([600, 600, 600, 450, 450]) }], HOUR);
    expect(finding).toMatchObject({
      type: "cache.hit_rate_drop",
      dedupeKey: 'cache_hit_rate_drop|rule-1|[["team","search"],["feature","f1"]]|2025-09-10T08:00:00.000Z',
      periodStart: new Date("2025-09-10T08:00:00Z"),
    });
    expect(finding?.payload).toEqual({
      type: "cache.hit_rate_drop",
      baseline_hit_rate: "0.6000",
      hit_rate: "0.4500",
      drop_pp: "15.00",
      episode_start: "2025-09-10T08:00:00.000Z",
      message: "Prompt-cache hit rate (team search, feature f1) dropped 15.00 points: 45.00% at its lowest against a baseline of 60.00%, since 2025-09-10 08:00 UTC.",
      url: "https://burnrate.example/cache",
      scope,
      period_start: "2025-09-10T08:00:00.000Z",
    });
    expect(evaluateCacheHitRateDrop(ctx, params, [{ scope, points: series([600, 600, 600, 451, 451]) }], HOUR)).toEqual([]);
  });

  it("does not fire a recovered episode or one shorter than min_buckets", () => {
    const scope = { feature: "f1" };
    expect(evaluateCacheHitRateDrop(ctx, params, [{ scope, points: series([600, 600, 600, 300, 300, 600]) }], HOUR)).toEqual([]);
    expect(evaluateCacheHitRateDrop(ctx, params, [{ scope, points: series([600, 600, 600, 300]) }], HOUR)).toEqual([]);
  });
});

describe("tokens_per_request_jump", () => {
  const metrics = (requests: number, avgInput: string, avgOutput: string): TokensMetrics => ({
    requests,
    input_tokens: 0,
    output_tokens: 0,
    avg_input_tokens: avgInput,
    avg_output_tokens: avgOutput,
  });
  const jump = (input: boolean, output: boolean): TokensJump => ({
    recent: metrics(60, "1250.0", "100.0"),
    prior: metrics(60, "1000.0", "100.0"),
    input_change_pct: "25.0",
    output_change_pct: "0.0",
    input_jump: input,
    output_jump: output,
    jump: input || output,
  });
  const scope = { team: "search", feature: "f1" };

  it("fires on the jump flag, once per month", () => {
    const [finding] = evaluateTokensPerRequestJump(ctx, effectiveParams("tokens_per_request_jump", {}), [{ scope, jump: jump(true, false) }]);
    expect(finding?.dedupeKey).toBe('tokens_per_request_jump|rule-1|[["team","search"],["feature","f1"]]|2025-09-01T00:00:00.000Z');
    expect(finding?.payload).toEqual({
      type: "tokens.per_request_jump",
      input_change_pct: "25.0",
      output_change_pct: "0.0",
      avg_input_tokens: "1250.0",
      prior_avg_input_tokens: "1000.0",
      avg_output_tokens: "100.0",
      prior_avg_output_tokens: "100.0",
      message: "Tokens per request jumped (team search, feature f1): input +25.0% (1000.0 → 1250.0) in the last 7 days against the 28 days before.",
      url: "https://burnrate.example/cache",
      scope,
      period_start: "2025-09-01T00:00:00.000Z",
    });
    expect(evaluateTokensPerRequestJump(ctx, effectiveParams("tokens_per_request_jump", {}), [{ scope, jump: jump(false, false) }])).toEqual([]);
  });

  it("watches input, output or either", () => {
    expect(evaluateTokensPerRequestJump(ctx, effectiveParams("tokens_per_request_jump", { on: "output" }), [{ scope, jump: jump(true, false) }])).toEqual([]);
    expect(evaluateTokensPerRequestJump(ctx, effectiveParams("tokens_per_request_jump", { on: "input" }), [{ scope, jump: jump(true, false) }])).toHaveLength(1);
  });
});

describe("unpriced_spend", () => {
  const params = effectiveParams("unpriced_spend", {});

  it("fires on any unpriced request this month", () => {
    const [finding] = evaluateUnpricedSpend(ctx, params, { scope: {}, periodStart: SEPTEMBER, models: [{ provider: "openai", model: "x", unpricedRequests: 1 }] });
    expect(finding?.payload).toEqual({
      type: "spend.unpriced",
      unpriced_requests: 1,
      models: ["openai/x"],
      message: "1 unpriced request this month from 1 model (openai/x): add prices so this spend is counted.",
      url: "https://burnrate.example/prices",
      scope: {},
      period_start: "2025-09-01T00:00:00.000Z",
    });
    expect(finding?.dedupeKey).toBe("unpriced_spend|rule-1|[]|2025-09-01T00:00:00.000Z");
    expect(evaluateUnpricedSpend(ctx, params, { scope: {}, periodStart: SEPTEMBER, models: [] })).toEqual([]);
  });

  it("lists five models and counts the rest; honours min_requests", () => {
    const models = Array.from({ length: 7 }, (_, i) => ({ provider: "p", model: `m${i}`, unpricedRequests: 2 }));
    const [finding] = evaluateUnpricedSpend(ctx, params, { scope: { team: "search" }, periodStart: SEPTEMBER, models });
    expect(finding?.message).toBe(
      "14 unpriced requests this month (team search) from 7 models (p/m0, p/m1, p/m2, p/m3, p/m4 and 2 more): add prices so this spend is counted.",
    );
    const strict = effectiveParams("unpriced_spend", { min_requests: 15 });
    expect(evaluateUnpricedSpend(ctx, strict, { scope: {}, periodStart: SEPTEMBER, models })).toEqual([]);
  });
});

describe("untagged_spend", () => {
  const params = effectiveParams("untagged_spend", {});
  const input = (untaggedUsd: string, totalUsd: string) => ({ scope: {}, periodStart: SEPTEMBER, totalUsd, untaggedUsd });

  it("has the documented defaults", () => {
    expect(params).toEqual({ tag: "team", share_pct: 5, min_untagged_usd: "1" });
  });

  it("fires at exactly 5.00 % of spend, not at 4.99 %", () => {
    const [finding] = evaluateUntaggedSpend(ctx, params, input("5", "100"));
    expect(finding?.payload).toEqual({
      type: "spend.untagged",
      tag: "team",
      actual_usd: "100.000000000000",
      untagged_usd: "5.000000000000",
      untagged_share_pct: "5.00",
      message: "5.00% of this month's spend has no team tag: $5.00 of $100.00.",
      url: "https://burnrate.example/showback",
      scope: {},
      period_start: "2025-09-01T00:00:00.000Z",
    });
    expect(finding?.dedupeKey).toBe("untagged_spend|rule-1|[]|2025-09-01T00:00:00.000Z|team");
    expect(evaluateUntaggedSpend(ctx, params, input("4.99", "100"))).toEqual([]);
    expect(evaluateUntaggedSpend(ctx, params, input("4.999999999999", "100"))).toEqual([]);
  });

  it("ignores small amounts (min_untagged_usd) and empty months", () => {
    expect(evaluateUntaggedSpend(ctx, params, input("0.99", "10"))).toEqual([]);
    expect(evaluateUntaggedSpend(ctx, params, input("1", "10"))).toHaveLength(1);
    expect(evaluateUntaggedSpend(ctx, params, input("0", "0"))).toEqual([]);
  });
});

describe("dedupe keys", () => {
  it("name the scope's tags in a fixed order", () => {
    expect(scopeKey({ feature: "f", team: "t" })).toBe(scopeKey({ team: "t", feature: "f" }));
    expect(scopeKey({})).toBe("[]");
  });
});
