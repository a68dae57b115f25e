import { csvTable } from "@/lib/http/csv";
import { isTagDimension, tagKeyOf, type TagDimension } from "@/lib/schemas/spend";
import { Money } from "@/lib/money";
import { DAY_MS, startOfUtcDay, startOfUtcMonth, utcDayKey } from "@/lib/time";

/**
 * Turns GET /api/v1/spend answers into the Showback table: a primary grouping with an
 * optional second level (team → feature), each row with its share of the total, its
 * change against the previous period of the same length, and a daily series for the
 * sparkline. Pure, so sorting, shares and the CSV of "exactly what is shown" are
 * unit-tested with exact numbers.
 */

export const SHOWBACK_DIMENSIONS = ["team", "feature", "environment", "tenant", "model", "provider", "prompt_version"] as const;
/** A fixed dimension, or any extra tag as `tag.<key>` (GET /api/v1/spend groups by either). */
export type ShowbackDimension = (typeof SHOWBACK_DIMENSIONS)[number] | TagDimension;

export const DIMENSION_LABELS: Record<(typeof SHOWBACK_DIMENSIONS)[number], string> = {
  team: "Team",
  feature: "Feature",
  environment: "Environment",
  tenant: "Tenant",
  model: "Model",
  provider: "Provider",
  prompt_version: "Prompt version",
};

/** A dimension's label: "Team", or "language (tag)" for an extra tag. */
export function dimensionLabel(dimension: string): string {
  if (isTagDimension(dimension)) return `${tagKeyOf(dimension)} (tag)`;
  return (DIMENSION_LABELS as Record<string, string>)[dimension] ?? dimension;
}

export const MEASURES = [
  "cost_usd",
  "requests",
  "retries",
  "retry_cost_usd",
  "error_cost_usd",
  "input_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "output_tokens",
  "reasoning_output_tokens",
  "response_cache_hits",
  "unpriced_requests",
] as const;
export type Measure = (typeof MEASURES)[number];

/** The measures that are money (exact decimal strings); the others are counts. */
export const MONEY_MEASURES = ["cost_usd", "retry_cost_usd", "error_cost_usd"] as const satisfies readonly Measure[];
export type MoneyMeasure = (typeof MONEY_MEASURES)[number];
type CountMeasure = Exclude<Measure, MoneyMeasure>;
const COUNT_MEASURES = MEASURES.filter((m): m is CountMeasure => !(MONEY_MEASURES as readonly string[]).includes(m));

function isMoneyMeasure(key: string): key is MoneyMeasure {
  return (MONEY_MEASURES as readonly string[]).includes(key);
}

/** One row of the spend API: group keys (string or null) and the contract's measures. */
export type SpendRow = Record<string, string | number | null>;

export interface Measures {
  cost_usd: string;
  requests: number;
  retries: number;
  /** Of cost_usd, what the retries (attempt >= 2) and the failed calls cost: exact decimals. */
  retry_cost_usd: string;
  error_cost_usd: string;
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  response_cache_hits: number;
  unpriced_requests: number;
  /** What senders reported these calls cost (LiteLLM's response_cost); null when none did. */
  reported_cost_usd: string | null;
}

export interface ShowbackRow {
  /** Stable id: the key path, e.g. "search/query-rewrite"; untagged is "∅". */
  id: string;
  key: string | null;
  measures: Measures;
  /** Share of the period's total cost, 0..1 as a decimal string; null when the total is $0. */
  share: string | null;
  previousCostUsd: string;
  /** Relative change of cost vs the previous period as a decimal string (0.25 = +25%); null without a base. */
  change: string | null;
  /** Cost per UTC day of the window, in order (for the sparkline). */
  daily: string[];
  children: ShowbackRow[];
  /**
   * Month-end forecast (only when the window is the current month, for primary rows):
   * undefined while not (yet) known, null when there is none for the row.
   */
  forecast?: RowForecast | null;
}

/** A row's month-end forecast and its range, exact decimals (GET /api/v1/forecast?group_by=…). */
export interface RowForecast {
  forecastUsd: string;
  lowUsd: string;
  highUsd: string;
}

export type SortKey = "key" | "share" | "change" | "reported_cost_usd" | "forecast_usd" | Measure;
export interface Sort {
  key: SortKey;
  direction: "asc" | "desc";
}

const NULL_ID = "∅";

function keyOf(row: SpendRow, dimension: string): string | null {
  const value = row[dimension];
  return value === null || value === undefined ? null : String(value);
}

function emptyMeasures(): Measures {
  return {
    cost_usd: "0",
    requests: 0,
    retries: 0,
    retry_cost_usd: "0",
    error_cost_usd: "0",
    input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    output_tokens: 0,
    reasoning_output_tokens: 0,
    response_cache_hits: 0,
    unpriced_requests: 0,
    reported_cost_usd: null,
  };
}

export function measuresOf(row: SpendRow): Measures {
  const m = emptyMeasures();
  for (const measure of MONEY_MEASURES) m[measure] = new Money(String(row[measure] ?? "0")).toFixed();
  for (const measure of COUNT_MEASURES) m[measure] = Number(row[measure] ?? 0);
  const reported = row.reported_cost_usd;
  m.reported_cost_usd = reported === null || reported === undefined ? null : new Money(String(reported)).toFixed();
  return m;
}

function addMeasures(a: Measures, b: Measures): Measures {
  const sum = emptyMeasures();
  for (const measure of MONEY_MEASURES) sum[measure] = new Money(a[measure]).plus(b[measure]).toFixed();
  for (const measure of COUNT_MEASURES) sum[measure] = a[measure] + b[measure];
  sum.reported_cost_usd =
    a.reported_cost_usd === null && b.reported_cost_usd === null
      ? null
      : new Money(a.reported_cost_usd ?? "0").plus(b.reported_cost_usd ?? "0").toFixed();
  return sum;
}

export interface BuildInput {
  primary: ShowbackDimension;
  secondary: ShowbackDimension | null;
  /** Current period, grouped by [primary] or [primary, secondary]. */
  current: SpendRow[];
  /** Previous period, same grouping. */
  previous: SpendRow[];
  /** Current period grouped by [primary, day]. */
  daily: SpendRow[];
  /** The UTC days of the window, "YYYY-MM-DD", in order. */
  days: string[];
  totalCostUsd: string;
}

function change(current: string, previous: string): string | null {
  const base = new Money(previous);
  if (base.isZero()) return null;
  return new Money(current).minus(base).div(base.abs()).toFixed();
}

function share(cost: string, total: string): string | null {
  const whole = new Money(total);
  return whole.isZero() ? null : new Money(cost).div(whole).toFixed();
}

export function buildShowbackRows(input: BuildInput): ShowbackRow[] {
  const { primary, secondary } = input;
  const idOf = (key: string | null) => key ?? NULL_ID;
  const previousCost = new Map<string, Money>();
  for (const row of input.previous) {
    const id = secondary ? `${idOf(keyOf(row, primary))}/${idOf(keyOf(row, secondary))}` : idOf(keyOf(row, primary));
    const parent = idOf(keyOf(row, primary));
    const cost = new Money(String(row.cost_usd ?? "0"));
    previousCost.set(id, (previousCost.get(id) ?? new Money(0)).plus(cost));
    if (secondary) previousCost.set(`${parent}#total`, (previousCost.get(`${parent}#total`) ?? new Money(0)).plus(cost));
  }
  const dayIndex = new Map(input.days.map((day, i) => [day, i]));
  const daily = new Map<string, Money[]>();
  for (const row of input.daily) {
    const id = idOf(keyOf(row, primary));
    const index = dayIndex.get(String(row.day));
    if (index === undefined) continue;
    const series = daily.get(id) ?? input.days.map(() => new Money(0));
    series[index] = (series[index] ?? new Money(0)).plus(String(row.cost_usd ?? "0"));
    daily.set(id, series);
  }

  const groups = new Map<string, ShowbackRow>();
  for (const row of input.current) {
    const key = keyOf(row, primary);
    const id = idOf(key);
    const measures = measuresOf(row);
    let group = groups.get(id);
    if (!group) {
      group = {
        id,
        key,
        measures: emptyMeasures(),
        share: null,
        previousCostUsd: "0",
        change: null,
        daily: (daily.get(id) ?? input.days.map(() => new Money(0))).map((m) => m.toFixed()),
        children: [],
      };
      groups.set(id, group);
    }
    group.measures = addMeasures(group.measures, measures);
    if (secondary) {
      const childKey = keyOf(row, secondary);
      const childId = `${id}/${idOf(childKey)}`;
      const previous = (previousCost.get(childId) ?? new Money(0)).toFixed();
      group.children.push({
        id: childId,
        key: childKey,
        measures,
        share: share(measures.cost_usd, input.totalCostUsd),
        previousCostUsd: previous,
        change: change(measures.cost_usd, previous),
        daily: [],
        children: [],
      });
    }
  }
  for (const group of groups.values()) {
    const previous = (previousCost.get(secondary ? `${group.id}#total` : group.id) ?? new Money(0)).toFixed();
    group.previousCostUsd = previous;
    group.change = change(group.measures.cost_usd, previous);
    group.share = share(group.measures.cost_usd, input.totalCostUsd);
  }
  return [...groups.values()];
}

function compare(a: ShowbackRow, b: ShowbackRow, key: SortKey): number {
  if (key === "key") {
    // Untagged sorts last whichever way the names go.
    if (a.key === null || b.key === null) return a.key === b.key ? 0 : a.key === null ? 1 : -1;
    return a.key.localeCompare(b.key);
  }
  if (key === "share" || key === "change" || key === "reported_cost_usd" || key === "forecast_usd" || isMoneyMeasure(key)) {
    const pick = (row: ShowbackRow) =>
      key === "forecast_usd" ? (row.forecast?.forecastUsd ?? null) : key === "reported_cost_usd" || isMoneyMeasure(key) ? row.measures[key] : row[key];
    const x = pick(a);
    const y = pick(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
    return new Money(x).comparedTo(y);
  }
  return a.measures[key] - b.measures[key];
}

/** Sorted copy, children sorted the same way; ties broken by name so the order is stable. */
export function sortShowbackRows(rows: readonly ShowbackRow[], sort: Sort): ShowbackRow[] {
  const sign = sort.direction === "asc" ? 1 : -1;
  const ordered = [...rows].sort((a, b) => sign * compare(a, b, sort.key) || compare(a, b, "key"));
  return ordered.map((row) => ({ ...row, children: sortShowbackRows(row.children, sort) }));
}

/** The Showback CSV's measure columns (exact decimals and counts, written as numbers). */
const SHOWBACK_NUMERIC_COLUMNS = [...MEASURES, "reported_cost_usd", "share", "previous_cost_usd", "change"] as const;
/** Appended when the window is the current month (empty for second-level rows). */
const FORECAST_COLUMNS = ["forecast_usd", "forecast_low_usd", "forecast_high_usd"] as const;

/**
 * The rows exactly as the table shows them (order included), with exact decimals. Written
 * by lib/http/csv.ts: a team, feature or model name starting like a formula gets a leading '.
 * With `forecast` (the current month), the month-end forecast and its range end each line.
 */
export function showbackCsv(
  rows: readonly ShowbackRow[],
  primary: ShowbackDimension,
  secondary: ShowbackDimension | null,
  expanded: ReadonlySet<string> | "all",
  options: { forecast?: boolean } = {},
): string {
  const numeric = [...SHOWBACK_NUMERIC_COLUMNS, ...(options.forecast ? FORECAST_COLUMNS : [])];
  const table = csvTable<string>([primary, ...(secondary ? [secondary] : []), ...numeric], numeric);
  const lines = [table.header()];
  const line = (primaryKey: string | null, secondaryKey: string | null | undefined, row: ShowbackRow) =>
    table.row([
      primaryKey,
      ...(secondary ? [secondaryKey ?? null] : []),
      ...MEASURES.map((m) => row.measures[m]),
      row.measures.reported_cost_usd,
      row.share,
      row.previousCostUsd,
      row.change,
      ...(options.forecast ? [row.forecast?.forecastUsd, row.forecast?.lowUsd, row.forecast?.highUsd] : []),
    ]);
  for (const row of rows) {
    lines.push(line(row.key, secondary ? "(all)" : undefined, row));
    if (secondary && (expanded === "all" || expanded.has(row.id))) {
      for (const child of row.children) lines.push(line(row.key, child.key, child));
    }
  }
  return lines.join("");
}

/** The UTC days of [from, to), "YYYY-MM-DD". */
export function daysOf(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let t = startOfUtcDay(from).getTime(); t < to.getTime(); t += DAY_MS) days.push(utcDayKey(t));
  return days;
}

/** The period of the same length that ends where this one starts. */
export function previousWindow(from: Date, to: Date): { from: Date; to: Date } {
  const length = to.getTime() - from.getTime();
  return { from: new Date(from.getTime() - length), to: new Date(from) };
}

/** The whole UTC month containing `now`: from its 1st to the 1st of the next, "YYYY-MM-DD". */
export function currentMonthWindow(now: Date): { from: string; to: string } {
  return { from: utcDayKey(startOfUtcMonth(now)), to: utcDayKey(startOfUtcMonth(now, 1)) };
}

/** Whether [from, to) is exactly the current month (then Showback adds the month-end forecast). */
export function isCurrentMonthWindow(window: { from: string; to: string }, now: Date): boolean {
  const month = currentMonthWindow(now);
  return window.from === month.from && window.to === month.to;
}

/**
 * The rows with their month-end forecasts (GET /api/v1/forecast grouped by the primary
 * dimension; `groups` are its rows, keyed like the spend API's). A primary row without a
 * group gets null; second-level rows get none (the forecast is per primary group).
 */
export function withForecasts(
  rows: readonly ShowbackRow[],
  primary: ShowbackDimension,
  groups: readonly Record<string, unknown>[],
): ShowbackRow[] {
  const byId = new Map<string, RowForecast>();
  for (const group of groups) {
    const key = group[primary];
    const id = key === null || key === undefined ? NULL_ID : String(key);
    byId.set(id, { forecastUsd: String(group.forecast_usd), lowUsd: String(group.low_usd), highUsd: String(group.high_usd) });
  }
  return rows.map((row) => ({
    ...row,
    forecast: byId.get(row.id) ?? null,
    children: row.children.map((child) => ({ ...child, forecast: null })),
  }));
}
