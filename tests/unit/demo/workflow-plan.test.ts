import { describe, expect, it } from "vitest";
import { REPLAY_CADENCE, replaySchedule } from "@/lib/demo/alert-replay";
import { allocationAmountFor, budgetAmountFor, burstAmountFor, roundAmount, setupTimes } from "@/lib/demo/workflow-plan";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("roundAmount", () => {
  it("keeps two significant digits, up or down", () => {
    expect(roundAmount("1234.5", "up").toFixed()).toBe("1300");
    expect(roundAmount("1234.5", "down").toFixed()).toBe("1200");
    expect(roundAmount("0.0123", "up").toFixed()).toBe("0.013");
    expect(roundAmount("0.0123", "down").toFixed()).toBe("0.012");
    expect(roundAmount("99", "up").toFixed()).toBe("99");
    expect(roundAmount("0", "up").toFixed()).toBe("0");
  });
});

describe("budgetAmountFor", () => {
  it("puts the budget over, at risk or on track", () => {
    // spent 6.8981307, forecast 35.83: over → below what is spent.
    expect(budgetAmountFor("over", "6.8981307", "35.828873811234", "40")).toBe("5.80");
    // at risk: between spent and forecast (60% of the way, two digits down).
    expect(budgetAmountFor("at_risk", "27.79591453", "167.239159339693", "180")).toBe("110.00");
    // on track: 120% of the high end, two digits up.
    expect(budgetAmountFor("ok", "138.44772368", "839.565613290057", "900")).toBe("1100.00");
  });

  it("falls back to the midpoint when rounding would leave the band", () => {
    expect(budgetAmountFor("at_risk", "100.2", "100.5", "101")).toBe("100.35");
  });

  it("is never below a cent", () => {
    expect(budgetAmountFor("over", "0", "0", "0")).toBe("0.01");
  });
});

describe("allocations and bursts", () => {
  it("sizes baselines from this month's spend and forecast", () => {
    expect(allocationAmountFor("near_limit", "30.5758", "188.8")).toBe("34.00");
    expect(allocationAmountFor("over_baseline", "27.7959", "167.2")).toBe("22.00");
    expect(allocationAmountFor("idle", "1", "6")).toBe("50.00");
    expect(allocationAmountFor("roomy", "11.7", "67.85")).toBe("95.00");
    expect(burstAmountFor("0.5", "30.5758")).toBe("16.00");
    expect(burstAmountFor("0.3", "5")).toBe("10.00");
  });
});

describe("setupTimes", () => {
  it("sets budgets after a week and allocations the next morning; earlier in a short window", () => {
    const start = Date.parse("2026-09-07T00:00:00Z");
    expect(setupTimes(start, start + 90 * DAY)).toEqual({
      budgetsAt: new Date("2026-09-15T10:00:00Z"),
      allocationsAt: new Date("2026-09-16T09:00:00Z"),
    });
    expect(setupTimes(start, start + 3 * DAY).budgetsAt).toEqual(new Date("2026-09-07T10:00:00Z"));
  });
});

describe("replaySchedule", () => {
  const from = Date.parse("2026-11-01T10:00:00Z");
  const to = Date.parse("2026-11-03T10:00:00Z");
  const steps = replaySchedule(from, to);

  it("runs the spike check every 3 hours, budgets twice a day and the daily checks at 06:00", () => {
    const at = (type: keyof typeof REPLAY_CADENCE) => steps.filter((s) => s.at.getTime() < to && s.types.includes(type)).map((s) => s.at.toISOString());
    expect(at("spend_spike")).toHaveLength(16);
    expect(at("budget_threshold")).toEqual(["2026-11-01T18:00:00.000Z", "2026-11-02T06:00:00.000Z", "2026-11-02T18:00:00.000Z", "2026-11-03T06:00:00.000Z"]);
    expect(at("cache_hit_rate_drop")).toEqual(["2026-11-02T06:00:00.000Z", "2026-11-03T06:00:00.000Z"]);
  });

  it("ends with every rule at the window's end", () => {
    expect(steps.at(-1)).toEqual({ at: new Date(to), types: Object.keys(REPLAY_CADENCE) });
    expect(steps[0]?.at.toISOString()).toBe("2026-11-01T12:00:00.000Z");
  });
});
