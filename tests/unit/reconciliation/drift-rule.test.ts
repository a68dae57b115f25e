import { describe, expect, it } from "vitest";
import { evaluateReconciliationDrift, type DriftDayInput, type RuleContext } from "@/lib/alerts/rules";
import { reconciliationDriftParamsSchema } from "@/lib/schemas/alerts";

/**
 * reconciliation.drift: |burnrate − provider| × 100 > drift_pct × provider, exactly, on a day the
 * provider billed at least min_provider_usd; one finding per provider and day.
 */

const ctx: RuleContext = { ruleId: "r1", baseUrl: "http://localhost:3000", now: new Date("2026-11-05T00:00:00Z") };
const defaults = reconciliationDriftParamsSchema.parse({});

const day = (providerCostUsd: string, burnrateCostUsd: string, overrides: Partial<DriftDayInput> = {}): DriftDayInput => ({
  provider: "openai",
  day: "2026-11-03",
  providerCostUsd,
  burnrateCostUsd,
  ...overrides,
});

describe("reconciliation_drift params", () => {
  it("default to 5 % and $1", () => {
    expect(defaults).toEqual({ drift_pct: 5, min_provider_usd: "1" });
  });

  it("refuse a percentage out of range and an amount that is not decimal text", () => {
    expect(reconciliationDriftParamsSchema.safeParse({ drift_pct: 0 }).success).toBe(false);
    expect(reconciliationDriftParamsSchema.safeParse({ drift_pct: 1001 }).success).toBe(false);
    expect(reconciliationDriftParamsSchema.safeParse({ min_provider_usd: "-1" }).success).toBe(false);
    expect(reconciliationDriftParamsSchema.safeParse({ extra: 1 }).success).toBe(false);
    expect(reconciliationDriftParamsSchema.parse({ min_provider_usd: 2.5 })).toEqual({ drift_pct: 5, min_provider_usd: "2.5" });
  });
});

describe("evaluateReconciliationDrift", () => {
  it("does not fire at exactly drift_pct, either way", () => {
    // |105 − 100| × 100 = 500 = 5 × 100
    expect(evaluateReconciliationDrift(ctx, defaults, [day("100", "105")])).toEqual([]);
    expect(evaluateReconciliationDrift(ctx, defaults, [day("100", "95")])).toEqual([]);
    expect(evaluateReconciliationDrift(ctx, defaults, [day("100", "100")])).toEqual([]);
  });

  it("fires just beyond it: 5.000000000001 %", () => {
    // |105.000000000001 − 100| × 100 = 500.0000000001 > 500
    const [above] = evaluateReconciliationDrift(ctx, defaults, [day("100", "105.000000000001")]);
    expect(above?.payload).toMatchObject({ drift_usd: "5.000000000001", drift_pct: "5.00" });
    const [below] = evaluateReconciliationDrift(ctx, defaults, [day("100", "94.999999999999")]);
    expect(below?.payload).toMatchObject({ drift_usd: "-5.000000000001", drift_pct: "-5.00" });
  });

  it("builds the finding: payload, period, dedupe key, link and message", () => {
    // 110 − 100 = 10 → 10 %
    const findings = evaluateReconciliationDrift(ctx, defaults, [day("100", "110")]);
    expect(findings).toEqual([
      {
        ruleType: "reconciliation_drift",
        type: "reconciliation.drift",
        dedupeKey: "reconciliation_drift|r1|[]|2026-11-03T00:00:00.000Z|openai",
        budgetId: null,
        scope: {},
        periodStart: new Date("2026-11-03T00:00:00Z"),
        message: "openai on 2026-11-03: Burnrate counted $110.00, the provider billed $100.00 ($10.00 more, 10.00%).",
        payload: {
          type: "reconciliation.drift",
          provider: "openai",
          day: "2026-11-03",
          provider_cost_usd: "100.000000000000",
          burnrate_cost_usd: "110.000000000000",
          drift_usd: "10.000000000000",
          drift_pct: "10.00",
          message: "openai on 2026-11-03: Burnrate counted $110.00, the provider billed $100.00 ($10.00 more, 10.00%).",
          url: "http://localhost:3000/reconciliation?from=2026-11-03&to=2026-11-04&provider=openai",
          scope: {},
          period_start: "2026-11-03T00:00:00.000Z",
        },
      },
    ]);
  });

  it("says less when Burnrate counted less, with both amounts", () => {
    // 1 234.56 − 1 500 = −265.44; −265.44 / 1 500 = −17.696 % → −17.70
    const [finding] = evaluateReconciliationDrift(ctx, defaults, [day("1500", "1234.56", { provider: "anthropic", day: "2026-11-02" })]);
    expect(finding?.payload).toMatchObject({ provider: "anthropic", day: "2026-11-02", drift_usd: "-265.440000000000", drift_pct: "-17.70" });
    expect(finding?.message).toBe("anthropic on 2026-11-02: Burnrate counted $1,234.56, the provider billed $1,500.00 ($265.44 less, -17.70%).");
    expect(finding?.message).toContain("$1,234.56");
    expect(finding?.message).toContain("$1,500.00");
    expect(finding?.payload.url).toBe("http://localhost:3000/reconciliation?from=2026-11-02&to=2026-11-03&provider=anthropic");
  });

  it("links to the next day across a month end", () => {
    const [finding] = evaluateReconciliationDrift(ctx, defaults, [day("10", "20", { day: "2026-11-30" })]);
    expect(finding?.payload.url).toBe("http://localhost:3000/reconciliation?from=2026-11-30&to=2026-12-01&provider=openai");
  });

  it("stays quiet when the provider billed less than min_provider_usd, or nothing", () => {
    expect(evaluateReconciliationDrift(ctx, defaults, [day("0.999999999999", "50")])).toEqual([]);
    expect(evaluateReconciliationDrift(ctx, defaults, [day("0", "10")])).toEqual([]);
    expect(evaluateReconciliationDrift(ctx, defaults, [day("0.000000000000", "10")])).toEqual([]);
    expect(evaluateReconciliationDrift(ctx, defaults, [day("-5", "10")])).toEqual([]);
    // Exactly the minimum counts: 2 vs 1 is 100 %.
    const [atMinimum] = evaluateReconciliationDrift(ctx, defaults, [day("1", "2")]);
    expect(atMinimum?.payload).toMatchObject({ drift_usd: "1.000000000000", drift_pct: "100.00" });
  });

  it("follows the rule's own params", () => {
    const params = reconciliationDriftParamsSchema.parse({ drift_pct: 0.5, min_provider_usd: "10" });
    // |20.1 − 20| × 100 = 10 = 0.5 × 20: not above
    expect(evaluateReconciliationDrift(ctx, params, [day("20", "20.1")])).toEqual([]);
    expect(evaluateReconciliationDrift(ctx, params, [day("20", "20.1000001")])).toHaveLength(1);
    // Under $10 billed
    expect(evaluateReconciliationDrift(ctx, params, [day("9.99", "20")])).toEqual([]);
  });

  it("finds one per provider and day, with dedupe keys distinct per provider and per day and stable across calls", () => {
    const days = [
      day("100", "120", { provider: "openai", day: "2026-11-02" }),
      day("100", "120", { provider: "openai", day: "2026-11-03" }),
      day("100", "120", { provider: "anthropic", day: "2026-11-02" }),
      // Within 5 %: no finding.
      day("100", "101", { provider: "anthropic", day: "2026-11-03" }),
    ];
    const first = evaluateReconciliationDrift(ctx, defaults, days);
    expect(first.map((f) => [f.payload.provider, f.payload.day])).toEqual([
      ["openai", "2026-11-02"],
      ["openai", "2026-11-03"],
      ["anthropic", "2026-11-02"],
    ]);
    const keys = first.map((f) => f.dedupeKey);
    expect(new Set(keys).size).toBe(3);
    expect(keys).toEqual([
      "reconciliation_drift|r1|[]|2026-11-02T00:00:00.000Z|openai",
      "reconciliation_drift|r1|[]|2026-11-03T00:00:00.000Z|openai",
      "reconciliation_drift|r1|[]|2026-11-02T00:00:00.000Z|anthropic",
    ]);
    // Later, with other amounts: the same keys, so each provider-day fires once.
    const again = evaluateReconciliationDrift({ ...ctx, now: new Date("2026-11-06T08:00:00Z") }, defaults, days.map((d) => (d.burnrateCostUsd === "120" ? { ...d, burnrateCostUsd: "130" } : d)));
    expect(again.map((f) => f.dedupeKey)).toEqual(keys);
    // Another rule: other keys.
    expect(evaluateReconciliationDrift({ ...ctx, ruleId: "r2" }, defaults, days).map((f) => f.dedupeKey).some((key) => keys.includes(key))).toBe(false);
  });
});
