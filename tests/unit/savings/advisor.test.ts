import { describe, expect, it, vi } from "vitest";
import type { PriceRates } from "@/lib/pricing/compute-cost";
import { withScaledRates, type ScaledEntry } from "@/lib/pricing/price-cost";
import type { SavingsKind } from "@/lib/schemas/savings";
import {
  featureKey,
  findOpportunities,
  LONG_PROMPT_TOKENS,
  MIN_CACHE_REQUESTS,
  MIN_WEEK_REQUESTS,
  type AdvisorInput,
  type ModelRef,
  type Opportunity,
  type UsageGroup,
  type WeekGroup,
} from "@/lib/savings/advisor";

/**
 * The savings advisor's arithmetic on synthetic aggregates. Every expected figure is worked
 * out by hand in the comments, with the billing rule of lib/pricing/compute-cost.ts: input
 * tokens include cache reads and writes, so uncached input = input − reads − writes at the
 * input rate, reads at the cache-read rate, writes at the cache-write rate, visible output
 * (output − reasoning) at the output rate and reasoning at the reasoning rate; / 1e6.
 */

function rates(input: string, output: string, cacheRead: string, cacheWrite: string, reasoning: string): PriceRates {
  return { inputPerMtok: input, outputPerMtok: output, cacheReadPerMtok: cacheRead, cacheWritePerMtok: cacheWrite, cacheWrite1hPerMtok: cacheWrite, reasoningPerMtok: reasoning };
}

type PriceTable = Record<string, PriceRates>;

/** priceOf over a table keyed "provider/model/tier", entries built the way the price index builds them. */
function priceOfTable(table: PriceTable): AdvisorInput["priceOf"] {
  const entries = new Map<string, ScaledEntry>(Object.entries(table).map(([key, r]) => [key, withScaledRates({ rates: r, longContext: null })]));
  return (provider, model, tier) => entries.get(`${provider}/${model}/${tier}`) ?? null;
}

const PRICES: PriceTable = {
  "anthropic/big/standard": rates("3", "15", "0.3", "3.75", "12"),
  "anthropic/big/batch": rates("1.5", "7.5", "0.15", "1.875", "6"),
  "anthropic/small/standard": rates("0.8", "4", "0.08", "1", "4"),
  "anthropic/mid/standard": rates("1", "5", "0.1", "1.25", "5"),
  "anthropic/pricey/standard": rates("15", "75", "1.5", "18.75", "75"),
  "anthropic/twin/standard": rates("3", "15", "0.3", "3.75", "12"),
  // Only a batch price: not a standard substitute.
  "anthropic/ghost/batch": rates("0.01", "0.01", "0.01", "0.01", "0.01"),
  "openai/gpt-x/standard": rates("2", "8", "0.5", "2.5", "8"),
  // A batch price no cheaper than standard.
  "openai/gpt-x/batch": rates("2", "8", "0.5", "2.5", "8"),
  // No standard price of its own, only a batch one.
  "anthropic/orphan/batch": rates("0.1", "0.1", "0.1", "0.1", "0.1"),
};

const ref = (provider: string, model: string): ModelRef => ({ provider, model });
const sub = (from: ModelRef, to: ModelRef) => ({ from, to });

function group(overrides: Partial<UsageGroup> = {}): UsageGroup {
  return {
    team: "search",
    feature: "summarize",
    provider: "anthropic",
    model: "big",
    serviceTier: "standard",
    requests: 500,
    inputTokens: 1_234_567,
    outputTokens: 89_012,
    cacheReadInputTokens: 345_678,
    cacheCreationInputTokens: 23_456,
    reasoningOutputTokens: 12_345,
    ...overrides,
  };
}

/*
 * group() billed: uncached input 1,234,567 − 345,678 − 23,456 = 865,433; reads 345,678;
 * writes 23,456; visible output 89,012 − 12,345 = 76,667; reasoning 12,345.
 *
 * big (3 / 0.3 / 3.75 / 15 / 12):
 *   865,433×3 = 2,596,299; 345,678×0.3 = 103,703.4; 23,456×3.75 = 87,960; 76,667×15 = 1,150,005;
 *   12,345×12 = 148,140 → 4,086,107.4 / 1e6 = 4.0861074
 * big batch (half of every rate) → 2.0430537
 * small (0.8 / 0.08 / 1 / 4 / 4):
 *   692,346.4 + 27,654.24 + 23,456 + 306,668 + 49,380 = 1,099,504.64 → 1.09950464
 * mid (1 / 0.1 / 1.25 / 5 / 5):
 *   865,433 + 34,567.8 + 29,320 + 383,335 + 61,725 = 1,374,380.8 → 1.3743808
 * pricey (15 / 1.5 / 18.75 / 75 / 75):
 *   12,981,495 + 518,517 + 439,800 + 5,750,025 + 925,875 = 20,615,712 → 20.615712
 */
const BIG = "4.086107400000";
const SMALL = "1.099504640000";
const BIG_BATCH = "2.043053700000";
// 4.0861074 − 1.09950464
const SWAP_SAVINGS = "2.986602760000";
// 4.0861074 − 2.0430537
const BATCH_SAVINGS = "2.043053700000";

const STARTERS = [sub(ref("anthropic", "big"), ref("anthropic", "mid")), sub(ref("anthropic", "big"), ref("anthropic", "small"))];

function input(overrides: Partial<AdvisorInput> = {}): AdvisorInput {
  return {
    groups: [group()],
    weeks: [],
    priceOf: priceOfTable(PRICES),
    substitutes: STARTERS,
    deferrable: new Set(),
    dismissed: () => false,
    windowDays: 28,
    ...overrides,
  };
}

const kinds = (opportunities: readonly Opportunity[]) => opportunities.map((o) => o.kind);

describe("featureKey", () => {
  it('joins team and feature with NUL, a null feature as ""', () => {
    expect(featureKey("search", "rerank")).toBe("search\u0000rerank");
    expect(featureKey("search", null)).toBe("search\u0000");
  });
});

describe("model_swap", () => {
  it("the cheaper of two substitutes wins, with exact figures", () => {
    const { opportunities, total_savings_usd } = findOpportunities(input());
    expect(opportunities).toEqual([
      {
        kind: "model_swap",
        team: "search",
        feature: "summarize",
        provider: "anthropic",
        model: "big",
        suggested_provider: "anthropic",
        suggested_model: "small",
        current_cost_usd: BIG,
        projected_cost_usd: SMALL,
        savings_usd: SWAP_SAVINGS,
        // 2.98660276 × 30 / 28 = 89.5980828 / 28 = 3.19993152857142857… → 3.199931528571
        savings_per_month_usd: "3.199931528571",
        // 2.98660276 / 4.0861074 = 0.730916… → 73.1%
        rationale: "small prices this feature's 1.2M input and 89K output tokens 73.1% lower than big.",
      },
    ]);
    expect(total_savings_usd).toBe(SWAP_SAVINGS);
  });

  it("the order of the substitutes does not matter", () => {
    const reversed = findOpportunities(input({ substitutes: [...STARTERS].reverse() }));
    expect(reversed.opportunities.map((o) => [o.suggested_model, o.projected_cost_usd])).toEqual([["small", SMALL]]);
  });

  it("only the second substitute: mid's projection", () => {
    const { opportunities } = findOpportunities(input({ substitutes: [sub(ref("anthropic", "big"), ref("anthropic", "mid"))] }));
    // 4.0861074 − 1.3743808 = 2.7117266
    expect(opportunities).toHaveLength(1);
    expect(opportunities[0]).toMatchObject({ suggested_model: "mid", projected_cost_usd: "1.374380800000", savings_usd: "2.711726600000" });
  });

  it("skips a substitute with no standard price (even one with a batch price) and a pricier one never wins", () => {
    const substitutes = [
      sub(ref("anthropic", "big"), ref("anthropic", "pricey")),
      sub(ref("anthropic", "big"), ref("anthropic", "ghost")),
      sub(ref("anthropic", "big"), ref("anthropic", "nowhere")),
      sub(ref("anthropic", "big"), ref("anthropic", "mid")),
    ];
    const { opportunities } = findOpportunities(input({ substitutes }));
    expect(opportunities.map((o) => o.suggested_model)).toEqual(["mid"]);
  });

  it("a substitute more expensive than the current model, or priced the same, yields nothing", () => {
    for (const to of ["pricey", "twin", "ghost", "nowhere"]) {
      const result = findOpportunities(input({ substitutes: [sub(ref("anthropic", "big"), ref("anthropic", to))] }));
      expect(result.opportunities, to).toEqual([]);
      expect(result.total_savings_usd).toBe("0.000000000000");
    }
  });

  it("a substitute applies only to its own provider and model", () => {
    const substitutes = [sub(ref("openai", "big"), ref("anthropic", "small")), sub(ref("anthropic", "bigger"), ref("anthropic", "small"))];
    expect(findOpportunities(input({ substitutes })).opportunities).toEqual([]);
  });

  it("a cross-provider substitute is priced at its own standard price", () => {
    // gpt-x (2 / 0.5 / 2.5 / 8 / 8): 1,730,866 + 172,839 + 58,640 + 613,336 + 98,760 = 2,674,441 → 2.674441
    const { opportunities } = findOpportunities(input({ substitutes: [sub(ref("anthropic", "big"), ref("openai", "gpt-x"))] }));
    expect(opportunities).toHaveLength(1);
    // 4.0861074 − 2.674441 = 1.4116664
    expect(opportunities[0]).toMatchObject({
      suggested_provider: "openai",
      suggested_model: "gpt-x",
      projected_cost_usd: "2.674441000000",
      savings_usd: "1.411666400000",
    });
  });
});

describe("batch_tier", () => {
  const deferrable = new Set([featureKey("search", "summarize")]);

  it("for a deferrable feature whose model has a cheaper batch price", () => {
    const { opportunities, total_savings_usd } = findOpportunities(input({ substitutes: [], deferrable }));
    expect(opportunities).toEqual([
      {
        kind: "batch_tier",
        team: "search",
        feature: "summarize",
        provider: "anthropic",
        model: "big",
        suggested_tier: "batch",
        current_cost_usd: BIG,
        projected_cost_usd: BIG_BATCH,
        savings_usd: BATCH_SAVINGS,
        // 2.0430537 × 30 / 28 = 61.291611 / 28 = 2.18898610714285714… → 2.188986107143
        savings_per_month_usd: "2.188986107143",
        rationale: "Marked deferrable: big's batch tier would have billed these 500 calls 50.0% less.",
      },
    ]);
    expect(total_savings_usd).toBe(BATCH_SAVINGS);
  });

  it("not for a feature that is not marked deferrable (another feature or team is)", () => {
    const others = new Set([featureKey("search", "rerank"), featureKey("ads", "summarize"), featureKey("search", null)]);
    expect(findOpportunities(input({ substitutes: [], deferrable: others })).opportunities).toEqual([]);
  });

  it("a feature-less group matches the key of a null feature", () => {
    const result = findOpportunities(input({ groups: [group({ feature: null })], substitutes: [], deferrable: new Set([featureKey("search", null)]) }));
    expect(result.opportunities.map((o) => [o.kind, o.feature])).toEqual([["batch_tier", null]]);
  });

  it("not when the model has no batch price, nor when the batch price is no cheaper", () => {
    const mid = group({ model: "mid" });
    expect(findOpportunities(input({ groups: [mid], substitutes: [], deferrable })).opportunities).toEqual([]);
    const gpt = group({ provider: "openai", model: "gpt-x" });
    expect(findOpportunities(input({ groups: [gpt], substitutes: [], deferrable })).opportunities).toEqual([]);
  });

  it("comes with the model swap when both apply", () => {
    const { opportunities, total_savings_usd } = findOpportunities(input({ deferrable }));
    expect(kinds(opportunities)).toEqual(["model_swap", "batch_tier"]);
    // Alternatives for one feature and model: the total counts the better one (2.98660276), not both.
    expect(total_savings_usd).toBe("2.986602760000");
  });
});

/*
 * Prompt caching, at every threshold at once: 100 requests, 102,400 input tokens (1,024 per
 * request on average), 10,240 cache reads (10%), two weeks of exactly 50 requests and 51,200
 * input tokens (1,024 on average), the best reading 10,240 (20%: exactly 10 points more).
 * Output 5,000 of which 1,000 reasoning, all at 8.
 * gpt-x (2 / 0.5 / 2.5 / 8 / 8):
 *   current: 92,160×2 + 10,240×0.5 + 4,000×8 + 1,000×8 = 184,320 + 5,120 + 40,000 = 229,440 → 0.22944
 *   extra = min(92,160, floor(102,400 × 10,240 / 51,200) − 10,240) = 20,480 − 10,240 = 10,240
 *   projected: 81,920×2 + 20,480×0.5 + 40,000 = 163,840 + 10,240 + 40,000 = 214,080 → 0.21408
 *   savings 0.01536
 */
function cachingGroup(overrides: Partial<UsageGroup> = {}): UsageGroup {
  return group({
    feature: "rerank",
    provider: "openai",
    model: "gpt-x",
    requests: 100,
    inputTokens: 102_400,
    outputTokens: 5_000,
    cacheReadInputTokens: 10_240,
    cacheCreationInputTokens: 0,
    reasoningOutputTokens: 1_000,
    ...overrides,
  });
}

function week(weekOf: string, requests: number, inputTokens: number, cacheReadInputTokens: number, overrides: Partial<WeekGroup> = {}): WeekGroup {
  return { team: "search", feature: "rerank", provider: "openai", model: "gpt-x", week: weekOf, requests, inputTokens, cacheReadInputTokens, ...overrides };
}

const CACHE_WEEKS = [week("2026-11-02", 50, 51_200, 0), week("2026-11-09", 50, 51_200, 10_240)];

function caching(groupOverrides: Partial<UsageGroup> = {}, weeks: readonly WeekGroup[] = CACHE_WEEKS, rest: Partial<AdvisorInput> = {}) {
  return findOpportunities(input({ groups: [cachingGroup(groupOverrides)], weeks, windowDays: 7, ...rest }));
}

describe("prompt_caching", () => {
  it("the thresholds are the documented ones", () => {
    expect(MIN_CACHE_REQUESTS).toBe(100);
    expect(LONG_PROMPT_TOKENS).toBe(1024);
    expect(MIN_WEEK_REQUESTS).toBe(50);
  });

  it("qualifies exactly at every threshold, with exact figures", () => {
    const { opportunities, total_savings_usd } = caching();
    expect(opportunities).toEqual([
      {
        kind: "prompt_caching",
        team: "search",
        feature: "rerank",
        provider: "openai",
        model: "gpt-x",
        current_cost_usd: "0.229440000000",
        projected_cost_usd: "0.214080000000",
        savings_usd: "0.015360000000",
        // 0.01536 × 30 / 7 = 0.4608 / 7 = 0.06582857142857142… → 0.065828571429 (rounded up)
        savings_per_month_usd: "0.065828571429",
        rationale:
          "Prompts average 1K input tokens and stay steady, but only 10.0% were read from the cache against 20.0% in the week of 2026-11-09: 10.2K more cached tokens at that rate.",
      },
    ]);
    expect(total_savings_usd).toBe("0.015360000000");
  });

  it("not below MIN_CACHE_REQUESTS requests (99; average 1,034.3, weeks still steady)", () => {
    expect(caching({ requests: 99 }).opportunities).toEqual([]);
  });

  it("not for prompts below LONG_PROMPT_TOKENS on average", () => {
    // 102,399 / 100 = 1,023.99; reads 10,239 keep the gain at 0.2 − 0.09999… ≥ 0.10.
    expect(caching({ inputTokens: 102_399, cacheReadInputTokens: 10_239 }).opportunities).toEqual([]);
    // Control: the same reads with 102,400 input tokens qualify.
    expect(kinds(caching({ cacheReadInputTokens: 10_239 }).opportunities)).toEqual(["prompt_caching"]);
  });

  it("needs at least two weeks with MIN_WEEK_REQUESTS requests each", () => {
    expect(caching({}, [week("2026-11-02", 49, 51_200, 0), week("2026-11-09", 50, 51_200, 10_240)]).opportunities).toEqual([]);
    expect(caching({}, [week("2026-11-09", 100, 102_400, 10_240)]).opportunities).toEqual([]);
    expect(caching({}, []).opportunities).toEqual([]);
  });

  it("ignores quiet weeks: neither for steadiness nor as the best week", () => {
    // A 49-request week with 100% hits and 5,120 tokens per request changes nothing.
    const weeks = [...CACHE_WEEKS, week("2026-11-16", 49, 250_880, 250_880)];
    const { opportunities } = caching({}, weeks);
    expect(opportunities).toHaveLength(1);
    expect(opportunities[0]).toMatchObject({ savings_usd: "0.015360000000" });
    expect(opportunities[0]?.rationale).toContain("in the week of 2026-11-09");
  });

  it("counts only the group's own weeks (same team, feature, provider and model)", () => {
    for (const other of [{ team: "ads" }, { feature: "chat" }, { feature: null }, { provider: "azure" }, { model: "gpt-y" }] satisfies Partial<WeekGroup>[]) {
      const weeks = CACHE_WEEKS.map((w) => ({ ...w, ...other }));
      expect(caching({}, weeks).opportunities, JSON.stringify(other)).toEqual([]);
    }
  });

  it("steady: every busy week's average within 25% of the window's (boundaries included)", () => {
    // Window average 1,024; 25% is 256: weeks may average 768 to 1,280.
    // 64,000 / 50 = 1,280 (4% hits) and 38,400 / 50 = 768 (7,680: 20% hits).
    // extra = floor(102,400 × 7,680 / 38,400) − 10,240 = 20,480 − 10,240 = 10,240: the same figures.
    const edges = [week("2026-11-02", 50, 64_000, 2_560), week("2026-11-09", 50, 38_400, 7_680)];
    const { opportunities } = caching({}, edges);
    expect(opportunities.map((o) => [o.savings_usd, o.projected_cost_usd])).toEqual([["0.015360000000", "0.214080000000"]]);
    // 64,001 / 50 = 1,280.02: too far above.
    expect(caching({}, [week("2026-11-02", 50, 64_001, 2_560), edges[1]!]).opportunities).toEqual([]);
    // 38,399 / 50 = 767.98: too far below.
    expect(caching({}, [edges[0]!, week("2026-11-09", 50, 38_399, 7_680)]).opportunities).toEqual([]);
  });

  it("needs the best week's hit rate at least 10 points above the window's", () => {
    // 10,241 / 102,400 = 0.10000977; 0.2 − that < 0.10.
    expect(caching({ cacheReadInputTokens: 10_241 }).opportunities).toEqual([]);
    // The best week at 19.998% (10,239 / 51,200): short as well.
    expect(caching({}, [week("2026-11-02", 50, 51_200, 0), week("2026-11-09", 50, 51_200, 10_239)]).opportunities).toEqual([]);
  });

  it("the extra cached tokens are rounded down", () => {
    // Best week 10,241 / 51,201 (average 1,024.02: steady).
    // 102,400 × 10,241 / 51,201 = 1,048,678,400 / 51,201 = 20,481.59… → 20,481; extra = 10,241.
    // projected: 81,919×2 + 20,481×0.5 + 40,000 = 163,838 + 10,240.5 + 40,000 = 214,078.5 → 0.2140785
    // savings 0.22944 − 0.2140785 = 0.0153615
    const { opportunities } = caching({}, [week("2026-11-02", 50, 51_200, 0), week("2026-11-09", 50, 51_201, 10_241)]);
    expect(opportunities).toHaveLength(1);
    expect(opportunities[0]).toMatchObject({ projected_cost_usd: "0.214078500000", savings_usd: "0.015361500000" });
    expect(opportunities[0]?.rationale).toContain(": 10.2K more cached tokens");
  });

  it("the extra cached tokens are capped at the uncached input", () => {
    // 87,000 cache writes leave 102,400 − 10,240 − 87,000 = 5,160 uncached: extra = min(5,160, 10,240) = 5,160.
    // current:   5,160×2 + 10,240×0.5 + 87,000×2.5 + 40,000 = 10,320 + 5,120 + 217,500 + 40,000 = 272,940 → 0.27294
    // projected: 0 + 15,400×0.5 + 217,500 + 40,000 = 7,700 + 217,500 + 40,000 = 265,200 → 0.2652
    const { opportunities } = caching({ cacheCreationInputTokens: 87_000 });
    expect(opportunities).toHaveLength(1);
    expect(opportunities[0]).toMatchObject({ current_cost_usd: "0.272940000000", projected_cost_usd: "0.265200000000", savings_usd: "0.007740000000" });
    expect(opportunities[0]?.rationale).toContain(": 5.2K more cached tokens");
  });

  it("nothing when no input is left uncached", () => {
    expect(caching({ cacheCreationInputTokens: 92_160 }).opportunities).toEqual([]);
  });

  it("nothing when cache reads cost as much as uncached input", () => {
    const priceOf = priceOfTable({ "openai/gpt-x/standard": rates("2", "8", "2", "2.5", "8") });
    expect(caching({}, CACHE_WEEKS, { priceOf }).opportunities).toEqual([]);
  });

  it("the best week is the one with the highest hit rate", () => {
    // Three steady weeks; 2026-11-16 reads 12,288 / 51,200 = 24%.
    // extra = floor(102,400 × 12,288 / 51,200) − 10,240 = 24,576 − 10,240 = 14,336
    // projected: (92,160 − 14,336)×2 + 24,576×0.5 + 40,000 = 155,648 + 12,288 + 40,000 = 207,936 → 0.207936
    // savings 0.22944 − 0.207936 = 0.021504
    const weeks = [...CACHE_WEEKS, week("2026-11-16", 50, 51_200, 12_288)];
    const { opportunities } = caching({}, weeks);
    expect(opportunities).toHaveLength(1);
    expect(opportunities[0]).toMatchObject({ projected_cost_usd: "0.207936000000", savings_usd: "0.021504000000" });
    expect(opportunities[0]?.rationale).toContain("against 24.0% in the week of 2026-11-16");
  });
});

describe("groups the advisor skips", () => {
  const everything = { substitutes: STARTERS, deferrable: new Set([featureKey("search", "summarize"), featureKey("search", "rerank")]) };

  it("a group without a team", () => {
    expect(findOpportunities(input({ groups: [group({ team: null })], ...everything })).opportunities).toEqual([]);
    const weeks = CACHE_WEEKS.map((w) => ({ ...w, team: null }));
    expect(findOpportunities(input({ groups: [cachingGroup({ team: null })], weeks })).opportunities).toEqual([]);
  });

  it("a group on a non-standard tier", () => {
    for (const serviceTier of ["batch", "flex", "priority"]) {
      expect(findOpportunities(input({ groups: [group({ serviceTier })], ...everything })).opportunities, serviceTier).toEqual([]);
      expect(findOpportunities(input({ groups: [cachingGroup({ serviceTier })], weeks: CACHE_WEEKS })).opportunities, serviceTier).toEqual([]);
    }
  });

  it("a group whose model has no standard price of its own (even with a batch price and a substitute)", () => {
    const orphan = group({ model: "orphan" });
    const substitutes = [sub(ref("anthropic", "orphan"), ref("anthropic", "small"))];
    const deferrable = new Set([featureKey("search", "summarize")]);
    expect(findOpportunities(input({ groups: [orphan], substitutes, deferrable })).opportunities).toEqual([]);
  });

  it("a group with no requests", () => {
    expect(findOpportunities(input({ groups: [group({ requests: 0 })], ...everything })).opportunities).toEqual([]);
  });

  it("asks priceOf for the standard tier of the model and substitutes, the batch tier only for deferrable features", () => {
    const priceOf = vi.fn(priceOfTable(PRICES));
    findOpportunities(input({ priceOf }));
    expect(priceOf.mock.calls).toEqual([
      ["anthropic", "big", "standard"],
      ["anthropic", "mid", "standard"],
      ["anthropic", "small", "standard"],
    ]);
  });
});

describe("dismissals", () => {
  /** The service's predicate (lib/savings/savings.ts): a dismissal with model "" covers every model of the feature. */
  function dismissedBy(rows: readonly { kind: SavingsKind; team: string; feature: string; model: string }[]): AdvisorInput["dismissed"] {
    const set = new Set(rows.map((d) => JSON.stringify([d.kind, d.team, d.feature, d.model])));
    return (kind, team, feature, model) => set.has(JSON.stringify([kind, team, feature ?? "", model])) || set.has(JSON.stringify([kind, team, feature ?? "", ""]));
  }

  // big and mid in the same feature, both deferrable-eligible for big only; mid swaps to small.
  // mid → small: 1.3743808 − 1.09950464 = 0.27487616
  const twoModels = {
    groups: [group(), group({ model: "mid" })],
    substitutes: [...STARTERS, sub(ref("anthropic", "mid"), ref("anthropic", "small"))],
    deferrable: new Set([featureKey("search", "summarize")]),
  };

  it("without dismissals: three opportunities", () => {
    const { opportunities } = findOpportunities(input(twoModels));
    expect(opportunities.map((o) => [o.kind, o.model, o.savings_usd])).toEqual([
      ["model_swap", "big", SWAP_SAVINGS],
      ["batch_tier", "big", BATCH_SAVINGS],
      ["model_swap", "mid", "0.274876160000"],
    ]);
  });

  it("one model's dismissal removes that kind for that model only", () => {
    const dismissed = dismissedBy([{ kind: "model_swap", team: "search", feature: "summarize", model: "big" }]);
    const { opportunities, total_savings_usd } = findOpportunities(input({ ...twoModels, dismissed }));
    expect(opportunities.map((o) => [o.kind, o.model])).toEqual([
      ["batch_tier", "big"],
      ["model_swap", "mid"],
    ]);
    // 2.0430537 + 0.27487616 = 2.31792986
    expect(total_savings_usd).toBe("2.317929860000");
  });

  it("a dismissal for every model of the feature removes that kind for all of them", () => {
    const dismissed = dismissedBy([{ kind: "model_swap", team: "search", feature: "summarize", model: "" }]);
    const { opportunities } = findOpportunities(input({ ...twoModels, dismissed }));
    expect(opportunities.map((o) => [o.kind, o.model])).toEqual([["batch_tier", "big"]]);
  });

  it("dismissals of another team, feature or kind change nothing", () => {
    const dismissed = dismissedBy([
      { kind: "model_swap", team: "ads", feature: "summarize", model: "" },
      { kind: "model_swap", team: "search", feature: "chat", model: "" },
      { kind: "prompt_caching", team: "search", feature: "summarize", model: "" },
    ]);
    expect(findOpportunities(input({ ...twoModels, dismissed })).opportunities).toHaveLength(3);
  });

  it("batch_tier and prompt_caching are dismissed the same way", () => {
    const batch = dismissedBy([{ kind: "batch_tier", team: "search", feature: "summarize", model: "big" }]);
    expect(kinds(findOpportunities(input({ ...twoModels, dismissed: batch })).opportunities)).toEqual(["model_swap", "model_swap"]);
    const cache = dismissedBy([{ kind: "prompt_caching", team: "search", feature: "rerank", model: "" }]);
    expect(caching({}, CACHE_WEEKS, { dismissed: cache }).opportunities).toEqual([]);
  });

  it("the predicate is asked with the group's team, feature (null as null) and model", () => {
    const dismissed = vi.fn<AdvisorInput["dismissed"]>(() => false);
    findOpportunities(input({ groups: [group({ feature: null })], dismissed, deferrable: new Set([featureKey("search", null)]) }));
    expect(dismissed.mock.calls).toEqual([
      ["model_swap", "search", null, "big"],
      ["batch_tier", "search", null, "big"],
      ["prompt_caching", "search", null, "big"],
    ]);
  });
});

describe("monthly run rate: savings × 30 / window days, 12 decimals half to even", () => {
  // p/m at 0.000006 USD/Mtok for input only; p/m0 free. One input token: current 6e-12.
  const tiny: PriceTable = {
    "p/m/standard": rates("0.000006", "0", "0", "0", "0"),
    "p/m0/standard": rates("0", "0", "0", "0", "0"),
    "p/m14/standard": rates("0.000014", "0", "0", "0", "0"),
  };
  const tinyGroup = (model: string) =>
    group({ team: "t", feature: "f", provider: "p", model, requests: 1, inputTokens: 1, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 });
  const tinyInput = (model: string, windowDays: number) =>
    input({ groups: [tinyGroup(model)], priceOf: priceOfTable(tiny), substitutes: [sub(ref("p", model), ref("p", "m0"))], windowDays });

  it("a tie at the 13th decimal goes to the even digit", () => {
    // 6e-12 × 30 / 8 = 2.25e-11 → 0.000000000022 (half-up would give 23)
    const six = findOpportunities(tinyInput("m", 8)).opportunities[0];
    expect(six).toMatchObject({ current_cost_usd: "0.000000000006", projected_cost_usd: "0.000000000000", savings_usd: "0.000000000006" });
    expect(six?.savings_per_month_usd).toBe("0.000000000022");
    // 14e-12 × 30 / 8 = 5.25e-11 → 0.000000000052 (half-up would give 53)
    expect(findOpportunities(tinyInput("m14", 8)).opportunities[0]?.savings_per_month_usd).toBe("0.000000000052");
  });

  it("30-day and fractional windows", () => {
    const swap = (windowDays: number) => findOpportunities(input({ windowDays })).opportunities[0]?.savings_per_month_usd;
    expect(swap(30)).toBe(SWAP_SAVINGS);
    // × 30 / 7.5 = × 4: 11.94641104
    expect(swap(7.5)).toBe("11.946411040000");
    // × 30 / 90 = / 3: 0.99553425333… → 0.995534253333
    expect(swap(90)).toBe("0.995534253333");
    // × 30 / 1: 89.5980828
    expect(swap(1)).toBe("89.598082800000");
  });
});

describe("order and total", () => {
  it("sorts by savings descending, then team, then feature; the total is each group's best, exactly", () => {
    // Same usage (swap savings 2.98660276 each) for three features of two teams, listed out of order,
    // plus the caching group (0.01536) and a deferrable batch (2.0430537).
    const groups = [
      cachingGroup(),
      group({ team: "search", feature: "zeta" }),
      group({ team: "search", feature: "summarize" }),
      group({ team: "ads", feature: "summarize" }),
      group({ team: "search", feature: null }),
    ];
    const deferrable = new Set([featureKey("ads", "summarize")]);
    const { opportunities, total_savings_usd } = findOpportunities(input({ groups, weeks: CACHE_WEEKS, deferrable }));
    expect(opportunities.map((o) => [o.kind, o.team, o.feature, o.savings_usd])).toEqual([
      ["model_swap", "ads", "summarize", SWAP_SAVINGS],
      ["model_swap", "search", null, SWAP_SAVINGS],
      ["model_swap", "search", "summarize", SWAP_SAVINGS],
      ["model_swap", "search", "zeta", SWAP_SAVINGS],
      ["batch_tier", "ads", "summarize", BATCH_SAVINGS],
      ["prompt_caching", "search", "rerank", "0.015360000000"],
    ]);
    // Each team, feature and model's best: 4 × 2.98660276 (ads/summarize's batch 2.0430537 is the
    // lesser alternative) + the caching group's 0.01536 = 11.94641104 + 0.01536 = 11.96177104.
    expect(total_savings_usd).toBe("11.961771040000");
  });

  it("no groups: nothing, total zero", () => {
    expect(findOpportunities(input({ groups: [] }))).toEqual({ opportunities: [], total_savings_usd: "0.000000000000" });
  });

  it("money fields are 12-decimal strings", () => {
    const { opportunities } = findOpportunities(input({ deferrable: new Set([featureKey("search", "summarize")]) }));
    for (const o of opportunities) {
      for (const value of [o.current_cost_usd, o.projected_cost_usd, o.savings_usd, o.savings_per_month_usd]) expect(value).toMatch(/^\d+\.\d{12}$/);
    }
  });
});
