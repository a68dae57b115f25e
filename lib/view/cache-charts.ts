import type { CacheDropEpisode, CacheGroup, CacheMetrics, CachePoint } from "@/lib/analytics/cache";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { formatCount, formatDay, formatTokens, plural } from "@/lib/format";
import { BUCKET_MS, type Bucket, type CacheGroupBy } from "@/lib/schemas/cache";
import { DAY_MS } from "@/lib/time";
import { cacheGroupName, formatAverageTokens, formatBucket, formatChangePct, formatDropLabel, formatEpisodeRange, formatHitRate, tokensGroupName } from "./cache-format";
import { cacheDimensionLabel } from "@/lib/schemas/pages/cache";

/**
 * The Cache page's charts: the GET /api/v1/cache and /api/v1/tokens-per-request answers
 * turned into chart rows, drop bands, axis ticks, and the summaries that are their
 * aria-labels. The numbers in chart rows (`values`) only place points and bands; `labels`
 * carries what the tooltip says.
 */

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
  if (groups.length === 0) return `Hit rate by ${cacheDimensionLabel(by).toLowerCase()}: no groups.`;
  const parts = groups.map((g) => `${cacheGroupName(g, by)} ${formatHitRate(g.totals.hit_rate)}${g.drops.length ? ` (${plural(g.drops.length, "drop", "drops")})` : ""}`);
  return `Line chart of the prompt-cache hit rate by ${cacheDimensionLabel(by).toLowerCase()}: ${parts.join(", ")}.`;
}

// ------------------------------------------------------------------ tokens per request

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
  return `Line chart of average ${metric} tokens per request by ${cacheDimensionLabel(report.group_by).toLowerCase()}: ${formatAverageTokens(report.totals[field])} over all requests; ${jumps}.`;
}
