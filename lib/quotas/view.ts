import { formatMoney, formatPercent, formatMonth } from "@/lib/format";
import { Money } from "@/lib/money";

/**
 * Pure helpers for the Quotas pages: amounts in either unit, the utilization bar's
 * segments, datetime-local ⇄ RFC 3339, month keys and the gateway snippet. No React, no
 * fetching: data in, data out, unit-tested with exact values.
 */

export type QuotaUnitKey = "usd" | "tokens";

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

/** "1,500,000" from an integer string, without going through a JS number. */
export function groupDigits(integer: string): string {
  const negative = integer.startsWith("-");
  const digits = negative ? integer.slice(1) : integer;
  return `${negative ? "-" : ""}${digits.replace(GROUPS, ",")}`;
}

/** "$1,234.50" for dollars, "1,500,000 tokens" for tokens (a decimal string is rounded to whole tokens). */
export function formatQuotaAmount(amount: string, unit: QuotaUnitKey): string {
  if (unit === "usd") return formatMoney(amount);
  const whole = new Money(amount).toFixed(0, Money.ROUND_HALF_UP);
  return `${groupDigits(whole)} ${whole === "1" ? "token" : "tokens"}`;
}

/** The unit's name for form labels: "USD" or "tokens". */
export function unitLabel(unit: QuotaUnitKey): string {
  return unit === "usd" ? "USD" : "tokens";
}

/** "43.1%" from the API's fraction ("0.4312"), or "—" when there is no meaningful share. */
export function formatUtilization(fraction: string | null): string {
  return fraction === null ? "—" : formatPercent(fraction);
}

export interface UtilizationBar {
  /** Widths as percentages of the track (0–100): the track is max(limit, used). */
  baselinePct: number;
  burstPct: number;
  usedPct: number;
  /** used / limit × 100 for aria-valuenow, clamped to 0–100; the text carries the true figure. */
  valueNow: number;
  /** used / limit as a fraction string, or null when the limit is zero. */
  fraction: string | null;
  over: boolean;
}

const toPct = (part: Money, whole: Money) => (whole.isZero() ? 0 : Number(part.div(whole).mul(100).toDecimalPlaces(2, Money.ROUND_HALF_UP).toFixed(2)));

/**
 * The bar for one allocation: the baseline, the active bursts stacked on top of it and the
 * spend (or tokens) used so far, all on one track so "over" is visible past the limit.
 */
export function utilizationBar(row: { amount: string; burst_amount: string; used: string; limit: string }): UtilizationBar {
  const baseline = Money.max(new Money(row.amount), 0);
  const burst = Money.max(new Money(row.burst_amount), 0);
  const limit = new Money(row.limit);
  const used = Money.max(new Money(row.used), 0);
  const track = Money.max(limit, used, baseline.plus(burst));
  const fraction = limit.isZero() ? null : used.div(limit);
  return {
    baselinePct: toPct(baseline, track),
    burstPct: toPct(burst, track),
    usedPct: toPct(used, track),
    valueNow: fraction === null ? (used.isZero() ? 0 : 100) : Math.min(100, Math.max(0, Number(fraction.mul(100).toFixed(1, Money.ROUND_HALF_UP)))),
    fraction: fraction === null ? null : fraction.toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4),
    over: used.gt(limit),
  };
}

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A datetime-local input's value ("2026-12-01T09:30", wall-clock time in the browser's zone)
 * as RFC 3339 in UTC ("2026-12-01T08:30:00.000Z"). `offsetMinutes` is Date#getTimezoneOffset's
 * sign convention (UTC minus local; Berlin in winter is -60); omitted, the browser's zone is used.
 * Null for an empty or malformed value.
 */
export function datetimeLocalToUtc(value: string, offsetMinutes?: number): string | null {
  const match = LOCAL_INPUT.exec(value.trim());
  if (!match) return null;
  const [y, mo, d, h, mi] = match.slice(1, 6).map(Number) as [number, number, number, number, number];
  const s = match[6] === undefined ? 0 : Number(match[6]);
  if (h > 23 || mi > 59 || s > 59) return null;
  // Date.UTC rolls "02-31" over into March: a wall-clock time that does not exist is refused.
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (wall.getUTCFullYear() !== y || wall.getUTCMonth() !== mo - 1 || wall.getUTCDate() !== d) return null;
  const at = offsetMinutes === undefined ? new Date(y, mo - 1, d, h, mi, s) : new Date(wall.getTime() + offsetMinutes * 60_000);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

const pad = (n: number) => String(n).padStart(2, "0");

/** The value a datetime-local input shows for an instant, in the browser's zone (or at `offsetMinutes`). */
export function toDatetimeLocal(at: Date, offsetMinutes?: number): string {
  if (offsetMinutes === undefined) {
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  }
  const shifted = new Date(at.getTime() - offsetMinutes * 60_000);
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}T${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`;
}

/** "UTC+05:30" / "UTC-04:00" / "UTC" from Date#getTimezoneOffset's minutes (UTC minus local). */
export function utcOffsetLabel(offsetMinutes: number): string {
  if (offsetMinutes === 0) return "UTC";
  const east = -offsetMinutes;
  const abs = Math.abs(east);
  return `UTC${east > 0 ? "+" : "-"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** Why a positive amount typed into a form is not one, or null when it is fine. */
export function amountProblem(input: string, unit: QuotaUnitKey): string | null {
  const text = input.trim();
  if (!text) return "is required";
  if (!DECIMAL.test(text)) return unit === "tokens" ? "must be a whole number of tokens" : "must be a decimal amount like 250 or 99.50";
  if (unit === "tokens" && text.includes(".") && !/^\d+\.0+$/.test(text)) return "must be a whole number of tokens";
  if (new Money(text).lte(0)) return "must be more than zero";
  return null;
}

/** An approval's optional amount: empty approves in full; otherwise positive and at most the request. */
export function approvalAmountProblem(input: string, requested: string, unit: QuotaUnitKey): string | null {
  if (!input.trim()) return null;
  const problem = amountProblem(input, unit);
  if (problem) return problem;
  if (new Money(input.trim()).gt(requested)) return `may not exceed the requested ${formatQuotaAmount(requested, unit)}`;
  return null;
}

/** Client-side checks of a burst window before it is sent; the server checks again. */
export function windowProblems(startsAt: string | null, endsAt: string | null): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (!startsAt) problems.push({ path: "starts_at", message: "is required" });
  if (!endsAt) problems.push({ path: "ends_at", message: "is required" });
  if (startsAt && endsAt && Date.parse(endsAt) <= Date.parse(startsAt)) problems.push({ path: "ends_at", message: "must be after the start" });
  return problems;
}

const MONTH_KEY = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonthKey(value: string | null | undefined): value is string {
  return typeof value === "string" && MONTH_KEY.test(value);
}

/** "2026-11" for the UTC month an instant falls in. */
export function monthKey(at: Date): string {
  return `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}`;
}

/** The month `delta` months from a "YYYY-MM" key. */
export function shiftMonth(key: string, delta: number): string {
  const match = MONTH_KEY.exec(key);
  if (!match) throw new Error(`Not a month key: ${key}`);
  const index = Number(match[1]) * 12 + (Number(match[2]) - 1) + delta;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** "November 2026" for "2026-11". */
export function monthLabel(key: string): string {
  return formatMonth(new Date(`${key}-01T00:00:00Z`));
}

/** The last `count` UTC months ending with the one `now` is in, newest first, plus `include` when older. */
export function monthOptions(now: Date, count: number, include?: string): { value: string; label: string }[] {
  const current = monthKey(now);
  const keys = Array.from({ length: count }, (_, i) => shiftMonth(current, -i));
  if (include && isMonthKey(include) && !keys.includes(include)) keys.push(include);
  return keys.sort((a, b) => b.localeCompare(a)).map((value) => ({ value, label: monthLabel(value) }));
}

/** Is an approved burst's window open at `now` (start inclusive, end exclusive)? */
export function isBurstActive(request: { status: string; starts_at: string; ends_at: string }, now: Date): boolean {
  const t = now.getTime();
  return request.status === "approved" && Date.parse(request.starts_at) <= t && t < Date.parse(request.ends_at);
}

/** The amount a decided request actually grants: the approved amount, else the requested one. */
export function grantedAmount(request: { amount: string; approved_amount: string | null }): string {
  return request.approved_amount ?? request.amount;
}

/** The curl and TypeScript a gateway uses to ask POST /api/v1/quota/check before each call. */
export function gatewaySnippets({ origin, team, model }: { origin: string; team: string; model: string | null }): { curl: string; typescript: string } {
  const body: Array<[string, string | number]> = [["team", team], ...(model ? [["model", model] as [string, string]] : []), ["estimated_tokens", 1200], ["estimated_cost_usd", "0.012"]];
  const json = JSON.stringify(Object.fromEntries(body));
  const literal = `{ ${body.map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join(", ")} }`;
  const curl = [
    `curl -sS -X POST ${origin}/api/v1/quota/check \\`,
    `  -H "Authorization: Bearer $BURNRATE_INGEST_KEY" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '${json}'`,
    `# → {"allowed":true,"unit":"usd","limit":"…","used":"…","remaining":"…","period_end":"…","burst":null,"reason":"…"}`,
  ].join("\n");
  const typescript = [
    `interface QuotaCheck {`,
    `  allowed: boolean;`,
    `  unit: "usd" | "tokens";`,
    `  limit: string;`,
    `  used: string;`,
    `  remaining: string;`,
    `  period_end: string;`,
    `  burst: { id: string; amount: string; ends_at: string } | null;`,
    `  reason: string;`,
    `}`,
    ``,
    `const response = await fetch("${origin}/api/v1/quota/check", {`,
    `  method: "POST",`,
    `  headers: { Authorization: \`Bearer \${process.env.BURNRATE_INGEST_KEY}\`, "Content-Type": "application/json" },`,
    `  body: JSON.stringify(${literal}),`,
    `});`,
    `const check = (await response.json()) as QuotaCheck;`,
    `if (!check.allowed) throw new Error(\`Quota exceeded for ${team}: \${check.reason}\`);`,
  ].join("\n");
  return { curl, typescript };
}
