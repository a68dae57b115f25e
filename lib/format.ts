import { Money, type MoneyValue } from "@/lib/money";

/**
 * Display formatting. Money arrives as exact decimal strings and is rounded with
 * Money, never through a JS number, so "$0.10" is never "$0.09999…".
 */

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** "-1,234,567.89" from "-1234567.89": digit groups of an exact decimal string, no rounding. */
export function groupThousands(fixed: string): string {
  const negative = fixed.startsWith("-");
  const [whole = "0", fraction] = (negative ? fixed.slice(1) : fixed).split(".");
  const grouped = whole.replace(GROUPS, ",");
  return `${negative ? "-" : ""}${fraction === undefined ? grouped : `${grouped}.${fraction}`}`;
}

/** "1 request", "1,234 requests". */
export function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

/**
 * "$1,234.56". Non-zero amounts under a cent keep two significant digits ("$0.00042")
 * so a cheap model's spend never reads as "$0.00".
 */
export function formatMoney(amount: MoneyValue): string {
  const value = new Money(amount);
  if (value.isZero()) return "$0.00";
  const sign = value.isNegative() ? "-" : "";
  const abs = value.abs();
  if (abs.lt("0.01")) {
    return `${sign}$${abs.toSignificantDigits(2, Money.ROUND_HALF_UP).toFixed()}`;
  }
  return `${sign}$${groupThousands(abs.toFixed(2, Money.ROUND_HALF_UP))}`;
}

const compactUsd = new Intl.NumberFormat("en-US", {
  style: "currency",
  currency: "USD",
  notation: "compact",
  // A currency format defaults to two decimals minimum: without this, 1000 is "$1.0K".
  minimumFractionDigits: 0,
  maximumFractionDigits: 1,
});

/** "$1.2K" for chart axes, where the value is already a plotting number and precision is moot. */
export function formatMoneyCompact(amount: number): string {
  return compactUsd.format(amount);
}

const compactCount = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const fullCount = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** "1.2M" tokens; exact below a thousand. */
export function formatTokens(count: number): string {
  return compactCount.format(count);
}

/** "12,345". */
export function formatCount(count: number): string {
  return fullCount.format(count);
}

/** part / whole as an exact ratio, or null when the whole is zero (no meaningful share). */
export function ratio(part: MoneyValue, whole: MoneyValue): Money | null {
  const denominator = new Money(whole);
  if (denominator.isZero()) return null;
  return new Money(part).div(denominator);
}

/** A share as "12.3%"; tiny non-zero shares read "<0.1%" rather than a misleading "0.0%". */
export function formatPercent(value: MoneyValue, fractionDigits = 1): string {
  const percent = new Money(value).mul(100);
  const smallest = new Money(10).pow(-fractionDigits);
  if (percent.gt(0) && percent.lt(smallest)) return `<${smallest.toFixed(fractionDigits)}%`;
  return `${percent.toFixed(fractionDigits, Money.ROUND_HALF_UP)}%`;
}

export interface Change {
  /** "+12.3%" / "-4.0%" / "0.0%" */
  text: string;
  direction: "up" | "down" | "flat";
}

/** Relative change from previous to current; null when there is nothing to compare with. */
export function formatChange(current: MoneyValue, previous: MoneyValue): Change | null {
  const base = new Money(previous);
  if (base.isZero()) return null;
  const percent = new Money(current).minus(base).div(base.abs()).mul(100).toDecimalPlaces(1, Money.ROUND_HALF_UP);
  if (percent.isZero()) return { text: "0.0%", direction: "flat" };
  const magnitude = percent.abs().toFixed(1);
  return percent.isNegative() ? { text: `-${magnitude}%`, direction: "down" } : { text: `+${magnitude}%`, direction: "up" };
}

// Dates are always shown in UTC: the contract's day and month boundaries.
const monthYear = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
const monthDay = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const monthDayTime = new Intl.DateTimeFormat("en-US", {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

/** "November 2026" */
export function formatMonth(at: Date): string {
  return monthYear.format(at);
}

/** "Nov 3" */
export function formatDay(at: Date): string {
  return monthDay.format(at);
}

/** "Nov 3" from a "YYYY-MM-DD" UTC day key. */
export function formatDayKey(day: string): string {
  return monthDay.format(new Date(`${day}T00:00:00Z`));
}

/** "Nov 3, 14:00 UTC" */
export function formatDayTime(at: Date): string {
  return `${monthDayTime.format(at)} UTC`;
}

/** "Oct 1–25", or "Oct 28–Nov 3" across months, or "Oct 1" for one day; both ends inclusive. */
export function formatDayRange(first: Date, last: Date): string {
  if (formatDay(first) === formatDay(last) && first.getUTCFullYear() === last.getUTCFullYear()) return formatDay(first);
  const sameMonth = first.getUTCFullYear() === last.getUTCFullYear() && first.getUTCMonth() === last.getUTCMonth();
  return `${formatDay(first)}–${sameMonth ? last.getUTCDate() : formatDay(last)}`;
}
