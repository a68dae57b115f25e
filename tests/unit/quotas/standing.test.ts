import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { buildSnapshot } from "@/lib/quotas/cache";
import {
  allocationView,
  evaluateCheck,
  formatUnitAmount,
  fraction,
  isIdle,
  periodToDate,
  quotaPeriod,
  type AllocationRecord,
  type ApprovedBurst,
  type TeamUsage,
} from "@/lib/quotas/standing";

/** Allocation standing and the check's decision, on hand-made snapshots with exact figures. */

const NOW = new Date("2026-11-18T12:30:00Z");

function allocation(overrides: Partial<AllocationRecord> = {}): AllocationRecord {
  return {
    id: "alloc-team",
    team: "search",
    teamId: "team-search",
    model: null,
    unit: "usd",
    amount: "100",
    period: "month",
    requestsPerMinute: null,
    tokensPerMinute: null,
    createdAt: new Date("2026-10-01T00:00:00Z"),
    ...overrides,
  };
}

function burst(overrides: Partial<ApprovedBurst> = {}): ApprovedBurst {
  return {
    id: "burst-1",
    team: "search",
    unit: "usd",
    amount: "50",
    startsAt: new Date("2026-11-18T00:00:00Z"),
    endsAt: new Date("2026-11-19T00:00:00Z"),
    ...overrides,
  };
}

function usage(costUsd: string, tokens: string, byModel: Record<string, [string, string]> = {}): TeamUsage {
  return {
    costUsd: new Money(costUsd),
    tokens: new Money(tokens),
    byModel: new Map(Object.entries(byModel).map(([model, [c, t]]) => [model, { costUsd: new Money(c), tokens: new Money(t) }])),
  };
}

describe("periods", () => {
  it("the UTC month, period_end the next month's first instant (December → January)", () => {
    expect(quotaPeriod(new Date("2026-12-31T23:59:59.999Z"))).toEqual({
      start: new Date("2026-12-01T00:00:00Z"),
      end: new Date("2027-01-01T00:00:00Z"),
    });
    expect(quotaPeriod(new Date("2028-02-29T10:00:00Z")).end).toEqual(new Date("2028-03-01T00:00:00Z"));
  });

  it("this period so far runs through the end of now's hour", () => {
    expect(periodToDate(NOW)).toEqual({ from: new Date("2026-11-01T00:00:00Z"), to: new Date("2026-11-18T13:00:00Z") });
    expect(periodToDate(new Date("2026-11-30T23:10:00Z")).to).toEqual(new Date("2026-12-01T00:00:00Z"));
  });
});

describe("formatting", () => {
  it("USD with 12 decimals, tokens whole", () => {
    expect(formatUnitAmount("12.5", "usd")).toBe("12.500000000000");
    expect(formatUnitAmount("0.000000000001", "usd")).toBe("0.000000000001");
    expect(formatUnitAmount("1500000", "tokens")).toBe("1500000");
    expect(formatUnitAmount("1500000.000000000000", "tokens")).toBe("1500000");
  });

  it("utilization: 4 decimals half up, null for a zero limit", () => {
    expect(fraction("43.125", "100")).toBe("0.4313");
    expect(fraction("1", "3")).toBe("0.3333");
    expect(fraction("150", "100")).toBe("1.5000");
    expect(fraction("5", "0")).toBeNull();
  });
});

describe("allocationView", () => {
  it("baseline + active bursts = limit; remaining, utilization, over", () => {
    const bursts = [burst(), burst({ id: "burst-2", amount: "25.5", endsAt: new Date("2026-11-18T18:00:00Z") })];
    expect(allocationView(allocation(), "87.25", bursts, NOW)).toEqual({
      id: "alloc-team",
      team: "search",
      model: null,
      unit: "usd",
      amount: "100.000000000000",
      period: "month",
      requests_per_minute: null,
      tokens_per_minute: null,
      used: "87.250000000000",
      burst_amount: "75.500000000000",
      limit: "175.500000000000",
      remaining: "88.250000000000",
      utilization: "0.4972",
      idle: false,
      over: false,
      period_start: "2026-11-01T00:00:00.000Z",
      period_end: "2026-12-01T00:00:00.000Z",
    });
  });

  it("bursts outside their window, of another team or in another unit do not count", () => {
    const bursts = [
      burst({ id: "future", startsAt: new Date("2026-11-18T12:30:00.001Z") }),
      burst({ id: "ended", endsAt: new Date("2026-11-18T12:30:00Z") }),
      burst({ id: "other-team", team: "growth" }),
      burst({ id: "tokens", unit: "tokens", amount: "1000" }),
    ];
    const view = allocationView(allocation(), "120", bursts, NOW);
    expect(view).toMatchObject({ burst_amount: "0.000000000000", limit: "100.000000000000", remaining: "0.000000000000", over: true, utilization: "1.2000" });
  });

  it("a burst raises a model-specific allocation of its unit too", () => {
    const view = allocationView(allocation({ id: "alloc-model", model: "gpt-4o" }), "10", [burst()], NOW);
    expect(view).toMatchObject({ model: "gpt-4o", burst_amount: "50.000000000000", limit: "150.000000000000" });
  });

  it("tokens: whole numbers", () => {
    const view = allocationView(allocation({ unit: "tokens", amount: "1000000" }), "250001", [burst({ unit: "tokens", amount: "500000" })], NOW);
    expect(view).toMatchObject({ amount: "1000000", used: "250001", burst_amount: "500000", limit: "1500000", remaining: "1249999", utilization: "0.1667" });
  });

  it("idle: from the 11th on, used under 10% of the baseline (not of the limit)", () => {
    expect(isIdle("100", "9.999999999999", new Date("2026-11-10T23:59:59.999Z"))).toBe(false);
    expect(isIdle("100", "9.999999999999", new Date("2026-11-11T00:00:00Z"))).toBe(true);
    expect(isIdle("100", "10", new Date("2026-11-11T00:00:00Z"))).toBe(false);
    expect(allocationView(allocation(), "5", [burst({ amount: "1000" })], NOW).idle).toBe(true);
  });
});

describe("evaluateCheck", () => {
  const teamWide = allocation({ requestsPerMinute: 600, tokensPerMinute: 2_000_000 });
  const forModel = allocation({ id: "alloc-4o", model: "gpt-4o", unit: "tokens", amount: "10000" });
  const snapshot = buildSnapshot(
    NOW,
    [teamWide, forModel],
    [burst({ id: "b-late", amount: "10", endsAt: new Date("2026-11-30T00:00:00Z") }), burst({ id: "b-soon", amount: "40" })],
    new Map([["search", usage("140", "9000", { "gpt-4o": ["100", "9000"], "gpt-4o-mini": ["40", "0"] })]]),
  );

  it("no allocation for the team: allowed, the contract's fields present but null", () => {
    expect(evaluateCheck(snapshot, { team: "growth", estimated_cost_usd: "1000000" }, NOW)).toEqual({
      allowed: true,
      unit: null,
      limit: null,
      used: null,
      remaining: null,
      period_end: "2026-12-01T00:00:00.000Z",
      burst: null,
      reason: "no allocation",
      budget_id: null,
      allocation_id: null,
      model: null,
      requests_per_minute: null,
      tokens_per_minute: null,
    });
  });

  it("team-wide: limit = 100 + both active bursts; the burst reported is the one ending first", () => {
    expect(evaluateCheck(snapshot, { team: "search" }, NOW)).toEqual({
      allowed: true,
      unit: "usd",
      limit: "150.000000000000",
      used: "140.000000000000",
      remaining: "10.000000000000",
      period_end: "2026-12-01T00:00:00.000Z",
      burst: { id: "b-soon", amount: "40.000000000000", ends_at: "2026-11-19T00:00:00.000Z" },
      reason: "within limit",
      budget_id: null,
      allocation_id: "alloc-team",
      model: null,
      // The answering allocation's per-minute limits, for the gateway to enforce.
      requests_per_minute: 600,
      tokens_per_minute: 2_000_000,
    });
  });

  it("the estimate in the allocation's unit: exactly at the limit is allowed, a hair over is not", () => {
    expect(evaluateCheck(snapshot, { team: "search", estimated_cost_usd: "10" }, NOW)).toMatchObject({ allowed: true, reason: "within limit" });
    expect(evaluateCheck(snapshot, { team: "search", estimated_cost_usd: "10.000000000001" }, NOW)).toMatchObject({
      allowed: false,
      reason: "estimate exceeds remaining",
      remaining: "10.000000000000",
    });
    // A token estimate does not count against a USD allocation.
    expect(evaluateCheck(snapshot, { team: "search", estimated_tokens: 10 ** 9 }, NOW)).toMatchObject({ allowed: true });
  });

  it("after the bursts end the baseline alone applies: limit reached", () => {
    const later = new Date("2026-11-30T00:00:00Z");
    expect(evaluateCheck(snapshot, { team: "search" }, later)).toMatchObject({
      allowed: false,
      limit: "100.000000000000",
      remaining: "0.000000000000",
      burst: null,
      reason: "limit reached",
    });
  });

  it("a model with its own allocation: its tokens, answered for the model", () => {
    expect(evaluateCheck(snapshot, { team: "search", model: "gpt-4o", estimated_tokens: 1000 }, NOW)).toEqual({
      allowed: true,
      unit: "tokens",
      limit: "10000",
      used: "9000",
      remaining: "1000",
      period_end: "2026-12-01T00:00:00.000Z",
      burst: null,
      reason: "within limit",
      budget_id: null,
      allocation_id: "alloc-4o",
      model: "gpt-4o",
      requests_per_minute: null,
      tokens_per_minute: null,
    });
    expect(evaluateCheck(snapshot, { team: "search", model: "gpt-4o", estimated_tokens: 1001 }, NOW)).toMatchObject({
      allowed: false,
      unit: "tokens",
      reason: "estimate exceeds remaining",
    });
  });

  it("the team-wide allocation still binds a model with its own: the refusing one is answered", () => {
    expect(evaluateCheck(snapshot, { team: "search", model: "gpt-4o", estimated_tokens: 10, estimated_cost_usd: "11" }, NOW)).toMatchObject({
      allowed: false,
      unit: "usd",
      allocation_id: "alloc-team",
      reason: "estimate exceeds remaining",
      requests_per_minute: 600,
      tokens_per_minute: 2_000_000,
    });
  });

  it("a model without its own allocation falls under the team-wide one", () => {
    expect(evaluateCheck(snapshot, { team: "search", model: "gpt-4o-mini" }, NOW)).toMatchObject({ allocation_id: "alloc-team", used: "140.000000000000" });
  });

  it("only model-specific allocations: other models and model-less checks have none", () => {
    const modelOnly = buildSnapshot(NOW, [forModel], [], new Map([["search", usage("0", "20000", { "gpt-4o": ["0", "20000"] })]]));
    expect(evaluateCheck(modelOnly, { team: "search" }, NOW)).toMatchObject({ allowed: true, reason: "no allocation" });
    expect(evaluateCheck(modelOnly, { team: "search", model: "gpt-4o" }, NOW)).toMatchObject({ allowed: false, reason: "limit reached", used: "20000" });
  });

  it("a team without usage has used 0", () => {
    const empty = buildSnapshot(NOW, [teamWide], [], new Map());
    expect(evaluateCheck(empty, { team: "search", estimated_cost_usd: "100" }, NOW)).toMatchObject({ allowed: true, used: "0.000000000000", remaining: "100.000000000000" });
  });
});
