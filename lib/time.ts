/**
 * UTC calendar arithmetic, in one place. Burnrate's periods (hours, days, months of
 * budgets, allocations and reports) are UTC; nothing here reads the process's time zone.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function startOfUtcHour(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

export function startOfUtcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/** The first instant of the UTC month of `at`, or of the month `monthOffset` months away. */
export function startOfUtcMonth(at: Date, monthOffset = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + monthOffset, 1));
}

/** "YYYY-MM-DD" of the UTC day of `at`. */
export function utcDayKey(at: Date | number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** The UTC day key `n` days after (or before) `day` ("YYYY-MM-DD"). */
export function addDays(day: string, n: number): string {
  return utcDayKey(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS);
}

const MONTH_KEY = /^(\d{4})-(\d{2})$/;

/** "YYYY-MM" of the UTC month of `at`. */
export function monthKeyOf(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The first instant of the month "YYYY-MM", or of the month `offset` months away. */
export function monthStart(key: string, offset = 0): Date {
  const match = MONTH_KEY.exec(key);
  if (!match) throw new Error(`not a month: ${key}`);
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1 + offset, 1));
}

/** "YYYY-MM" `delta` months away from `key`. */
export function addMonths(key: string, delta: number): string {
  return monthKeyOf(monthStart(key, delta));
}
