import { describe, expect, it } from "vitest";
import {
  approveBurstSchema,
  createAllocationSchema,
  createBurstSchema,
  decisionCommentSchema,
  parseQuotaAmount,
  quotaCheckSchema,
  updateAllocationSchema,
} from "@/lib/schemas/quota";

/** The quota bodies: amounts per unit, exact decimals from JSON numbers, window rules, strictness. */

const paths = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
  (result.error?.issues ?? []).map((issue) => issue.path.join("."));

describe("parseQuotaAmount", () => {
  it("usd: decimals up to 12 places, canonical; numbers read through their shortest string", () => {
    expect(parseQuotaAmount("1500.50", "usd")).toEqual({ ok: true, amount: "1500.5" });
    expect(parseQuotaAmount(0.1, "usd")).toEqual({ ok: true, amount: "0.1" });
    expect(parseQuotaAmount(1e-12, "usd")).toEqual({ ok: true, amount: "0.000000000001" });
    expect(parseQuotaAmount("0.0000000000001", "usd")).toEqual({ ok: false, message: "must have at most 12 fractional digits" });
    expect(parseQuotaAmount("999999999999.000000000001", "usd").ok).toBe(false);
  });

  it("tokens: whole numbers only", () => {
    expect(parseQuotaAmount("1000000", "tokens")).toEqual({ ok: true, amount: "1000000" });
    expect(parseQuotaAmount("10.0", "tokens")).toEqual({ ok: true, amount: "10" });
    expect(parseQuotaAmount("10.5", "tokens")).toEqual({ ok: false, message: "must be a whole number of tokens" });
  });

  it("> 0 unless zero is allowed (estimates); never negative, never text", () => {
    expect(parseQuotaAmount("0", "usd")).toEqual({ ok: false, message: "must be > 0" });
    expect(parseQuotaAmount("0", "usd", { allowZero: true })).toEqual({ ok: true, amount: "0" });
    for (const bad of [-1, "-1", "1e3", "abc", "", null, true, Number.NaN, Number.POSITIVE_INFINITY]) expect(parseQuotaAmount(bad, "usd").ok).toBe(false);
  });
});

describe("bodies", () => {
  it("allocation: defaults (period month, model and limits null); the amount fits the unit", () => {
    expect(createAllocationSchema.parse({ team: "search", unit: "usd", amount: 250 })).toEqual({
      team: "search",
      unit: "usd",
      amount: "250",
      period: "month",
      model: null,
      requests_per_minute: null,
      tokens_per_minute: null,
    });
    expect(paths(createAllocationSchema.safeParse({ team: "search", unit: "tokens", amount: "1.5" }))).toEqual(["amount"]);
    expect(createAllocationSchema.safeParse({ team: "search", unit: "usd", amount: 1, owner: "x" }).error?.issues).toEqual([
      expect.objectContaining({ code: "unrecognized_keys", keys: ["owner"] }),
    ]);
  });

  it("allocation PATCH: at least one field; null clears a per-minute limit", () => {
    expect(updateAllocationSchema.safeParse({}).success).toBe(false);
    expect(updateAllocationSchema.parse({ requests_per_minute: null })).toEqual({ requests_per_minute: null });
  });

  it("burst: window order and at most 92 days; comments trimmed, empty is null", () => {
    const base = { team: "search", amount: "10", reason: "launch", starts_at: "2026-11-01T00:00:00Z" };
    expect(createBurstSchema.safeParse({ ...base, ends_at: "2027-02-01T00:00:00Z" }).success).toBe(true); // exactly 92 days
    expect(paths(createBurstSchema.safeParse({ ...base, ends_at: "2027-02-01T00:00:00.001Z" }))).toEqual(["ends_at"]);
    expect(paths(createBurstSchema.safeParse({ ...base, ends_at: "2026-11-01T00:00:00Z" }))).toEqual(["ends_at"]);
    expect(createBurstSchema.parse({ ...base, ends_at: "2026-11-02T00:00:00+01:00", expected_usage: "  " }).expected_usage).toBeNull();
    expect(approveBurstSchema.parse({ comment: "  ok  " })).toEqual({ comment: "ok" });
    expect(decisionCommentSchema.parse({})).toEqual({ comment: null });
  });

  it("check: the estimates are optional, exact, non-negative", () => {
    expect(quotaCheckSchema.parse({ team: "search", estimated_cost_usd: 0.012, estimated_tokens: 1200 })).toEqual({
      team: "search",
      estimated_cost_usd: "0.012",
      estimated_tokens: 1200,
    });
    expect(quotaCheckSchema.parse({ team: "search" })).toEqual({ team: "search" });
    expect(paths(quotaCheckSchema.safeParse({ team: "search", estimated_cost_usd: "-0.1" }))).toEqual(["estimated_cost_usd"]);
  });
});
