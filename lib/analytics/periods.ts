import { DAY_MS, HOUR_MS, startOfUtcDay, startOfUtcHour, startOfUtcMonth, utcDayKey } from "@/lib/time";

/**
 * The windows the overview compares, in UTC (the contract's day and month boundaries).
 * Pure so the calendar edge cases (month ends, leap years) can be tested without a database.
 * Every window is [start, end) over rollup hours.
 */

export interface Window {
  start: Date;
  end: Date;
}

export interface OverviewPeriods {
  /** This month up to and including the current hour. */
  monthToDate: Window;
  /** Last month from its first hour for as long as this month has run so far. */
  lastMonthSamePeriod: Window;
  lastMonth: Window;
  /** The 30 UTC days ending with today (today partial). */
  last30Days: Window;
}

export function overviewPeriods(now: Date): OverviewPeriods {
  const monthStart = startOfUtcMonth(now);
  const lastMonthStart = startOfUtcMonth(now, -1);
  // The current hour's bucket is included: its events so far belong to "to date".
  const throughThisHour = new Date(startOfUtcHour(now).getTime() + HOUR_MS);
  const elapsed = throughThisHour.getTime() - monthStart.getTime();
  // On the 31st, a 30-day last month is compared whole rather than spilling into this month.
  const samePeriodEnd = new Date(Math.min(lastMonthStart.getTime() + elapsed, monthStart.getTime()));
  const tomorrow = new Date(startOfUtcDay(now).getTime() + DAY_MS);

  return {
    monthToDate: { start: monthStart, end: throughThisHour },
    lastMonthSamePeriod: { start: lastMonthStart, end: samePeriodEnd },
    lastMonth: { start: lastMonthStart, end: monthStart },
    last30Days: { start: new Date(tomorrow.getTime() - 30 * DAY_MS), end: tomorrow },
  };
}

/** Every UTC day in the window as "YYYY-MM-DD", so days without data still get a (zero) bar. */
export function utcDays(window: Window): string[] {
  const days: string[] = [];
  for (let t = startOfUtcDay(window.start).getTime(); t < window.end.getTime(); t += DAY_MS) {
    days.push(utcDayKey(t));
  }
  return days;
}
