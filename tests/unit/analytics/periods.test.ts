import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { overviewPeriods, utcDays, type OverviewPeriods, type Window } from "@/lib/analytics/periods";
import { startOfUtcDay, startOfUtcMonth } from "@/lib/time";

// Expected windows are worked out by hand from the calendar, not from the code under test.

type Iso = { start: string; end: string };

function iso(window: Window): Iso {
  return { start: window.start.toISOString(), end: window.end.toISOString() };
}

function isoPeriods(periods: OverviewPeriods): Record<keyof OverviewPeriods, Iso> {
  return {
    monthToDate: iso(periods.monthToDate),
    lastMonthSamePeriod: iso(periods.lastMonthSamePeriod),
    lastMonth: iso(periods.lastMonth),
    last30Days: iso(periods.last30Days),
  };
}

function w(start: string, end: string): Iso {
  return { start: `${start}.000Z`, end: `${end}.000Z` };
}

describe("startOfUtcMonth / startOfUtcDay", () => {
  it("finds the first instant of the UTC month, with offsets across years", () => {
    expect(startOfUtcMonth(new Date("2026-03-31T23:59:59.999Z")).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(startOfUtcMonth(new Date("2027-01-01T05:00:00Z"), -1).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(startOfUtcMonth(new Date("2026-12-31T12:00:00Z"), 1).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(startOfUtcMonth(new Date("2026-03-15T12:00:00Z"), -14).toISOString()).toBe("2025-01-01T00:00:00.000Z");
  });

  it("finds the first instant of the UTC day", () => {
    expect(startOfUtcDay(new Date("2028-02-29T23:59:59.999Z")).toISOString()).toBe("2028-02-29T00:00:00.000Z");
    expect(startOfUtcDay(new Date("2026-03-01T00:00:00Z")).toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });
});

describe("overviewPeriods", () => {
  it("mid-month: month to date through the current hour, last month's same stretch", () => {
    // 14 days + 15 hours into March (through 15:00 on the 15th).
    expect(isoPeriods(overviewPeriods(new Date("2026-03-15T14:20:00Z")))).toEqual({
      monthToDate: w("2026-03-01T00:00:00", "2026-03-15T15:00:00"),
      lastMonthSamePeriod: w("2026-02-01T00:00:00", "2026-02-15T15:00:00"),
      lastMonth: w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
      last30Days: w("2026-02-14T00:00:00", "2026-03-16T00:00:00"),
    });
  });

  it("includes the current hour when now is exactly on the hour", () => {
    const periods = overviewPeriods(new Date("2026-03-15T14:00:00.000Z"));
    expect(periods.monthToDate.end.toISOString()).toBe("2026-03-15T15:00:00.000Z");
    expect(periods.lastMonthSamePeriod.end.toISOString()).toBe("2026-02-15T15:00:00.000Z");
  });

  it("on March 31 compares all of February, not days spilling into March", () => {
    // Uncapped, Feb 1 + 30 days 13 hours would end on Mar 3 13:00.
    expect(isoPeriods(overviewPeriods(new Date("2026-03-31T12:34:00Z")))).toEqual({
      monthToDate: w("2026-03-01T00:00:00", "2026-03-31T13:00:00"),
      lastMonthSamePeriod: w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
      lastMonth: w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
      last30Days: w("2026-03-02T00:00:00", "2026-04-01T00:00:00"),
    });
  });

  it("caps at February's end already on March 29 and 30 of a common year", () => {
    // Mar 29 00:xx: elapsed 28 days 1 hour; Feb 2026 has only 28 days.
    expect(iso(overviewPeriods(new Date("2026-03-29T00:30:00Z")).lastMonthSamePeriod)).toEqual(
      w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
    );
    expect(iso(overviewPeriods(new Date("2026-03-30T08:15:00Z")).lastMonthSamePeriod)).toEqual(
      w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
    );
    // The last hour of Mar 28: elapsed exactly 28 days, which is exactly all of February.
    expect(iso(overviewPeriods(new Date("2026-03-28T23:30:00Z")).lastMonthSamePeriod)).toEqual(
      w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
    );
    // Mar 28 05:10: elapsed 27 days 6 hours, no cap.
    expect(iso(overviewPeriods(new Date("2026-03-28T05:10:00Z")).lastMonthSamePeriod)).toEqual(
      w("2026-02-01T00:00:00", "2026-02-28T06:00:00"),
    );
  });

  it("on the 31st after a 30-day month compares that month whole", () => {
    // April has 30 days; May 31 00:30 has run 30 days 1 hour.
    expect(isoPeriods(overviewPeriods(new Date("2026-05-31T00:30:00Z")))).toEqual({
      monthToDate: w("2026-05-01T00:00:00", "2026-05-31T01:00:00"),
      lastMonthSamePeriod: w("2026-04-01T00:00:00", "2026-05-01T00:00:00"),
      lastMonth: w("2026-04-01T00:00:00", "2026-05-01T00:00:00"),
      last30Days: w("2026-05-02T00:00:00", "2026-06-01T00:00:00"),
    });
  });

  it("on January 31 needs no cap: December has 31 days", () => {
    expect(isoPeriods(overviewPeriods(new Date("2026-01-31T18:20:00Z")))).toEqual({
      monthToDate: w("2026-01-01T00:00:00", "2026-01-31T19:00:00"),
      lastMonthSamePeriod: w("2025-12-01T00:00:00", "2025-12-31T19:00:00"),
      lastMonth: w("2025-12-01T00:00:00", "2026-01-01T00:00:00"),
      last30Days: w("2026-01-02T00:00:00", "2026-02-01T00:00:00"),
    });
  });

  it("in the last millisecond of a month runs month to date up to the next month", () => {
    expect(isoPeriods(overviewPeriods(new Date("2026-04-30T23:59:59.999Z")))).toEqual({
      monthToDate: w("2026-04-01T00:00:00", "2026-05-01T00:00:00"),
      // 30 days after March 1 is March 31: all of March but its last day.
      lastMonthSamePeriod: w("2026-03-01T00:00:00", "2026-03-31T00:00:00"),
      lastMonth: w("2026-03-01T00:00:00", "2026-04-01T00:00:00"),
      last30Days: w("2026-04-01T00:00:00", "2026-05-01T00:00:00"),
    });
  });

  it("on leap day compares January 1-29 and reaches back to January 31", () => {
    expect(isoPeriods(overviewPeriods(new Date("2028-02-29T10:30:00Z")))).toEqual({
      monthToDate: w("2028-02-01T00:00:00", "2028-02-29T11:00:00"),
      lastMonthSamePeriod: w("2028-01-01T00:00:00", "2028-01-29T11:00:00"),
      lastMonth: w("2028-01-01T00:00:00", "2028-02-01T00:00:00"),
      last30Days: w("2028-01-31T00:00:00", "2028-03-01T00:00:00"),
    });
  });

  it("in a leap March, Feb 29 is compared on March 29 and the cap starts on March 30", () => {
    // Mar 29 08:15: elapsed 28 days 9 hours -> Feb 29 09:00, inside the 29-day February.
    expect(iso(overviewPeriods(new Date("2028-03-29T08:15:00Z")).lastMonthSamePeriod)).toEqual(
      w("2028-02-01T00:00:00", "2028-02-29T09:00:00"),
    );
    // Mar 30 08:15: elapsed 29 days 9 hours -> would be Mar 1 09:00, capped at Mar 1.
    expect(isoPeriods(overviewPeriods(new Date("2028-03-30T08:15:00Z")))).toEqual({
      monthToDate: w("2028-03-01T00:00:00", "2028-03-30T09:00:00"),
      lastMonthSamePeriod: w("2028-02-01T00:00:00", "2028-03-01T00:00:00"),
      lastMonth: w("2028-02-01T00:00:00", "2028-03-01T00:00:00"),
      last30Days: w("2028-03-01T00:00:00", "2028-03-31T00:00:00"),
    });
  });

  it("in the first hour of a month compares last month's first hour", () => {
    expect(isoPeriods(overviewPeriods(new Date("2026-03-01T00:10:00Z")))).toEqual({
      monthToDate: w("2026-03-01T00:00:00", "2026-03-01T01:00:00"),
      lastMonthSamePeriod: w("2026-02-01T00:00:00", "2026-02-01T01:00:00"),
      lastMonth: w("2026-02-01T00:00:00", "2026-03-01T00:00:00"),
      // Mar 2 minus 30 days: 28 back to Feb 2, two more to Jan 31.
      last30Days: w("2026-01-31T00:00:00", "2026-03-02T00:00:00"),
    });
  });

  it("across the year boundary: last month is December of the previous year", () => {
    expect(isoPeriods(overviewPeriods(new Date("2027-01-01T05:00:00Z")))).toEqual({
      monthToDate: w("2027-01-01T00:00:00", "2027-01-01T06:00:00"),
      lastMonthSamePeriod: w("2026-12-01T00:00:00", "2026-12-01T06:00:00"),
      lastMonth: w("2026-12-01T00:00:00", "2027-01-01T00:00:00"),
      last30Days: w("2026-12-03T00:00:00", "2027-01-02T00:00:00"),
    });
  });

  it("does not modify the date it is given", () => {
    const now = new Date("2026-03-31T12:34:56.789Z");
    overviewPeriods(now);
    expect(now.toISOString()).toBe("2026-03-31T12:34:56.789Z");
  });

  it("holds its invariants for any instant (property)", () => {
    const HOUR = 3_600_000;
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-12-31T23:59:59.999Z"), noInvalidDate: true }),
        (now) => {
          const p = overviewPeriods(now);
          const today = now.toISOString().slice(0, 10);
          // now lies in the month-to-date window, whose end is the next hour boundary.
          expect(p.monthToDate.start.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(p.monthToDate.end.getTime()).toBeGreaterThan(now.getTime());
          expect(p.monthToDate.end.getTime() - now.getTime()).toBeLessThanOrEqual(HOUR);
          expect(p.monthToDate.end.getTime() % HOUR).toBe(0);
          // Last month ends where this month starts; the same-period window sits inside it.
          expect(p.lastMonth.end.getTime()).toBe(p.monthToDate.start.getTime());
          expect(p.lastMonthSamePeriod.start.getTime()).toBe(p.lastMonth.start.getTime());
          expect(p.lastMonthSamePeriod.end.getTime()).toBeLessThanOrEqual(p.lastMonth.end.getTime());
          expect(p.lastMonthSamePeriod.end.getTime()).toBeGreaterThan(p.lastMonthSamePeriod.start.getTime());
          // 30 whole days ending with today.
          const days = utcDays(p.last30Days);
          expect(days).toHaveLength(30);
          expect(days.at(-1)).toBe(today);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("utcDays", () => {
  it("lists the 30 days of last30Days across a year boundary, today last", () => {
    const days = utcDays(overviewPeriods(new Date("2027-01-01T05:00:00Z")).last30Days);
    expect(days).toEqual([
      "2026-12-03",
      "2026-12-04",
      "2026-12-05",
      "2026-12-06",
      "2026-12-07",
      "2026-12-08",
      "2026-12-09",
      "2026-12-10",
      "2026-12-11",
      "2026-12-12",
      "2026-12-13",
      "2026-12-14",
      "2026-12-15",
      "2026-12-16",
      "2026-12-17",
      "2026-12-18",
      "2026-12-19",
      "2026-12-20",
      "2026-12-21",
      "2026-12-22",
      "2026-12-23",
      "2026-12-24",
      "2026-12-25",
      "2026-12-26",
      "2026-12-27",
      "2026-12-28",
      "2026-12-29",
      "2026-12-30",
      "2026-12-31",
      "2027-01-01",
    ]);
  });

  it("lists 30 days through a leap day", () => {
    const days = utcDays(overviewPeriods(new Date("2028-02-29T10:30:00Z")).last30Days);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2028-01-31");
    expect(days[1]).toBe("2028-02-01");
    expect(days.at(-1)).toBe("2028-02-29");
    expect(days).toContain("2028-02-28");
  });

  it("lists 30 days through a common-year February in the first hour of March", () => {
    const days = utcDays(overviewPeriods(new Date("2026-03-01T00:10:00Z")).last30Days);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2026-01-31");
    expect(days[28]).toBe("2026-02-28");
    expect(days[29]).toBe("2026-03-01");
    expect(days).not.toContain("2026-02-29");
  });

  it("lists each day once, in order, with no gaps", () => {
    const days = utcDays(overviewPeriods(new Date("2026-03-31T12:34:00Z")).last30Days);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2026-03-02");
    expect(days[29]).toBe("2026-03-31");
    expect(new Set(days).size).toBe(30);
    days.forEach((day, i) => expect(day).toBe(`2026-03-${String(i + 2).padStart(2, "0")}`));
  });

  it("lists the days of whole months", () => {
    expect(utcDays(overviewPeriods(new Date("2026-03-15T12:00:00Z")).lastMonth)).toHaveLength(28);
    expect(utcDays(overviewPeriods(new Date("2028-03-15T12:00:00Z")).lastMonth)).toHaveLength(29);
    expect(utcDays(overviewPeriods(new Date("2027-01-15T12:00:00Z")).lastMonth)).toHaveLength(31);
  });

  it("counts a partial first hour as its day", () => {
    expect(utcDays(overviewPeriods(new Date("2026-03-01T00:10:00Z")).monthToDate)).toEqual(["2026-03-01"]);
  });

  it("includes a day the window starts part-way through and one it ends part-way into", () => {
    expect(
      utcDays({ start: new Date("2026-03-01T10:00:00Z"), end: new Date("2026-03-03T01:00:00Z") }),
    ).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });

  it("excludes the end day when the window ends at its midnight", () => {
    expect(utcDays({ start: new Date("2026-02-27T00:00:00Z"), end: new Date("2026-03-01T00:00:00Z") })).toEqual([
      "2026-02-27",
      "2026-02-28",
    ]);
    expect(utcDays({ start: new Date("2026-03-01T00:00:00Z"), end: new Date("2026-03-01T00:00:00Z") })).toEqual([]);
  });
});
