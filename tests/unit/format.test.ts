import { describe, expect, it } from "vitest";
import {
  formatChange,
  formatCount,
  formatDay,
  formatDayKey,
  formatDayRange,
  formatDayTime,
  formatMoney,
  formatMoneyCompact,
  formatMonth,
  formatPercent,
  formatTokens,
  ratio,
} from "@/lib/format";
import { Money } from "@/lib/money";

// Every expected value below is worked out by hand, never by calling the code under test.

describe("formatMoney", () => {
  it("groups thousands and keeps two decimals", () => {
    expect(formatMoney("1234.56")).toBe("$1,234.56");
    expect(formatMoney("1234.560000000000")).toBe("$1,234.56"); // the contract's 12-fraction-digit form
    expect(formatMoney("1234567.8")).toBe("$1,234,567.80");
    expect(formatMoney("999.99")).toBe("$999.99");
    expect(formatMoney("1000")).toBe("$1,000.00");
    expect(formatMoney("0.01")).toBe("$0.01");
    expect(formatMoney("0.0100")).toBe("$0.01");
    expect(formatMoney("12")).toBe("$12.00");
  });

  it("accepts numbers and Money as well as strings", () => {
    expect(formatMoney(1234.56)).toBe("$1,234.56");
    expect(formatMoney(new Money("42.5"))).toBe("$42.50");
  });

  it("puts the minus sign before the dollar sign", () => {
    expect(formatMoney("-1234.56")).toBe("-$1,234.56");
    expect(formatMoney("-0.5")).toBe("-$0.50");
    expect(formatMoney("-1000000")).toBe("-$1,000,000.00");
  });

  it("formats every spelling of zero as $0.00, never -$0.00", () => {
    expect(formatMoney("0")).toBe("$0.00");
    expect(formatMoney(0)).toBe("$0.00");
    expect(formatMoney("-0")).toBe("$0.00");
    expect(formatMoney("0.000000000000")).toBe("$0.00");
    expect(formatMoney("-0.000000000000")).toBe("$0.00");
  });

  // Display rounding is HALF-UP (decimal.js ROUND_HALF_UP: ties go away from zero; the code
  // rounds the absolute value, so -1.005 and 1.005 mirror each other). Money's own default is
  // banker's rounding (ROUND_HALF_EVEN), which would print $1.00 for 1.005 and $1.02 for 1.025;
  // half-up is the sensible choice for display because it matches what people and spreadsheets
  // expect when they round a bill by hand.
  it("rounds half-cents half-up (not banker's), exactly, with no float error", () => {
    expect(formatMoney("1.005")).toBe("$1.01"); // banker's: $1.00 (0 is even)
    expect(formatMoney("1.015")).toBe("$1.02"); // banker's agrees here
    expect(formatMoney("1.025")).toBe("$1.03"); // banker's: $1.02
    expect(formatMoney("0.125")).toBe("$0.13"); // banker's: $0.12
    expect(formatMoney("2.675")).toBe("$2.68"); // (2.675).toFixed(2) in JS floats gives "2.67"
    expect(formatMoney("1.004999999999")).toBe("$1.00");
    expect(formatMoney("999.995")).toBe("$1,000.00"); // the carry reaches the thousands group
    expect(formatMoney("-1.005")).toBe("-$1.01");
    expect(formatMoney("-2.675")).toBe("-$2.68");
  });

  it("does not carry binary float error into the cents", () => {
    expect(formatMoney(0.1 + 0.2)).toBe("$0.30");
    expect(formatMoney("0.10")).toBe("$0.10");
  });

  it("shows non-zero amounts under a cent with two significant digits", () => {
    expect(formatMoney("0.00042")).toBe("$0.00042");
    expect(formatMoney("0.000420000000")).toBe("$0.00042");
    expect(formatMoney("0.0042")).toBe("$0.0042");
    expect(formatMoney("0.009949")).toBe("$0.0099");
    expect(formatMoney("0.00012345")).toBe("$0.00012");
    expect(formatMoney("0.000000000001")).toBe("$0.000000000001"); // the contract's smallest unit
    expect(formatMoney("-0.00042")).toBe("-$0.00042");
  });

  it("rounds the two significant digits half-up too", () => {
    expect(formatMoney("0.000425")).toBe("$0.00043"); // banker's: $0.00042
    expect(formatMoney("0.000415")).toBe("$0.00042");
    expect(formatMoney("0.000424999")).toBe("$0.00042");
  });

  it("drops a trailing zero significant digit rather than padding", () => {
    // toSignificantDigits(2) keeps 0.005 as 0.005; toFixed() adds no trailing zero.
    expect(formatMoney("0.005")).toBe("$0.005");
    expect(formatMoney("0.0050")).toBe("$0.005");
  });

  it("rounds just-under-a-cent amounts up to $0.01", () => {
    expect(formatMoney("0.00995")).toBe("$0.01");
    expect(formatMoney("0.009999999999")).toBe("$0.01");
  });

  it("formats huge decimal strings exactly, beyond JS float precision", () => {
    // As a JS number this is 12345678901234.568 (only ~17 significant digits survive).
    expect(formatMoney("12345678901234.567890123456")).toBe("$12,345,678,901,234.57");
    expect(formatMoney("-12345678901234.565")).toBe("-$12,345,678,901,234.57");
    // 2^53 + 1 is not representable as a double (Number gives ...992).
    expect(formatMoney("9007199254740993.01")).toBe("$9,007,199,254,740,993.01");
    expect(formatMoney("99999999999999999999.995")).toBe("$100,000,000,000,000,000,000.00");
    // Exponent notation is expanded, never printed as "1e+21".
    expect(formatMoney("1e21")).toBe("$1,000,000,000,000,000,000,000.00");
    expect(formatMoney("1234567890123456789012345678901234567890.004999999999")).toBe(
      "$1,234,567,890,123,456,789,012,345,678,901,234,567,890.00",
    );
  });
});

describe("formatMoneyCompact", () => {
  it("abbreviates axis values", () => {
    expect(formatMoneyCompact(1234)).toBe("$1.2K");
    expect(formatMoneyCompact(1_500_000)).toBe("$1.5M");
    expect(formatMoneyCompact(-2500)).toBe("-$2.5K");
  });
});

describe("formatTokens", () => {
  it("is exact below a thousand", () => {
    expect(formatTokens(0)).toBe("0");
    expect(formatTokens(7)).toBe("7");
    expect(formatTokens(999)).toBe("999");
  });

  it("abbreviates with at most one decimal", () => {
    expect(formatTokens(1000)).toBe("1K");
    expect(formatTokens(1234)).toBe("1.2K");
    expect(formatTokens(1500)).toBe("1.5K");
    expect(formatTokens(1_234_567)).toBe("1.2M");
    expect(formatTokens(1_250_000)).toBe("1.3M"); // half-expand
    expect(formatTokens(1_000_000_000)).toBe("1B");
    expect(formatTokens(2_500_000_000_000)).toBe("2.5T");
  });

  it("moves to the next unit instead of printing 1000K", () => {
    expect(formatTokens(999_999)).toBe("1M");
    expect(formatTokens(999_950)).toBe("1M");
  });
});

describe("formatCount", () => {
  it("groups thousands with no decimals", () => {
    expect(formatCount(0)).toBe("0");
    expect(formatCount(999)).toBe("999");
    expect(formatCount(12345)).toBe("12,345");
    expect(formatCount(1_234_567_890)).toBe("1,234,567,890");
    expect(formatCount(-9_876_543)).toBe("-9,876,543");
  });

  it("rounds fractions half-up", () => {
    expect(formatCount(1234.4)).toBe("1,234");
    expect(formatCount(1234.5)).toBe("1,235");
  });
});

describe("ratio", () => {
  it("divides exactly", () => {
    expect(ratio("1", "4")?.toString()).toBe("0.25");
    expect(ratio("0", "5")?.toString()).toBe("0");
    expect(ratio("5", "5")?.toString()).toBe("1");
    expect(ratio("0.000000000001", "0.000000000004")?.toString()).toBe("0.25");
    expect(ratio("12345678901234.567890123456", "12345678901234.567890123456")?.toString()).toBe("1");
  });

  it("keeps 60 significant digits for non-terminating shares", () => {
    expect(ratio(1, 3)?.toString()).toBe(`0.${"3".repeat(60)}`);
  });

  it("is null when the whole is zero, however it is spelled", () => {
    expect(ratio("1", "0")).toBeNull();
    expect(ratio("0", "0")).toBeNull();
    expect(ratio(1, 0)).toBeNull();
    expect(ratio("1", "0.000000000000")).toBeNull();
    expect(ratio("1", "-0")).toBeNull();
  });
});

describe("formatPercent", () => {
  it("formats a share with one decimal by default", () => {
    expect(formatPercent("0.123")).toBe("12.3%");
    expect(formatPercent("0.5")).toBe("50.0%");
    expect(formatPercent("1")).toBe("100.0%");
    expect(formatPercent("0")).toBe("0.0%");
    expect(formatPercent(new Money(1).div(3))).toBe("33.3%");
    expect(formatPercent(new Money(2).div(3))).toBe("66.7%");
  });

  it("rounds half-up", () => {
    expect(formatPercent("0.0025")).toBe("0.3%"); // 0.25% -> banker's would give 0.2%
    expect(formatPercent("0.0035")).toBe("0.4%");
    expect(formatPercent("0.12345", 2)).toBe("12.35%"); // banker's would give 12.34%
    expect(formatPercent("0.99949")).toBe("99.9%");
    expect(formatPercent("0.99995")).toBe("100.0%");
  });

  it("says <0.1% for tiny non-zero shares", () => {
    expect(formatPercent("0.0004")).toBe("<0.1%");
    expect(formatPercent("0.000000000001")).toBe("<0.1%");
    // 0.095% would round to 0.1%, but it is under the smallest step, so it reads "<0.1%".
    expect(formatPercent("0.00095")).toBe("<0.1%");
    expect(formatPercent("0.001")).toBe("0.1%");
  });

  it("scales the threshold with the fraction digits", () => {
    expect(formatPercent("0.5", 0)).toBe("50%");
    expect(formatPercent("0.004", 0)).toBe("<1%");
    expect(formatPercent("0.01", 0)).toBe("1%");
    expect(formatPercent("0.00004", 2)).toBe("<0.01%");
    expect(formatPercent("0.0001", 2)).toBe("0.01%");
  });
});

describe("formatChange", () => {
  it("is null when the previous value is zero (nothing to compare with)", () => {
    expect(formatChange("5", "0")).toBeNull();
    expect(formatChange("0", "0")).toBeNull();
    expect(formatChange("5", "0.000000000000")).toBeNull();
  });

  it("is flat for equal values", () => {
    expect(formatChange("100", "100")).toEqual({ text: "0.0%", direction: "flat" });
    expect(formatChange("100.000000000000", "100")).toEqual({ text: "0.0%", direction: "flat" });
  });

  it("is flat, without a sign, for changes that round to 0.0%", () => {
    expect(formatChange("100.04", "100")).toEqual({ text: "0.0%", direction: "flat" });
    expect(formatChange("99.96", "100")).toEqual({ text: "0.0%", direction: "flat" });
  });

  it("reports increases with a plus sign", () => {
    expect(formatChange("110", "100")).toEqual({ text: "+10.0%", direction: "up" });
    expect(formatChange("200", "100")).toEqual({ text: "+100.0%", direction: "up" });
    expect(formatChange("4", "3")).toEqual({ text: "+33.3%", direction: "up" });
    expect(formatChange("1234.56", "1000")).toEqual({ text: "+23.5%", direction: "up" }); // 23.456%
  });

  it("reports decreases with a minus sign", () => {
    expect(formatChange("90", "100")).toEqual({ text: "-10.0%", direction: "down" });
    expect(formatChange("0", "100")).toEqual({ text: "-100.0%", direction: "down" });
    expect(formatChange("2", "3")).toEqual({ text: "-33.3%", direction: "down" });
  });

  it("rounds the half-step half-up, away from zero in both directions", () => {
    expect(formatChange("100.05", "100")).toEqual({ text: "+0.1%", direction: "up" });
    expect(formatChange("99.95", "100")).toEqual({ text: "-0.1%", direction: "down" });
    expect(formatChange("100.25", "100")).toEqual({ text: "+0.3%", direction: "up" }); // banker's: +0.2%
  });

  it("works on exact decimal strings far below a cent", () => {
    expect(formatChange("0.000000000003", "0.000000000002")).toEqual({ text: "+50.0%", direction: "up" });
  });

  it("measures against the magnitude of a negative previous value", () => {
    expect(formatChange("-50", "-100")).toEqual({ text: "+50.0%", direction: "up" });
    expect(formatChange("-150", "-100")).toEqual({ text: "-50.0%", direction: "down" });
  });
});

describe("date formatting (always UTC)", () => {
  it("names the month", () => {
    expect(formatMonth(new Date("2026-11-03T14:00:00Z"))).toBe("November 2026");
    expect(formatMonth(new Date("2026-11-30T23:59:59Z"))).toBe("November 2026");
    expect(formatMonth(new Date("2027-01-01T00:00:00Z"))).toBe("January 2027");
  });

  it("names the day", () => {
    expect(formatDay(new Date("2026-11-03T23:59:00Z"))).toBe("Nov 3");
    expect(formatDayKey("2026-11-03")).toBe("Nov 3");
    expect(formatDayKey("2028-02-29")).toBe("Feb 29");
  });

  it("shows a 24-hour time", () => {
    expect(formatDayTime(new Date("2026-11-03T14:05:00Z"))).toBe("Nov 3, 14:05 UTC");
    expect(formatDayTime(new Date("2026-11-03T00:00:00Z"))).toBe("Nov 3, 00:00 UTC");
  });

  it("shortens a range within a month and spells out both ends across months", () => {
    expect(formatDayRange(new Date("2026-10-01T00:00:00Z"), new Date("2026-10-25T10:00:00Z"))).toBe("Oct 1–25");
    expect(formatDayRange(new Date("2026-10-28T00:00:00Z"), new Date("2026-11-03T10:00:00Z"))).toBe("Oct 28–Nov 3");
    expect(formatDayRange(new Date("2026-12-28T00:00:00Z"), new Date("2027-01-03T10:00:00Z"))).toBe("Dec 28–Jan 3");
    // Same month number, different year: not the same month.
    expect(formatDayRange(new Date("2026-10-01T00:00:00Z"), new Date("2027-10-03T00:00:00Z"))).toBe("Oct 1–Oct 3");
  });
});

describe("display fixes", () => {
  it("writes compact axis money without forced decimals", async () => {
    const { formatMoneyCompact } = await import("@/lib/format");
    expect(formatMoneyCompact(0)).toBe("$0");
    expect(formatMoneyCompact(1000)).toBe("$1K");
    expect(formatMoneyCompact(1200)).toBe("$1.2K");
  });

  it("writes a one-day range as one day", async () => {
    const { formatDayRange } = await import("@/lib/format");
    expect(formatDayRange(new Date("2026-03-01T00:00:00Z"), new Date("2026-03-01T23:00:00Z"))).toBe("Mar 1");
    expect(formatDayRange(new Date("2026-03-01T00:00:00Z"), new Date("2026-03-02T00:00:00Z"))).toBe("Mar 1–2");
  });
});
