import { formatCount, formatDayKey, formatMoney, formatMoneyCompact, formatPercent, plural, ratio } from "@/lib/format";
import { Money } from "@/lib/money";
import { REPORT_MAX_DAYS } from "@/lib/schemas/outcome-cost";
import { addDays, DAY_MS, utcDayKey } from "@/lib/time";
import { dayKeySchema, type FeatureSortKey, type OutcomesPageState, type SortState } from "@/lib/schemas/pages/outcomes";
import type { OutcomeCostRow } from "@/lib/analytics/outcome-cost";
import type { HistogramBucket, LogHistogram } from "@/lib/analytics/percentiles";
import type { OutcomeTypeReport, TopTrace, TraceCostDistribution } from "@/lib/analytics/outcome-report";

/**
 * Turns the outcome APIs' answers (GET /api/v1/outcomes/report, /outcomes/cost,
 * /traces/{id}) into what the Outcomes page shows: its URL state and window, the chart
 * series, histogram bars, sortable feature rows. Pure, so every figure is unit-tested;
 * money stays a decimal string and becomes a float only as a chart height.
 */

// ---------------------------------------------------------------- the window (page state: lib/schemas/pages/outcomes.ts)

export const WINDOW_PRESETS = [7, 30, 90] as const;
export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = REPORT_MAX_DAYS;

/** A [from, to) window of whole UTC days, as "YYYY-MM-DD" (to exclusive, like the API). */
export interface DayWindow {
  from: string;
  to: string;
}

/** Today's UTC day key. */
export function utcToday(now: Date): string {
  return utcDayKey(now);
}

/** The last `days` full UTC days: today (incomplete) is left out. */
export function presetWindow(today: string, days: number): DayWindow {
  return { from: addDays(today, -days), to: today };
}

export function windowDays(window: DayWindow): number {
  return Math.round((Date.parse(`${window.to}T00:00:00Z`) - Date.parse(`${window.from}T00:00:00Z`)) / DAY_MS);
}

/** The URL's window when it is usable (from < to, at most MAX_WINDOW_DAYS), else the last 30 full days. */
export function resolveOutcomesWindow(state: Pick<OutcomesPageState, "from" | "to">, now: Date): DayWindow {
  if (state.from && state.to && state.from < state.to) {
    const window = { from: state.from, to: state.to };
    if (windowDays(window) <= MAX_WINDOW_DAYS) return window;
  }
  return presetWindow(utcToday(now), DEFAULT_WINDOW_DAYS);
}

/** Which preset the window is (7, 30, 90 days up to today), or null for a custom window. */
export function activePreset(window: DayWindow, today: string): number | null {
  if (window.to !== today) return null;
  return WINDOW_PRESETS.find((days) => window.from === addDays(today, -days)) ?? null;
}

/** The window of the same length just before. */
export function previousWindow(window: DayWindow): DayWindow {
  return { from: addDays(window.from, -windowDays(window)), to: window.from };
}

/** Why the From/Through inputs do not make a window (both inclusive days), or null when they do. */
export function windowInputProblem(fromDay: string, throughDay: string): string | null {
  if (!dayKeySchema.safeParse(fromDay).success || !dayKeySchema.safeParse(throughDay).success) return "Enter both dates.";
  if (throughDay < fromDay) return "“Through” must not be before “From”.";
  if (windowDays({ from: fromDay, to: addDays(throughDay, 1) }) > MAX_WINDOW_DAYS) return `At most ${MAX_WINDOW_DAYS} days.`;
  return null;
}

/** "Oct 2 – Oct 31, 2026" for a [from, to) window, both days shown inclusive. */
export function formatWindow(window: DayWindow): string {
  const last = addDays(window.to, -1);
  const year = last.slice(0, 4);
  const first = formatDayKey(window.from) + (window.from.slice(0, 4) !== year ? `, ${window.from.slice(0, 4)}` : "");
  return window.from === last ? `${formatDayKey(last)}, ${year}` : `${first} – ${formatDayKey(last)}, ${year}`;
}

// ---------------------------------------------------------------- figures

/** successful / outcomes as an exact ratio; null without outcomes. */
export function successRate(outcomes: number, successful: number): string | null {
  return ratio(successful, outcomes)?.toString() ?? null;
}

/** A cost that may leave calls out: "unpriced" when nothing is priced, never "$0.00". */
export function formatCostWithUnpriced(costUsd: string | null, unpricedCalls: number): string {
  if (costUsd === null) return "unpriced";
  if (unpricedCalls > 0) return `${formatMoney(costUsd)} + ${formatCount(unpricedCalls)} unpriced`;
  return formatMoney(costUsd);
}

const smallUsd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 2 });

/** Every call counted is unpriced: the cost is unknown, and $0.00 would be a lie. */
export function allUnpriced(figures: { requests: number; unpriced_requests: number }): boolean {
  return figures.requests > 0 && figures.unpriced_requests === figures.requests;
}

/** Axis ticks (plotting numbers, precision moot) that stay readable under a cent: "$0.0042". */
export function formatAxisMoney(amount: number): string {
  if (amount === 0 || !Number.isFinite(amount)) return "$0";
  if (Math.abs(amount) >= 1) return formatMoneyCompact(amount);
  return smallUsd.format(amount);
}

/** "350 ms", "1.2 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "14:03:22.123" (UTC) from an ISO timestamp. */
export function formatTimeOfDay(isoTimestamp: string): string {
  return isoTimestamp.slice(11, 23);
}

/** Milliseconds from first to last, or null when either is missing. */
export function spanMs(first: string | null, last: string | null): number | null {
  if (!first || !last) return null;
  return Date.parse(last) - Date.parse(first);
}

// ---------------------------------------------------------------- cost per success per day

export interface SeriesSpec {
  /** A safe data key ("s0", "s1", …): outcome type names may contain anything. */
  key: string;
  name: string;
}

export interface CostPerSuccessDay {
  day: string;
  label: string;
  /** Plotting numbers; null where nothing succeeded that day (a gap, not $0). */
  values: Record<string, number | null>;
  /** Exact tooltip text per series. */
  labels: Record<string, string>;
}

export interface CostPerSuccessSeries {
  series: SeriesSpec[];
  days: CostPerSuccessDay[];
  /** Log when the lines span more than a factor of 10 (a cheap type would otherwise lie flat). */
  scale: "linear" | "log";
}

function dayLabel(day: { successful: number; cost_usd: string; cost_per_success_usd: string | null }): string {
  const successes = plural(day.successful, "success", "successes");
  if (day.cost_per_success_usd === null) return `no successes · ${formatMoney(day.cost_usd)} spent`;
  return `${formatMoney(day.cost_per_success_usd)} per success · ${successes} · ${formatMoney(day.cost_usd)}`;
}

export function costPerSuccessSeries(types: readonly OutcomeTypeReport[]): CostPerSuccessSeries {
  const series = types.map((t, i) => ({ key: `s${i}`, name: t.type }));
  const dayKeys = types[0]?.daily.map((d) => d.day) ?? [];
  const positive: number[] = [];
  const days = dayKeys.map((dayKey, index) => {
    const values: Record<string, number | null> = {};
    const labels: Record<string, string> = {};
    types.forEach((t, i) => {
      const d = t.daily[index];
      const key = `s${i}`;
      if (!d) return;
      const value = d.cost_per_success_usd === null ? null : new Money(d.cost_per_success_usd).toNumber();
      if (value !== null && value > 0) positive.push(value);
      values[key] = value;
      labels[key] = dayLabel(d);
    });
    return { day: dayKey, label: formatDayKey(dayKey), values, labels };
  });
  const scale = positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 10 ? "log" : "linear";
  if (scale === "log") {
    // A log axis has no place for $0: such a day is a gap; its tooltip still says "$0.00".
    for (const d of days) for (const key of Object.keys(d.values)) if (d.values[key] === 0) d.values[key] = null;
  }
  return { series, days, scale };
}

export function costPerSuccessSummary(types: readonly OutcomeTypeReport[], window: DayWindow): string {
  if (types.length === 0) return "Cost per successful outcome per day: no outcomes in this window.";
  const parts = types.map((t) => {
    const days = t.daily.filter((d) => d.cost_per_success_usd !== null);
    if (t.cost_per_success_usd === null || days.length === 0) return `${t.type}: no successful outcomes`;
    const cmp = (a: (typeof days)[number], b: (typeof days)[number]) => new Money(a.cost_per_success_usd!).cmp(b.cost_per_success_usd!);
    const low = days.reduce((best, d) => (cmp(d, best) < 0 ? d : best));
    const high = days.reduce((best, d) => (cmp(d, best) > 0 ? d : best));
    return `${t.type}: ${formatMoney(t.cost_per_success_usd)} overall, lowest ${formatMoney(low.cost_per_success_usd!)} on ${formatDayKey(low.day)}, highest ${formatMoney(high.cost_per_success_usd!)} on ${formatDayKey(high.day)}`;
  });
  return `Line chart of cost per successful outcome per UTC day, ${formatWindow(window)}. ${parts.join("; ")}.`;
}

// ---------------------------------------------------------------- cost per trace histogram

export interface HistogramBar {
  /** Category key on the x axis: "zero" or the bucket index. */
  key: string;
  /** The lower edge to 2 significant digits (under $1): the axis tick. */
  label: string;
  /** "$0.00123 to under $0.00345" (3 significant digits); the last bucket includes its upper edge. */
  rangeLabel: string;
  count: number;
  /** "123 traces (4.5%)" */
  countLabel: string;
}

export const ZERO_BUCKET = "zero";

function countLabel(count: number, total: number): string {
  const share = ratio(count, total);
  return `${plural(count, "trace", "traces")}${share ? ` (${formatPercent(share)})` : ""}`;
}

/**
 * A bucket edge: formatMoney from $1 up, and `digits` significant digits below, so that
 * neighbouring log edges ($0.012, $0.015) never collapse into one label ("$0.01").
 */
export function formatMoneyEdge(amountUsd: string, digits = 2): string {
  const value = new Money(amountUsd);
  if (value.isZero() || value.abs().gte(1)) return formatMoney(value);
  return `${value.isNegative() ? "-" : ""}$${value.abs().toSignificantDigits(digits, Money.ROUND_HALF_UP).toFixed()}`;
}

export function histogramBars(histogram: LogHistogram): HistogramBar[] {
  const total = histogram.zero_count + histogram.buckets.reduce((sum, b) => sum + b.count, 0);
  const bars: HistogramBar[] = [];
  if (histogram.zero_count > 0) {
    bars.push({ key: ZERO_BUCKET, label: "$0", rangeLabel: "exactly $0.00", count: histogram.zero_count, countLabel: countLabel(histogram.zero_count, total) });
  }
  const last = histogram.buckets.length - 1;
  histogram.buckets.forEach((bucket, i) => {
    const lower = formatMoneyEdge(bucket.lower_usd, 3);
    const upper = formatMoneyEdge(bucket.upper_usd, 3);
    const rangeLabel = bucket.lower_usd === bucket.upper_usd ? lower : `${lower} to ${i === last ? "" : "under "}${upper}`;
    bars.push({ key: String(i), label: formatMoneyEdge(bucket.lower_usd), rangeLabel, count: bucket.count, countLabel: countLabel(bucket.count, total) });
  });
  return bars;
}

/** The bar key an amount falls in (lower <= v < upper, the last bucket closed), or null outside. */
export function bucketKeyOf(histogram: LogHistogram, amountUsd: string): string | null {
  const value = new Money(amountUsd);
  if (value.isZero()) return histogram.zero_count > 0 ? ZERO_BUCKET : null;
  const buckets: readonly HistogramBucket[] = histogram.buckets;
  const last = buckets.length - 1;
  const index = buckets.findIndex((b, i) => value.gte(b.lower_usd) && (value.lt(b.upper_usd) || (i === last && value.lte(b.upper_usd))));
  return index === -1 ? null : String(index);
}

export interface PercentileMarker {
  key: string;
  /** "p50", or "p95 · p99" when two fall in one bucket. */
  label: string;
}

/** Where p50, p95 and p99 fall among the bars, one marker per bar. */
export function percentileMarkers(distribution: TraceCostDistribution): PercentileMarker[] {
  const markers: PercentileMarker[] = [];
  const points: Array<[string, string | null]> = [
    ["p50", distribution.p50_usd],
    ["p95", distribution.p95_usd],
    ["p99", distribution.p99_usd],
  ];
  for (const [name, amount] of points) {
    if (amount === null) continue;
    const key = bucketKeyOf(distribution.histogram, amount);
    if (key === null) continue;
    const existing = markers.find((m) => m.key === key);
    if (existing) existing.label = `${existing.label} · ${name}`;
    else markers.push({ key, label: name });
  }
  return markers;
}

export function histogramSummary(distribution: TraceCostDistribution): string {
  const { count, histogram } = distribution;
  if (count === 0 || distribution.min_usd === null || distribution.max_usd === null) return "Histogram of cost per trace: no priced traces.";
  const buckets = histogram.buckets.length;
  const zero = histogram.zero_count > 0 ? `, ${countLabel(histogram.zero_count, count)} at $0` : "";
  return (
    `Histogram of cost per trace over ${formatCount(count)} priced traces in ${buckets} log-spaced ${buckets === 1 ? "bucket" : "buckets"} ` +
    `from ${formatMoney(distribution.min_usd)} to ${formatMoney(distribution.max_usd)}${zero}; ` +
    `median ${formatMoney(distribution.p50_usd ?? "0")}, p95 ${formatMoney(distribution.p95_usd ?? "0")}, p99 ${formatMoney(distribution.p99_usd ?? "0")}.`
  );
}

// ---------------------------------------------------------------- cost per success by feature

export interface FeatureCostRow {
  id: string;
  type: string;
  feature: string | null;
  outcomes: number;
  successful: number;
  success_rate: string | null;
  cost_usd: string;
  cost_per_success_usd: string | null;
  requests: number;
  unpriced_requests: number;
}

/** Rows of GET /api/v1/outcomes/cost?group_by=feature, one answer per type, optionally narrowed to one feature. */
export function featureCostRows(answers: ReadonlyArray<{ type: string; rows: readonly OutcomeCostRow[] }>, feature?: string): FeatureCostRow[] {
  return answers.flatMap(({ type, rows }) =>
    rows.flatMap((row) => {
      const key = row.feature === null || row.feature === undefined ? null : String(row.feature);
      if (feature !== undefined && key !== feature) return [];
      return [
        {
          id: `${type}/${key ?? "∅"}`,
          type,
          feature: key,
          outcomes: row.outcomes,
          successful: row.successful,
          success_rate: successRate(row.outcomes, row.successful),
          cost_usd: row.cost_usd,
          cost_per_success_usd: row.cost_per_success_usd,
          requests: row.requests,
          unpriced_requests: row.unpriced_requests,
        },
      ];
    }),
  );
}

function compareNullable<T>(a: T | null, b: T | null, compare: (x: T, y: T) => number, direction: 1 | -1): number {
  // Missing figures (no success, untagged) go last in either direction.
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return compare(a, b) * direction;
}

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const money = (a: string, b: string) => new Money(a).cmp(b);
const number = (a: number, b: number) => a - b;

export function sortFeatureRows(rows: readonly FeatureCostRow[], sort: SortState<FeatureSortKey>): FeatureCostRow[] {
  const direction = sort.direction === "asc" ? 1 : -1;
  const byKey = (a: FeatureCostRow, b: FeatureCostRow): number => {
    switch (sort.key) {
      case "type":
        return text(a.type, b.type) * direction;
      case "feature":
        return compareNullable(a.feature, b.feature, text, direction);
      case "success_rate":
      case "cost_per_success_usd":
        return compareNullable(a[sort.key], b[sort.key], money, direction);
      case "cost_usd":
        return money(a.cost_usd, b.cost_usd) * direction;
      default:
        return number(a[sort.key], b[sort.key]) * direction;
    }
  };
  // Ties keep a stable, meaningful order: most expensive first, then by name.
  return [...rows].sort((a, b) => byKey(a, b) || money(b.cost_usd, a.cost_usd) || text(a.id, b.id));
}

// ---------------------------------------------------------------- most expensive traces

export const TRACE_SORT_KEYS = ["cost_usd", "calls", "retries", "outcomes", "first_call_at", "duration"] as const;
export type TraceSortKey = (typeof TRACE_SORT_KEYS)[number];

export function sortTopTraces(traces: readonly TopTrace[], sort: SortState<TraceSortKey>): TopTrace[] {
  const direction = sort.direction === "asc" ? 1 : -1;
  const byKey = (a: TopTrace, b: TopTrace): number => {
    switch (sort.key) {
      case "cost_usd":
        return compareNullable(a.cost_usd, b.cost_usd, money, direction);
      case "first_call_at":
        return compareNullable(a.first_call_at, b.first_call_at, text, direction);
      case "duration":
        return compareNullable(spanMs(a.first_call_at, a.last_call_at), spanMs(b.first_call_at, b.last_call_at), number, direction);
      default:
        return number(a[sort.key], b[sort.key]) * direction;
    }
  };
  return [...traces].sort((a, b) => byKey(a, b) || text(a.trace_id, b.trace_id));
}

/** Next sort on a header click: a new column starts descending (biggest first), the same one flips. */
export function nextSort<K extends string>(current: SortState<K>, key: K, firstDirection: "asc" | "desc" = "desc"): SortState<K> {
  if (current.key !== key) return { key, direction: firstDirection };
  return { key, direction: current.direction === "desc" ? "asc" : "desc" };
}
