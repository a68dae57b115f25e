import { describe, expect, it } from "vitest";
import { capCovers, capLimitUsd, capReached, capReason, percentOfAmount, refusingCap, type BudgetCap, type CapRequest } from "@/lib/budgets/cap";
import { Money } from "@/lib/money";

/**
 * Budget caps (contract: "Budget caps"): which quota checks a cap covers, when it is reached
 * (spent × 100 ≥ amount × at_percent, exact decimals), the limit, the floored percentage and
 * the refusal's reason. Every expected figure is worked out by hand in the comments.
 */

function cap(overrides: Partial<BudgetCap> = {}): BudgetCap {
  return {
    budgetId: "b-1",
    name: "Search LLM",
    scope: {},
    amountUsd: "1500",
    atPercent: 100,
    action: "deny",
    models: [],
    ...overrides,
  };
}

const full: CapRequest = { team: "search", feature: "rerank", environment: "prod", tenant: "acme", model: "gpt-4o" };

describe("capCovers: scope", () => {
  it("an org-wide cap (empty scope) covers every team, with or without the other tags", () => {
    const orgWide = cap({ scope: {} });
    expect(capCovers(orgWide, { team: "search" })).toBe(true);
    expect(capCovers(orgWide, { team: "ads" })).toBe(true);
    expect(capCovers(orgWide, full)).toBe(true);
  });

  it("team: covers only that team (exact, case-sensitive)", () => {
    const teamCap = cap({ scope: { team: "search" } });
    expect(capCovers(teamCap, { team: "search" })).toBe(true);
    expect(capCovers(teamCap, full)).toBe(true);
    expect(capCovers(teamCap, { team: "ads" })).toBe(false);
    expect(capCovers(teamCap, { team: "Search" })).toBe(false);
    expect(capCovers(teamCap, { team: "search " })).toBe(false);
  });

  it("feature: covers checks naming that feature, not checks without one or with another", () => {
    const featureCap = cap({ scope: { feature: "rerank" } });
    expect(capCovers(featureCap, { team: "search", feature: "rerank" })).toBe(true);
    // No team in the scope: any team's check naming the feature.
    expect(capCovers(featureCap, { team: "ads", feature: "rerank" })).toBe(true);
    expect(capCovers(featureCap, { team: "search" })).toBe(false);
    expect(capCovers(featureCap, { team: "search", feature: "chat" })).toBe(false);
  });

  it("environment: covers checks naming that environment only", () => {
    const envCap = cap({ scope: { environment: "prod" } });
    expect(capCovers(envCap, { team: "search", environment: "prod" })).toBe(true);
    expect(capCovers(envCap, { team: "search", environment: "staging" })).toBe(false);
    expect(capCovers(envCap, { team: "search" })).toBe(false);
  });

  it("tenant: covers checks naming that tenant only", () => {
    const tenantCap = cap({ scope: { tenant: "acme" } });
    expect(capCovers(tenantCap, { team: "search", tenant: "acme" })).toBe(true);
    expect(capCovers(tenantCap, { team: "search", tenant: "globex" })).toBe(false);
    expect(capCovers(tenantCap, { team: "search" })).toBe(false);
  });

  it("a scope with every tag needs every tag to match", () => {
    const scoped = cap({ scope: { team: "search", feature: "rerank", environment: "prod", tenant: "acme" } });
    expect(capCovers(scoped, full)).toBe(true);
    expect(capCovers(scoped, { ...full, team: "ads" })).toBe(false);
    expect(capCovers(scoped, { ...full, feature: "chat" })).toBe(false);
    expect(capCovers(scoped, { ...full, environment: "staging" })).toBe(false);
    expect(capCovers(scoped, { ...full, tenant: "globex" })).toBe(false);
    expect(capCovers(scoped, { team: "search", feature: "rerank", environment: "prod" })).toBe(false);
  });
});

describe("capCovers: actions", () => {
  it('a "deny" cap covers checks with any model or none', () => {
    const deny = cap({ scope: { team: "search" }, action: "deny" });
    expect(capCovers(deny, { team: "search" })).toBe(true);
    expect(capCovers(deny, { team: "search", model: "gpt-4o" })).toBe(true);
    expect(capCovers(deny, { team: "search", model: "gpt-4o-mini" })).toBe(true);
  });

  it('a "deny_models" cap covers only checks for one of its models', () => {
    const denyModels = cap({ scope: { team: "search" }, action: "deny_models", models: ["gpt-4o", "claude-opus-4"] });
    expect(capCovers(denyModels, { team: "search", model: "gpt-4o" })).toBe(true);
    expect(capCovers(denyModels, { team: "search", model: "claude-opus-4" })).toBe(true);
    expect(capCovers(denyModels, { team: "search", model: "gpt-4o-mini" })).toBe(false);
    expect(capCovers(denyModels, { team: "search", model: "GPT-4o" })).toBe(false);
    // No model named: a model policy cannot refuse it.
    expect(capCovers(denyModels, { team: "search" })).toBe(false);
  });

  it('a "deny_models" cap still needs its scope to match', () => {
    const denyModels = cap({ scope: { team: "search", environment: "prod" }, action: "deny_models", models: ["gpt-4o"] });
    expect(capCovers(denyModels, { team: "search", environment: "prod", model: "gpt-4o" })).toBe(true);
    expect(capCovers(denyModels, { team: "ads", environment: "prod", model: "gpt-4o" })).toBe(false);
    expect(capCovers(denyModels, { team: "search", environment: "staging", model: "gpt-4o" })).toBe(false);
    expect(capCovers(denyModels, { team: "search", model: "gpt-4o" })).toBe(false);
  });

  it('a "deny_models" cap with no models covers nothing', () => {
    expect(capCovers(cap({ action: "deny_models", models: [] }), full)).toBe(false);
  });
});

describe("capReached: spent × 100 ≥ amount × at_percent, exactly", () => {
  it("at 100%: reached at the amount, not a picodollar below", () => {
    const c = { amountUsd: "1500", atPercent: 100 };
    expect(capReached(c, "1500")).toBe(true);
    expect(capReached(c, "1500.000000000001")).toBe(true);
    expect(capReached(c, "1499.999999999999")).toBe(false);
    expect(capReached(c, "0")).toBe(false);
  });

  it("at 80% of 1500: the boundary is 1200", () => {
    const c = { amountUsd: "1500", atPercent: 80 };
    expect(capReached(c, "1200")).toBe(true);
    expect(capReached(c, "1199.999999999999")).toBe(false);
    expect(capReached(c, "9999")).toBe(true);
  });

  it("at_percent above 100: 150% of 1500 is 2250", () => {
    const c = { amountUsd: "1500", atPercent: 150 };
    expect(capReached(c, "2250")).toBe(true);
    expect(capReached(c, "2249.999999999999")).toBe(false);
    // Over the amount itself, still under the cap.
    expect(capReached(c, "1600")).toBe(false);
  });

  it("at_percent 1000 (the schema's maximum): 10 × the amount", () => {
    const c = { amountUsd: "7.5", atPercent: 1000 };
    expect(capReached(c, "75")).toBe(true);
    expect(capReached(c, "74.999999999999")).toBe(false);
  });

  it("a tiny amount: 150% of 0.01 is 0.015", () => {
    const c = { amountUsd: "0.01", atPercent: 150 };
    expect(capReached(c, "0.015")).toBe(true);
    expect(capReached(c, "0.014999999999")).toBe(false);
  });

  it("a picodollar amount: 1% of 0.000001 is 0.00000001", () => {
    const c = { amountUsd: "0.000001", atPercent: 1 };
    expect(capReached(c, "0.00000001")).toBe(true);
    expect(capReached(c, "0.000000009999")).toBe(false);
  });

  it("the boundary is exact where binary floats are not (0.1 × 3 / 100 = 0.003)", () => {
    // In floats 0.1 * 3 = 0.30000000000000004, so a float comparison would miss "0.003".
    const c = { amountUsd: "0.1", atPercent: 3 };
    expect(capReached(c, "0.003")).toBe(true);
    expect(capReached(c, "0.002999999999")).toBe(false);
  });

  it("an amount with 12 decimals: 33% of 33.333333333333 is 10.99999999999989", () => {
    const c = { amountUsd: "33.333333333333", atPercent: 33 };
    expect(capReached(c, "10.99999999999989")).toBe(true);
    // The 12-decimal spend just below the exact boundary.
    expect(capReached(c, "10.999999999999")).toBe(false);
    expect(capReached(c, "11")).toBe(true);
  });

  it("takes spend as a string, a number or a Money", () => {
    const c = { amountUsd: "1500", atPercent: 100 };
    expect(capReached(c, 1500)).toBe(true);
    expect(capReached(c, 1499)).toBe(false);
    expect(capReached(c, new Money("1500"))).toBe(true);
    expect(capReached(c, new Money("1499.999999999999"))).toBe(false);
  });

  it("a huge amount keeps every digit: 999999999999.999999999999 at 100%", () => {
    const c = { amountUsd: "999999999999.999999999999", atPercent: 100 };
    expect(capReached(c, "999999999999.999999999999")).toBe(true);
    expect(capReached(c, "999999999999.999999999998")).toBe(false);
  });
});

describe("capLimitUsd: amount × at_percent / 100, 12 decimals rounded up", () => {
  it("whole and fractional limits", () => {
    expect(capLimitUsd({ amountUsd: "1500", atPercent: 80 }).toFixed(12)).toBe("1200.000000000000");
    expect(capLimitUsd({ amountUsd: "1500", atPercent: 150 }).toFixed(12)).toBe("2250.000000000000");
    expect(capLimitUsd({ amountUsd: "0.01", atPercent: 150 }).toFixed(12)).toBe("0.015000000000");
    expect(capLimitUsd({ amountUsd: "33.33", atPercent: 33 }).toFixed(12)).toBe("10.998900000000");
  });

  it("rounds sub-picodollar limits up, so a 12-decimal spend reaches the cap exactly when it reaches the limit shown", () => {
    // 0.000000000009 × 150 / 100 = 0.0000000000135 → 0.000000000014.
    expect(capLimitUsd({ amountUsd: "0.000000000009", atPercent: 150 }).toFixed(12)).toBe("0.000000000014");
    const tiny = { amountUsd: "0.000000000009", atPercent: 150 };
    expect(capReached(tiny, "0.000000000013")).toBe(false);
    expect(capReached(tiny, capLimitUsd(tiny))).toBe(true);
    // 0.000000000001 × 50 / 100 = 0.0000000000005 → 0.000000000001.
    expect(capLimitUsd({ amountUsd: "0.000000000001", atPercent: 50 }).toFixed(12)).toBe("0.000000000001");
    // 33.333333333333 × 33 / 100 = 10.99999999999989 → 11.000000000000.
    expect(capLimitUsd({ amountUsd: "33.333333333333", atPercent: 33 }).toFixed(12)).toBe("11.000000000000");
  });

  it("returns a Money with at most 12 decimals", () => {
    const limit = capLimitUsd({ amountUsd: "33.333333333333", atPercent: 31 });
    expect(limit).toBeInstanceOf(Money);
    expect(limit.decimalPlaces()).toBeLessThanOrEqual(12);
  });
});

describe("percentOfAmount: whole percent, rounded down", () => {
  it("104.99% reads 104", () => {
    expect(percentOfAmount({ amountUsd: "100" }, "104.99")).toBe(104);
    // 1574.99 / 1500 = 104.999333…%
    expect(percentOfAmount({ amountUsd: "1500" }, "1574.99")).toBe(104);
    expect(percentOfAmount({ amountUsd: "1500" }, "1574.999999999999")).toBe(104);
    expect(percentOfAmount({ amountUsd: "1500" }, "1575")).toBe(105);
  });

  it("floors, never rounds", () => {
    expect(percentOfAmount({ amountUsd: "3" }, "1")).toBe(33);
    expect(percentOfAmount({ amountUsd: "3" }, "2")).toBe(66);
    expect(percentOfAmount({ amountUsd: "100" }, "99.999999999999")).toBe(99);
    expect(percentOfAmount({ amountUsd: "100" }, "0.999999999999")).toBe(0);
  });

  it("zero spend is 0%, and a non-positive amount reads 0%", () => {
    expect(percentOfAmount({ amountUsd: "100" }, "0")).toBe(0);
    expect(percentOfAmount({ amountUsd: "0" }, "50")).toBe(0);
    expect(percentOfAmount({ amountUsd: "-5" }, "50")).toBe(0);
  });

  it("far over the amount", () => {
    expect(percentOfAmount({ amountUsd: "0.01" }, "1000")).toBe(10_000_000);
  });
});

describe("capReason", () => {
  it('"budget <name> at <floor percent>% (cap <at_percent>%)"', () => {
    expect(capReason(cap(), "1574.99")).toBe("budget Search LLM at 104% (cap 100%)");
    expect(capReason(cap({ name: "Org", amountUsd: "1000", atPercent: 150 }), "1500")).toBe("budget Org at 150% (cap 150%)");
    expect(capReason(cap({ name: "Tiny", amountUsd: "0.01", atPercent: 80 }), "0.008")).toBe("budget Tiny at 80% (cap 80%)");
    expect(capReason(cap({ name: "Tiny", amountUsd: "0.01", atPercent: 80 }), new Money("0.00999"))).toBe("budget Tiny at 99% (cap 80%)");
  });
});

describe("refusingCap", () => {
  const request: CapRequest = { team: "search", feature: "rerank", model: "gpt-4o" };
  const otherTeamReached = { cap: cap({ budgetId: "other", scope: { team: "ads" } }), spentUsd: "5000", note: "a" };
  const coveringArmed = { cap: cap({ budgetId: "armed", scope: { team: "search" } }), spentUsd: "1499.999999999999", note: "b" };
  const otherModelReached = {
    cap: cap({ budgetId: "models", action: "deny_models", models: ["claude-opus-4"] }),
    spentUsd: "5000",
    note: "c",
  };
  const firstRefusing = { cap: cap({ budgetId: "first", scope: { feature: "rerank" }, atPercent: 80 }), spentUsd: "1200", note: "d" };
  const secondRefusing = { cap: cap({ budgetId: "second", scope: {} }), spentUsd: "1500", note: "e" };

  it("returns the first cap, in order, that covers the check and is reached (the entry itself)", () => {
    const entries = [otherTeamReached, coveringArmed, otherModelReached, firstRefusing, secondRefusing];
    const refusing = refusingCap(entries, request);
    expect(refusing).toBe(firstRefusing);
    expect(refusing?.note).toBe("d");
    expect(refusingCap([secondRefusing, firstRefusing], request)).toBe(secondRefusing);
  });

  it("a deny_models cap refuses only checks for its models", () => {
    const entries = [otherModelReached];
    expect(refusingCap(entries, request)).toBeNull();
    expect(refusingCap(entries, { ...request, model: "claude-opus-4" })).toBe(otherModelReached);
    expect(refusingCap(entries, { team: "search" })).toBeNull();
  });

  it("null when no cap both covers and is reached, and for no caps", () => {
    expect(refusingCap([otherTeamReached, coveringArmed, otherModelReached], request)).toBeNull();
    expect(refusingCap([], request)).toBeNull();
    // The reached feature cap does not cover a check without that feature.
    expect(refusingCap([firstRefusing], { team: "search" })).toBeNull();
  });
});
