import { z } from "zod";
import type { CacheDropEpisode, CacheGroup, CacheMetrics, CacheModel, CachePoint } from "@/lib/analytics/cache";
import type { TokensJump, TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { formatCount, formatDay, formatDayKey, formatDayRange, formatDayTime, formatPercent, formatTokens } from "@/lib/format";
import { Money } from "@/lib/money";
import { BUCKET_MS, MAX_WINDOW_DAYS, type Bucket, type CacheGroupBy, type TokensGroupBy } from "@/lib/schemas/cache";

/**
 * The Cache page's view logic, pure: its URL state, the window it shows, and the
 * GET /api/v1/cache and /api/v1/tokens-per-request answers turned into chart rows, drop
 * bands, episode descriptions and sorted table rows.
 *
 * Every figure shown is formatted from the API's exact decimal strings; the numbers in
 * chart rows (`values`) only place points and bands, and `labels` carries what the
 * tooltip says.
 */

// ------------------------------------------------------------------ page state (URL)

export const CACHE_GROUPS = ["tenant", "feature", "prompt_version", "team", "model"] as const satisfies readonly CacheGroupBy[];
export const TOKENS_GROUPS = ["feature", "prompt_version", "model"] as const satisfies readonly TokensGroupBy[];
export const CACHE_FILTERS = ["team", "feature", "tenant", "environment", "model"] as const;
export type CacheFilter = (typeof CACHE_FILTERS)[number];

export const DIMENSION_LABELS: Record<CacheGroupBy | CacheFilter, string> = {
  tenant: "Tenant",
  feature: "Feature",
  prompt_version: "Prompt version",
  team: "Team",
  model: "Model",
  environment: "Environment",
};

const PLURALS: Record<CacheGroupBy, string> = {
  tenant: "tenants",
  feature: "features",
  prompt_version: "prompt versions",
  team: "teams",
  model: "models",
};

export const WINDOW_PRESETS = ["7", "30", "90"] as const;
export type WindowPreset = (typeof WINDOW_PRESETS)[number];

export const MODEL_SORT_KEYS = [
  "model",
  "requests",
  "input_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "hit_rate",
  "saved_usd",
] as const;
export type ModelSortKey = (typeof MODEL_SORT_KEYS)[number];

export const TOKENS_SORT_KEYS = [
  "key",
  "requests",
  "avg_input",
  "recent_input",
  "input_change",
  "avg_output",
  "recent_output",
  "output_change",
] as const;
export type TokensSortKey = (typeof TOKENS_SORT_KEYS)[number];

export type SortDirection = "asc" | "desc";

const day = z.iso.date().optional().catch(undefined);
const tag = z.string().min(1).max(256).optional().catch(undefined);
const direction = z.enum(["asc", "desc"]).catch("desc").default("desc");

/** `to` is exclusive like the API's; the page shows the inclusive last day. */
export const cachePageSchema = z.object({
  from: day,
  to: day,
  /** A relative window ("last N UTC days, today included"), used when from/to are absent. */
  days: z.enum(WINDOW_PRESETS).catch("30").default("30"),
  bucket: z.enum(["day", "hour"]).catch("day").default("day"),
  by: z.enum(CACHE_GROUPS).catch("tenant").default("tenant"),
  team: tag,
  feature: tag,
  tenant: tag,
  environment: tag,
  model: tag,
  msort: z.enum(MODEL_SORT_KEYS).catch("input_tokens").default("input_tokens"),
  mdir: direction,
  tby: z.enum(TOKENS_GROUPS).catch("feature").default("feature"),
  tmetric: z.enum(["input", "output"]).catch("input").default("input"),
  tsort: z.enum(TOKENS_SORT_KEYS).catch("requests").default("requests"),
  tdir: direction,
});

export type CachePageState = z.infer<typeof cachePageSchema>;

/** The page state from a Next searchParams object (first value of repeated keys). */
export function parseCachePageState(raw: Record<string, string | string[] | undefined>): CachePageState {
  const flat = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = cachePageSchema.safeParse(flat);
  return parsed.success ? parsed.data : cachePageSchema.parse({});
}

export interface CacheWindow {
  /** "YYYY-MM-DD", inclusive. */
  from: string;
  /** "YYYY-MM-DD", exclusive. */
  to: string;
  /** The preset in use, or null for a custom from/to. */
  preset: WindowPreset | null;
  /** The bucket the API is asked for (hourly falls back to daily on long windows). */
  bucket: Bucket;
  /** Why the page shows something other than what the URL asked for. */
  notice: string | null;
}

const DAY_MS = BUCKET_MS.day;
const dayKey = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const midnight = (day: string) => Date.parse(`${day}T00:00:00Z`);

export function addDays(day: string, n: number): string {
  return dayKey(midnight(day) + n * DAY_MS);
}

/** The window and bucket to show: a custom from/to when valid, else the last N UTC days (today included). */
export function resolveCacheWindow(state: CachePageState, now: Date): CacheWindow {
  let from: string;
  let to: string;
  let preset: WindowPreset | null = null;
  if (state.from && state.to && state.from < state.to) {
    from = state.from;
    to = state.to;
  } else {
    preset = state.days;
    to = dayKey(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
    from = addDays(to, -Number(state.days));
  }
  const days = (midnight(to) - midnight(from)) / DAY_MS;
  if (state.bucket === "hour" && days > MAX_WINDOW_DAYS.hour) {
    return {
      from,
      to,
      preset,
      bucket: "day",
      notice: `Hourly buckets cover at most ${MAX_WINDOW_DAYS.hour} days; this ${days}-day window is shown by day.`,
    };
  }
  return { from, to, preset, bucket: state.bucket, notice: null };
}

// ------------------------------------------------------------------ formatting

const GROUPS = /\B(?=(\d{3})+(?!\d))/g;

function groupThousands(fixed: string): string {
  const negative = fixed.startsWith("-");
  const [whole = "0", fraction] = (negative ? fixed.slice(1) : fixed).split(".");
  const grouped = whole.replace(GROUPS, ",");
  return `${negative ? "-" : ""}${fraction === undefined ? grouped : `${grouped}.${fraction}`}`;
}

/** A hit rate fraction ("0.6347") as "63.5%"; "—" when there is none. */
export function formatHitRate(rate: string | null, fractionDigits = 1): string {
  return rate === null ? "—" : formatPercent(rate, fractionDigits);
}

/** An average token count ("15638.5") as "15,638.5", exactly as the API wrote it; "—" for null. */
export function formatAverageTokens(average: string | null): string {
  return average === null ? "—" : groupThousands(average);
}

/** A change in percent ("12.5", "-6.0") as "+12.5%" / "-6.0%"; "—" for null. */
export function formatChangePct(pct: string | null): string {
  if (pct === null) return "—";
  const value = new Money(pct);
  if (value.isZero()) return "0.0%";
  return `${value.isNegative() ? "-" : "+"}${groupThousands(value.abs().toFixed(1))}%`;
}

/** A price per million tokens, with as many decimals as it has (at least two): "$0.075", "$3.00". */
export function formatPerMtok(rate: string): string {
  const value = new Money(rate);
  const places = Math.max(2, value.decimalPlaces());
  return `$${groupThousands(value.toFixed(places))}`;
}

/** A drop in percentage points ("61.14") for a chart band: "−61 pp" (rounded half up). */
export function formatDropLabel(dropPp: string): string {
  return `−${new Money(dropPp).toFixed(0, Money.ROUND_HALF_UP)} pp`;
}

/** A drop in points for prose: "61.1 points". */
export function formatDropPoints(dropPp: string): string {
  return `${new Money(dropPp).toFixed(1, Money.ROUND_HALF_UP)} points`;
}

/** A bucket's start as shown: "Nov 3" for days, "Nov 3, 14:00 UTC" for hours. */
export function formatBucket(bucket: string, size: Bucket): string {
  return size === "day" ? formatDayKey(bucket.slice(0, 10)) : formatDayTime(new Date(bucket));
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** When an episode ran, in UTC: "Nov 9–10 (2 days)", or "Nov 9, 09:00 – Nov 11, 05:00 UTC (44 hours)". */
export function formatEpisodeRange(episode: Pick<CacheDropEpisode, "start" | "end">, size: Bucket): string {
  const start = new Date(episode.start);
  const end = new Date(episode.end);
  const span = Math.round((end.getTime() - start.getTime()) / BUCKET_MS[size]);
  if (size === "day") return `${formatDayRange(start, new Date(end.getTime() - 1))} (${plural(span, "day", "days")})`;
  return `${formatDayTime(start).replace(/ UTC$/, "")} – ${formatDayTime(end)} (${plural(span, "hour", "hours")})`;
}

/** "68.8% → 7.6%, a drop of 61.1 points" */
export function formatEpisodeDrop(episode: Pick<CacheDropEpisode, "baseline" | "lowest" | "drop_pp">): string {
  return `${formatHitRate(episode.baseline)} → ${formatHitRate(episode.lowest)}, a drop of ${formatDropPoints(episode.drop_pp)}`;
}

/** A cache group's name: its tag value, "untagged", or "Other (3 tenants)". */
export function cacheGroupName(group: Pick<CacheGroup, "key" | "other" | "folded_groups">, by: CacheGroupBy): string {
  if (group.other) return `Other (${group.folded_groups} ${group.folded_groups === 1 ? PLURALS[by].replace(/s$/, "") : PLURALS[by]})`;
  return group.key ?? "untagged";
}

export function groupPlural(by: CacheGroupBy): string {
  return PLURALS[by];
}

// ------------------------------------------------------------------ chart rows

/** One point in time: `t` places it (mid-bucket, epoch ms); `labels` is what a tooltip shows. */
export interface TimeRow {
  t: number;
  bucket: string;
  label: string;
  values: Record<string, number | null>;
  labels: Record<string, string>;
  detail?: string;
}

export interface LineSeries {
  key: string;
  name: string;
  /** Drawn muted and dashed: "other" groups, the overall average. */
  muted?: boolean;
}

/** A shaded band over a drop episode, clamped to the chart's domain. */
export interface DropBand {
  key: string;
  x1: number;
  x2: number;
  label: string;
  ongoing: boolean;
}

const percentOf = (rate: string | null): number | null => (rate === null ? null : Number(rate) * 100);

function midpoint(bucket: string, size: Bucket): number {
  return Date.parse(bucket) + BUCKET_MS[size] / 2;
}

/** Rows of the overall hit-rate line. */
export function hitRateRows(series: readonly CachePoint[], size: Bucket): TimeRow[] {
  return series.map((point) => ({
    t: midpoint(point.bucket, size),
    bucket: point.bucket,
    label: formatBucket(point.bucket, size),
    values: { overall: percentOf(point.hit_rate) },
    labels: { overall: formatHitRate(point.hit_rate, 2) },
    detail: `${formatCount(point.requests)} requests · ${formatTokens(point.cache_read_input_tokens)} of ${formatTokens(point.input_tokens)} input tokens from cache`,
  }));
}

/** Bands for drop episodes, clamped to [fromMs, toMs]; episodes outside are left out. */
export function dropBands(drops: readonly CacheDropEpisode[], fromMs: number, toMs: number): DropBand[] {
  return drops.flatMap((episode) => {
    const x1 = Math.max(Date.parse(episode.start), fromMs);
    const x2 = Math.min(Date.parse(episode.end), toMs);
    if (!(x2 > x1)) return [];
    return [{ key: episode.start, x1, x2, label: formatDropLabel(episode.drop_pp), ongoing: episode.ongoing }];
  });
}

/** One line per group (the API's order: top groups by input tokens, then "other"). */
export function groupHitRateRows(
  groups: readonly CacheGroup[],
  by: CacheGroupBy,
  size: Bucket,
): { rows: TimeRow[]; series: LineSeries[] } {
  const series = groups.map((group, i): LineSeries => ({ key: `g${i}`, name: cacheGroupName(group, by), muted: group.other }));
  const first = groups[0];
  if (!first) return { rows: [], series };
  const rows = first.series.map((point, index): TimeRow => {
    const values: Record<string, number | null> = {};
    const labels: Record<string, string> = {};
    groups.forEach((group, i) => {
      const at = group.series[index];
      values[`g${i}`] = percentOf(at?.hit_rate ?? null);
      labels[`g${i}`] = at && at.requests > 0 ? `${formatHitRate(at.hit_rate, 2)} · ${formatCount(at.requests)} req.` : "no requests";
    });
    return { t: midpoint(point.bucket, size), bucket: point.bucket, label: formatBucket(point.bucket, size), values, labels };
  });
  return { rows, series };
}

/** Day-boundary ticks for a time axis, at most about `max` of them. */
export function dayTicks(fromMs: number, toMs: number, max = 8): number[] {
  const first = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const days = Math.max(1, Math.floor((toMs - first) / DAY_MS));
  const step = Math.max(1, Math.ceil(days / max));
  const ticks: number[] = [];
  for (let t = first; t < toMs; t += step * DAY_MS) ticks.push(t);
  return ticks;
}

export function formatTick(ms: number): string {
  return formatDay(new Date(ms));
}

// ------------------------------------------------------------------ summaries (aria-labels)

export function hitRateSummary(input: {
  series: readonly CachePoint[];
  drops: readonly CacheDropEpisode[];
  totals: Pick<CacheMetrics, "hit_rate">;
  bucket: Bucket;
}): string {
  const first = input.series[0];
  const last = input.series[input.series.length - 1];
  if (!first || !last) return "Prompt-cache hit rate chart: no buckets to show.";
  const span = `${formatBucket(first.bucket, input.bucket)} to ${formatBucket(last.bucket, input.bucket)}`;
  const drops =
    input.drops.length === 0
      ? "no drops"
      : `${plural(input.drops.length, "drop", "drops")} marked: ${input.drops
          .map((d) => `${formatEpisodeRange(d, input.bucket)}, ${formatHitRate(d.baseline)} to ${formatHitRate(d.lowest)} (${formatDropLabel(d.drop_pp)})${d.ongoing ? ", ongoing" : ""}`)
          .join("; ")}`;
  const utc = input.bucket === "day" ? " (UTC)" : "";
  return `Line chart of the ${input.bucket === "day" ? "daily" : "hourly"} prompt-cache hit rate, ${span}${utc}: ${formatHitRate(input.totals.hit_rate)} for the window; ${drops}.`;
}

export function groupHitRateSummary(groups: readonly CacheGroup[], by: CacheGroupBy): string {
  if (groups.length === 0) return `Hit rate by ${DIMENSION_LABELS[by].toLowerCase()}: no groups.`;
  const parts = groups.map((g) => `${cacheGroupName(g, by)} ${formatHitRate(g.totals.hit_rate)}${g.drops.length ? ` (${plural(g.drops.length, "drop", "drops")})` : ""}`);
  return `Line chart of the prompt-cache hit rate by ${DIMENSION_LABELS[by].toLowerCase()}: ${parts.join(", ")}.`;
}

// ------------------------------------------------------------------ sorting helpers

/** Exact comparison of decimal strings, nulls last whatever the direction. */
function compareDecimals(a: string | null, b: string | null, dir: SortDirection): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c = new Money(a).cmp(b);
  return dir === "asc" ? c : -c;
}

function compareNumbers(a: number, b: number, dir: SortDirection): number {
  return dir === "asc" ? a - b : b - a;
}

function compareText(a: string, b: string, dir: SortDirection): number {
  const c = a < b ? -1 : a > b ? 1 : 0;
  return dir === "asc" ? c : -c;
}

// ------------------------------------------------------------------ models table

export const modelName = (m: Pick<CacheModel, "provider" | "model">) => `${m.provider}/${m.model}`;

export function sortModels(models: readonly CacheModel[], key: ModelSortKey, dir: SortDirection): CacheModel[] {
  const compare = (a: CacheModel, b: CacheModel): number => {
    switch (key) {
      case "model":
        return compareText(modelName(a), modelName(b), dir);
      case "hit_rate":
        return compareDecimals(a.hit_rate, b.hit_rate, dir);
      case "saved_usd":
        return compareDecimals(a.saved_usd, b.saved_usd, dir);
      default:
        return compareNumbers(a[key], b[key], dir);
    }
  };
  return [...models].sort((a, b) => compare(a, b) || compareText(modelName(a), modelName(b), "asc"));
}

// ------------------------------------------------------------------ tokens per request

export interface TokensRow {
  id: string;
  name: string;
  requests: number;
  avgInput: string | null;
  avgOutput: string | null;
  jump: TokensJump;
}

export function tokensGroupName(group: { key: string | null; feature?: string | null }, by: TokensGroupBy): string {
  const key = group.key ?? "untagged";
  return by === "prompt_version" ? `${group.feature ?? "untagged"} · ${key}` : key;
}

export function tokensRows(report: Pick<TokensPerRequestReport, "groups" | "group_by">): TokensRow[] {
  return report.groups.map((group) => ({
    id: JSON.stringify([group.feature ?? null, group.key]),
    name: tokensGroupName(group, report.group_by),
    requests: group.totals.requests,
    avgInput: group.totals.avg_input_tokens,
    avgOutput: group.totals.avg_output_tokens,
    jump: group.jump,
  }));
}

export function sortTokensRows(rows: readonly TokensRow[], key: TokensSortKey, dir: SortDirection): TokensRow[] {
  const compare = (a: TokensRow, b: TokensRow): number => {
    switch (key) {
      case "key":
        return compareText(a.name, b.name, dir);
      case "requests":
        return compareNumbers(a.requests, b.requests, dir);
      case "avg_input":
        return compareDecimals(a.avgInput, b.avgInput, dir);
      case "avg_output":
        return compareDecimals(a.avgOutput, b.avgOutput, dir);
      case "recent_input":
        return compareDecimals(a.jump.recent.avg_input_tokens, b.jump.recent.avg_input_tokens, dir);
      case "recent_output":
        return compareDecimals(a.jump.recent.avg_output_tokens, b.jump.recent.avg_output_tokens, dir);
      case "input_change":
        return compareDecimals(a.jump.input_change_pct, b.jump.input_change_pct, dir);
      case "output_change":
        return compareDecimals(a.jump.output_change_pct, b.jump.output_change_pct, dir);
    }
  };
  return [...rows].sort((a, b) => compare(a, b) || compareText(a.name, b.name, "asc"));
}

export type TokensMetric = "input" | "output";

/**
 * Lines of the tokens-per-request chart: every group flagged with a jump, then the
 * busiest others, `limit` in all, plus the overall average (muted).
 */
export function tokensChartRows(
  report: Pick<TokensPerRequestReport, "groups" | "group_by" | "series" | "bucket">,
  metric: TokensMetric,
  limit = 8,
): { rows: TimeRow[]; series: LineSeries[] } {
  const field = metric === "input" ? "avg_input_tokens" : "avg_output_tokens";
  const flagged = report.groups.filter((g) => (metric === "input" ? g.jump.input_jump : g.jump.output_jump));
  const rest = report.groups.filter((g) => !flagged.includes(g));
  const chosen = [...flagged, ...rest].slice(0, limit);
  const ordered = report.groups.filter((g) => chosen.includes(g));
  const series: LineSeries[] = [
    ...ordered.map((g, i) => ({ key: `g${i}`, name: tokensGroupName(g, report.group_by) })),
    { key: "all", name: "All requests", muted: true },
  ];
  const rows = report.series.map((point, index): TimeRow => {
    const values: Record<string, number | null> = { all: point[field] === null ? null : Number(point[field]) };
    const labels: Record<string, string> = { all: formatAverageTokens(point[field]) };
    ordered.forEach((g, i) => {
      const at = g.series[index];
      const avg = at?.[field] ?? null;
      values[`g${i}`] = avg === null ? null : Number(avg);
      labels[`g${i}`] = avg === null ? "no requests" : `${formatAverageTokens(avg)} · ${formatCount(at?.requests ?? 0)} req.`;
    });
    return { t: midpoint(point.bucket, report.bucket), bucket: point.bucket, label: formatBucket(point.bucket, report.bucket), values, labels };
  });
  return { rows, series };
}

export function tokensSummary(report: Pick<TokensPerRequestReport, "groups" | "group_by" | "totals">, metric: TokensMetric): string {
  const field = metric === "input" ? "avg_input_tokens" : "avg_output_tokens";
  const flagged = report.groups.filter((g) => (metric === "input" ? g.jump.input_jump : g.jump.output_jump));
  const jumps =
    flagged.length === 0
      ? "no jumps flagged"
      : `jumps flagged for ${flagged.map((g) => `${tokensGroupName(g, report.group_by)} (${formatChangePct(metric === "input" ? g.jump.input_change_pct : g.jump.output_change_pct)})`).join(", ")}`;
  return `Line chart of average ${metric} tokens per request by ${DIMENSION_LABELS[report.group_by].toLowerCase()}: ${formatAverageTokens(report.totals[field])} over all requests; ${jumps}.`;
}
