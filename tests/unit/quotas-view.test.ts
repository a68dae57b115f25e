import { describe, expect, it } from "vitest";
import {
  amountProblem,
  approvalAmountProblem,
  datetimeLocalToUtc,
  formatQuotaAmount,
  formatUtilization,
  gatewaySnippets,
  grantedAmount,
  groupDigits,
  isBurstActive,
  isMonthKey,
  monthKey,
  monthLabel,
  monthOptions,
  shiftMonth,
  toDatetimeLocal,
  utcOffsetLabel,
  utilizationBar,
  windowProblems,
} from "@/lib/quotas/view";

// Expected values are worked out by hand.

describe("formatQuotaAmount", () => {
  it("writes dollars as money and tokens as grouped whole numbers", () => {
    expect(formatQuotaAmount("1234.500000000000", "usd")).toBe("$1,234.50");
    expect(formatQuotaAmount("0.000420000000", "usd")).toBe("$0.00042");
    expect(formatQuotaAmount("1500000", "tokens")).toBe("1,500,000 tokens");
    expect(formatQuotaAmount("1", "tokens")).toBe("1 token");
    expect(formatQuotaAmount("999.5", "tokens")).toBe("1,000 tokens");
    expect(formatQuotaAmount("0", "tokens")).toBe("0 tokens");
  });

  it("groups digits without a float (beyond 2^53)", () => {
    expect(groupDigits("123456789012345678")).toBe("123,456,789,012,345,678");
    expect(groupDigits("-1000")).toBe("-1,000");
    expect(groupDigits("999")).toBe("999");
  });

  it("formats utilization fractions, and none as a dash", () => {
    expect(formatUtilization("0.4312")).toBe("43.1%");
    expect(formatUtilization("1.2500")).toBe("125.0%");
    expect(formatUtilization(null)).toBe("—");
  });
});

describe("utilizationBar", () => {
  it("puts the baseline, the burst on top and the used share on one track", () => {
    // limit 1000 = 600 baseline + 400 burst; 300 used.
    expect(utilizationBar({ amount: "600", burst_amount: "400", used: "300", limit: "1000" })).toEqual({
      baselinePct: 60,
      burstPct: 40,
      usedPct: 30,
      valueNow: 30,
      fraction: "0.3000",
      over: false,
    });
  });

  it("stretches the track to the used amount when over, and clamps aria-valuenow at 100", () => {
    // 250 used of a 100 limit: the track is 250 wide.
    expect(utilizationBar({ amount: "100", burst_amount: "0", used: "250", limit: "100" })).toEqual({
      baselinePct: 40,
      burstPct: 0,
      usedPct: 100,
      valueNow: 100,
      fraction: "2.5000",
      over: true,
    });
  });

  it("keeps exact decimals (one third) and reports no fraction for a zero limit", () => {
    const third = utilizationBar({ amount: "3", burst_amount: "0", used: "1", limit: "3" });
    expect(third.usedPct).toBe(33.33);
    expect(third.valueNow).toBe(33.3);
    expect(third.fraction).toBe("0.3333");
    const zero = utilizationBar({ amount: "0", burst_amount: "0", used: "0", limit: "0" });
    expect(zero).toEqual({ baselinePct: 0, burstPct: 0, usedPct: 0, valueNow: 0, fraction: null, over: false });
  });
});

describe("datetime-local ⇄ RFC 3339 UTC", () => {
  it("converts wall-clock time at a given offset to UTC", () => {
    // Berlin in winter: UTC+1, getTimezoneOffset() = -60.
    expect(datetimeLocalToUtc("2026-12-01T09:30", -60)).toBe("2026-12-01T08:30:00.000Z");
    // New York in winter: UTC-5, offset +300 — crosses midnight into the next UTC day.
    expect(datetimeLocalToUtc("2026-12-01T21:15", 300)).toBe("2026-12-02T02:15:00.000Z");
    // India: UTC+5:30.
    expect(datetimeLocalToUtc("2027-01-01T00:00:45", -330)).toBe("2026-12-31T18:30:45.000Z");
    expect(datetimeLocalToUtc("2026-06-15T12:00", 0)).toBe("2026-06-15T12:00:00.000Z");
  });

  it("refuses empty, malformed and non-existent values", () => {
    expect(datetimeLocalToUtc("", 0)).toBeNull();
    expect(datetimeLocalToUtc("2026-12-01", 0)).toBeNull();
    expect(datetimeLocalToUtc("2026-02-30T10:00", 0)).toBeNull();
    expect(datetimeLocalToUtc("2026-13-01T10:00", 0)).toBeNull();
    expect(datetimeLocalToUtc("2026-12-01T24:00", 0)).toBeNull();
  });

  it("uses the runtime's zone when no offset is given, and round-trips with toDatetimeLocal", () => {
    const local = "2026-12-01T09:30";
    const utc = datetimeLocalToUtc(local);
    expect(utc).toBe(new Date(2026, 11, 1, 9, 30).toISOString());
    expect(toDatetimeLocal(new Date(utc ?? ""))).toBe(local);
    expect(toDatetimeLocal(new Date("2026-12-01T08:30:00Z"), -60)).toBe("2026-12-01T09:30");
    expect(toDatetimeLocal(new Date("2026-12-02T02:15:00Z"), 300)).toBe("2026-12-01T21:15");
  });

  it("names offsets", () => {
    expect(utcOffsetLabel(0)).toBe("UTC");
    expect(utcOffsetLabel(-60)).toBe("UTC+01:00");
    expect(utcOffsetLabel(-330)).toBe("UTC+05:30");
    expect(utcOffsetLabel(300)).toBe("UTC-05:00");
  });
});

describe("form checks", () => {
  it("accepts positive decimals for dollars and whole numbers for tokens", () => {
    expect(amountProblem("250", "usd")).toBeNull();
    expect(amountProblem(" 99.50 ", "usd")).toBeNull();
    expect(amountProblem("", "usd")).toBe("is required");
    expect(amountProblem("0", "usd")).toBe("must be more than zero");
    expect(amountProblem("0.000", "usd")).toBe("must be more than zero");
    expect(amountProblem("-5", "usd")).toMatch(/decimal amount/);
    expect(amountProblem("1e3", "usd")).toMatch(/decimal amount/);
    expect(amountProblem("20000000", "tokens")).toBeNull();
    expect(amountProblem("1000.0", "tokens")).toBeNull();
    expect(amountProblem("1000.5", "tokens")).toBe("must be a whole number of tokens");
  });

  it("allows approving in full (empty) or less, never more", () => {
    expect(approvalAmountProblem("", "500.000000000000", "usd")).toBeNull();
    expect(approvalAmountProblem("250", "500.000000000000", "usd")).toBeNull();
    expect(approvalAmountProblem("500", "500.000000000000", "usd")).toBeNull();
    expect(approvalAmountProblem("500.01", "500.000000000000", "usd")).toBe("may not exceed the requested $500.00");
    expect(approvalAmountProblem("0", "500", "usd")).toBe("must be more than zero");
    expect(approvalAmountProblem("2000001", "2000000", "tokens")).toBe("may not exceed the requested 2,000,000 tokens");
  });

  it("requires a window whose end is after its start", () => {
    expect(windowProblems("2026-12-01T08:00:00.000Z", "2026-12-02T08:00:00.000Z")).toEqual([]);
    expect(windowProblems(null, null)).toEqual([
      { path: "starts_at", message: "is required" },
      { path: "ends_at", message: "is required" },
    ]);
    expect(windowProblems("2026-12-02T08:00:00.000Z", "2026-12-02T08:00:00.000Z")).toEqual([{ path: "ends_at", message: "must be after the start" }]);
  });
});

describe("months", () => {
  it("recognises, computes and shifts month keys across years", () => {
    expect(isMonthKey("2026-11")).toBe(true);
    expect(isMonthKey("2026-13")).toBe(false);
    expect(isMonthKey("2026-1")).toBe(false);
    expect(isMonthKey(null)).toBe(false);
    expect(monthKey(new Date("2026-12-31T23:59:59.999Z"))).toBe("2026-12");
    expect(monthKey(new Date("2027-01-01T00:00:00.000Z"))).toBe("2027-01");
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2026-03", -14)).toBe("2025-01");
    expect(monthLabel("2026-11")).toBe("November 2026");
  });

  it("offers the last months newest first, plus an older month that is asked for", () => {
    expect(monthOptions(new Date("2026-02-10T00:00:00Z"), 3)).toEqual([
      { value: "2026-02", label: "February 2026" },
      { value: "2026-01", label: "January 2026" },
      { value: "2025-12", label: "December 2025" },
    ]);
    expect(monthOptions(new Date("2026-02-10T00:00:00Z"), 2, "2024-06").map((o) => o.value)).toEqual(["2026-02", "2026-01", "2024-06"]);
    expect(monthOptions(new Date("2026-02-10T00:00:00Z"), 2, "2026-01").map((o) => o.value)).toEqual(["2026-02", "2026-01"]);
  });
});

describe("bursts", () => {
  const burst = { status: "approved", starts_at: "2026-12-01T00:00:00.000Z", ends_at: "2026-12-02T00:00:00.000Z" };
  it("counts an approved burst while its window [start, end) contains now", () => {
    expect(isBurstActive(burst, new Date("2026-12-01T00:00:00.000Z"))).toBe(true);
    expect(isBurstActive(burst, new Date("2026-12-01T23:59:59.999Z"))).toBe(true);
    expect(isBurstActive(burst, new Date("2026-12-02T00:00:00.000Z"))).toBe(false);
    expect(isBurstActive(burst, new Date("2026-11-30T23:59:59.999Z"))).toBe(false);
    expect(isBurstActive({ ...burst, status: "pending" }, new Date("2026-12-01T12:00:00.000Z"))).toBe(false);
  });

  it("grants the approved amount when one was set, else the requested one", () => {
    expect(grantedAmount({ amount: "500", approved_amount: "250" })).toBe("250");
    expect(grantedAmount({ amount: "500", approved_amount: null })).toBe("500");
  });
});

describe("gatewaySnippets", () => {
  it("posts the contract's fields to this installation with an ingest key", () => {
    const { curl, typescript } = gatewaySnippets({ origin: "https://burnrate.acme.dev", team: "search", model: "gpt-4o-mini" });
    expect(curl).toContain("curl -sS -X POST https://burnrate.acme.dev/api/v1/quota/check");
    expect(curl).toContain('Authorization: Bearer $BURNRATE_INGEST_KEY');
    expect(curl).toContain(`-d '{"team":"search","model":"gpt-4o-mini","estimated_tokens":1200,"estimated_cost_usd":"0.012"}'`);
    expect(typescript).toContain('fetch("https://burnrate.acme.dev/api/v1/quota/check"');
    expect(typescript).toContain('body: JSON.stringify({ team: "search", model: "gpt-4o-mini", estimated_tokens: 1200, estimated_cost_usd: "0.012" })');
    expect(typescript).toContain("burst: { id: string; amount: string; ends_at: string } | null;");
    expect(typescript).toContain("if (!check.allowed)");
  });

  it("leaves the model out for a team-wide allocation", () => {
    const { curl } = gatewaySnippets({ origin: "http://localhost:3000", team: "support", model: null });
    expect(curl).toContain(`-d '{"team":"support","estimated_tokens":1200,"estimated_cost_usd":"0.012"}'`);
  });
});
