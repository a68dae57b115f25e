import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { ceilToUnit, suggestFor, type MonthFacts } from "@/lib/quotas/review-rules";
import { addMonths, defaultReviewMonth, monthStart } from "@/lib/quotas/review";

/** The review's suggestions with exact amounts, each rule and their order. */

function month(key: string, used: string, overrides: Partial<Omit<MonthFacts, "used" | "largestApproved">> & { largestApproved?: string } = {}): MonthFacts {
  const { largestApproved, ...rest } = overrides;
  return {
    month: key,
    existed: true,
    used: new Money(used),
    burstsApproved: 0,
    burstsRequested: 0,
    largestApproved: new Money(largestApproved ?? "0"),
    ...rest,
  };
}

const months = (a: MonthFacts, b: MonthFacts, c: MonthFacts) => [a, b, c] as const;

describe("suggestFor", () => {
  it("raise when over 100% in the month: 110% of the peak, rounded up to the cent", () => {
    expect(suggestFor("usd", "100", months(month("2026-08", "90"), month("2026-09", "95"), month("2026-10", "120.333")))).toEqual({
      kind: "raise",
      amount: "132.370000000000", // 120.333 × 1.1 = 132.3663 → 132.37
      reason: "Used 120.3% of the baseline in 2026-10 (over 100%): raise to 110% of the peak need in 2026-08..2026-10.",
    });
  });

  it("raise covers baseline + the largest approved burst when that is larger than the peak use", () => {
    const facts = months(month("2026-08", "50"), month("2026-09", "80", { burstsApproved: 1, largestApproved: "60" }), month("2026-10", "101"));
    expect(suggestFor("usd", "100", facts)).toMatchObject({ kind: "raise", amount: "176.000000000000" }); // (100 + 60) × 1.1
  });

  it("exactly 100% is not over", () => {
    expect(suggestFor("usd", "100", months(month("2026-08", "90"), month("2026-09", "95"), month("2026-10", "100"))).kind).toBe("keep");
  });

  it("cut when under 50% in both of the last 2 months: 120% of the higher month", () => {
    expect(suggestFor("usd", "1000", months(month("2026-08", "900"), month("2026-09", "312.5"), month("2026-10", "200.004")))).toEqual({
      kind: "cut",
      amount: "375.000000000000",
      reason: "Used under 50% of the baseline in both 2026-09 (31.3%) and 2026-10 (20.0%): cut to 120% of the higher month.",
    });
  });

  it("cut rounds up (tokens: to the whole token)", () => {
    expect(suggestFor("tokens", "1000000", months(month("2026-08", "0"), month("2026-09", "123457"), month("2026-10", "1")))).toMatchObject({
      kind: "cut",
      amount: "148149", // 123457 × 1.2 = 148148.4 → 148149
    });
  });

  it("exactly 50% is not under: no cut", () => {
    expect(suggestFor("usd", "100", months(month("2026-08", "0"), month("2026-09", "50"), month("2026-10", "10"))).kind).toBe("keep");
  });

  it("nothing used in both months: cut without an amount", () => {
    expect(suggestFor("usd", "100", months(month("2026-08", "70"), month("2026-09", "0"), month("2026-10", "0")))).toEqual({
      kind: "cut",
      amount: null,
      reason: "Nothing used in 2026-09 (0.0%) and 2026-10 (0.0%): consider removing the allocation.",
    });
  });

  it("no cut when the allocation did not exist in the earlier month", () => {
    const facts = months(month("2026-08", "0", { existed: false }), month("2026-09", "0", { existed: false }), month("2026-10", "10"));
    expect(suggestFor("usd", "100", facts)).toEqual({
      kind: "keep",
      amount: null,
      reason: "Used 10.0% of the baseline in 2026-10: no change suggested.",
    });
  });

  it("raise when approved bursts overlapped 2 of the 3 months", () => {
    const facts = months(
      month("2026-08", "90", { burstsApproved: 1, burstsRequested: 1, largestApproved: "20" }),
      month("2026-09", "70", { burstsRequested: 2 }),
      month("2026-10", "95", { burstsApproved: 2, burstsRequested: 2, largestApproved: "30" }),
    );
    expect(suggestFor("usd", "100", facts)).toEqual({
      kind: "raise",
      amount: "143.000000000000", // max(peak 95, 100 + 30) × 1.1
      reason: "Needed approved bursts in 2 of the 3 months 2026-08..2026-10: raise to 110% of the peak need.",
    });
  });

  it("one burst month, or requested but not approved bursts, is not enough", () => {
    const facts = months(month("2026-08", "90", { burstsRequested: 3 }), month("2026-09", "70", { burstsApproved: 1, largestApproved: "5" }), month("2026-10", "95"));
    expect(suggestFor("usd", "100", facts).kind).toBe("keep");
  });

  it("order: a cut beats bursts (they burst but left half unused)", () => {
    const facts = months(
      month("2026-08", "40", { burstsApproved: 1, largestApproved: "10" }),
      month("2026-09", "40", { burstsApproved: 1, largestApproved: "10" }),
      month("2026-10", "40", { burstsApproved: 1, largestApproved: "10" }),
    );
    expect(suggestFor("usd", "100", facts)).toMatchObject({ kind: "cut", amount: "48.000000000000" });
  });
});

describe("months", () => {
  it("rounding up to the unit", () => {
    expect(ceilToUnit(new Money("1.001"), "usd").toFixed()).toBe("1.01");
    expect(ceilToUnit(new Money("7"), "tokens").toFixed()).toBe("7");
  });

  it("month arithmetic across years; the default review month is the last complete one", () => {
    expect(addMonths("2026-01", -2)).toBe("2025-11");
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(monthStart("2026-03")).toEqual(new Date("2026-03-01T00:00:00Z"));
    expect(defaultReviewMonth(new Date("2026-01-01T00:00:00Z"))).toBe("2025-12");
    expect(defaultReviewMonth(new Date("2026-11-30T23:59:59Z"))).toBe("2026-10");
  });
});
