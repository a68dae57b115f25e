import { describe, expect, it } from "vitest";
import { evaluateRunawayTrace, type RunawayTraceInput } from "@/lib/alerts/rules";
import { describeRule } from "@/lib/alerts/rule-describe";
import { runawayTraceParamsSchema } from "@/lib/schemas/alerts";

const ctx = { ruleId: "r-runaway", baseUrl: "http://burnrate.test", now: new Date("2026-11-20T12:00:00Z") };
const defaults = runawayTraceParamsSchema.parse({});

function trace(overrides: Partial<RunawayTraceInput> = {}): RunawayTraceInput {
  return {
    traceId: "tr-1",
    team: "support",
    calls: 10,
    costUsd: "0.500000000000",
    firstCallAt: new Date("2026-11-20T09:00:00Z"),
    lastCallAt: new Date("2026-11-20T09:42:00Z"),
    ...overrides,
  };
}

describe("trace.runaway", () => {
  it("defaults to more than 50 calls or more than $5 within 24 hours", () => {
    expect(defaults).toEqual({ max_calls: 50, max_cost_usd: "5", window_hours: 24 });
    expect(describeRule("runaway_trace", {})).toBe("Fires once per trace that makes more than 50 calls or costs more than $5 within 24 hours.");
  });

  it("passes a limit only beyond it: 50 calls and $5 exactly do not fire, 51 calls or $5.000000000001 do", () => {
    expect(evaluateRunawayTrace(ctx, defaults, [trace({ calls: 50, costUsd: "5.000000000000" })])).toEqual([]);
    expect(evaluateRunawayTrace(ctx, defaults, [trace({ calls: 51 })])).toHaveLength(1);
    expect(evaluateRunawayTrace(ctx, defaults, [trace({ costUsd: "5.000000000001" })])).toHaveLength(1);
  });

  it("says what ran away, once per trace, dated by its first call and scoped to its team", () => {
    const [finding] = evaluateRunawayTrace(ctx, defaults, [trace({ calls: 120, costUsd: "7.25" })]);
    expect(finding).toMatchObject({
      ruleType: "runaway_trace",
      type: "trace.runaway",
      scope: { team: "support" },
      periodStart: new Date("2026-11-20T09:00:00Z"),
      message: "Trace tr-1 (team support) ran away: 120 calls (limit 50) and $7.25 (limit $5.00) in 42 minutes, from 2026-11-20 09:00 UTC.",
      payload: {
        trace_id: "tr-1",
        calls: 120,
        cost_usd: "7.250000000000",
        first_call_at: "2026-11-20T09:00:00.000Z",
        last_call_at: "2026-11-20T09:42:00.000Z",
        url: "http://burnrate.test/outcomes?trace=tr-1",
      },
    });
    const again = evaluateRunawayTrace({ ...ctx, now: new Date("2026-11-20T13:00:00Z") }, defaults, [trace({ calls: 130, costUsd: "8" })]);
    // The same trace keeps its key however it grows, so it fires once; another trace has its own.
    expect(again[0]?.dedupeKey).toBe(finding?.dedupeKey);
    expect(evaluateRunawayTrace(ctx, defaults, [trace({ traceId: "tr-2", calls: 120 })])[0]?.dedupeKey).not.toBe(finding?.dedupeKey);
  });

  it("tunes: a lower call limit, an untagged trace", () => {
    const tuned = runawayTraceParamsSchema.parse({ max_calls: 5, max_cost_usd: "100", window_hours: 1 });
    const [finding] = evaluateRunawayTrace(ctx, tuned, [trace({ team: null, calls: 6 })]);
    expect(finding?.scope).toEqual({});
    expect(finding?.message).toBe("Trace tr-1 ran away: 6 calls (limit 5) in 42 minutes, from 2026-11-20 09:00 UTC.");
  });
});
