import { Money } from "@/lib/money";

/**
 * Drops in a prompt-cache hit-rate series (pure: data in, data out).
 *
 * The rule, bucket by bucket in time order:
 * - A bucket is *eligible* when it has at least `minRequests` requests and some input
 *   tokens; its hit rate is cache_read_input_tokens / input_tokens. Ineligible buckets
 *   (quiet hours, gaps) are skipped: they neither start, extend nor end an episode and
 *   never enter the baseline.
 * - The *baseline* of a bucket is the median hit rate of the last `baselineBuckets`
 *   eligible buckets before it that were not drops themselves. Until that many exist
 *   (the warm-up), a bucket is not judged and simply joins the baseline.
 * - A bucket is a *drop* when its hit rate is at least `dropPp` percentage points below
 *   its baseline (exactly: baseline − rate ≥ dropPp / 100, compared as exact fractions).
 * - Consecutive drops (ineligible buckets in between do not interrupt) form one episode.
 *   Drops never enter the baseline, so during an episode the baseline stays what it was
 *   before the cache broke, and the episode lasts until the first eligible bucket that is
 *   back within `dropPp` of it (recovery). An episode with no recovery yet is `ongoing`.
 * - Buckets before `reportFrom` only feed the baseline (so a window can be judged from its
 *   first bucket); drops there are not reported, and an episode in progress at
 *   `reportFrom` starts there.
 *
 * A slow drift never fires: each bucket is compared with the median of the ones just
 * before it, which drift along.
 */

export interface HitRatePoint {
  /** Start of the bucket, an ISO timestamp. */
  bucket: string;
  requests: number;
  inputTokens: number;
  cacheReadInputTokens: number;
}

export interface DropRule {
  /** Integer percentage points, >= 1. */
  dropPp: number;
  /** How many earlier eligible buckets the median baseline takes, >= 1. */
  baselineBuckets: number;
  /** Minimum requests for a bucket to count, >= 0. */
  minRequests: number;
  /** Episodes with fewer drop buckets are not reported (a one-hour blip is noise), >= 1. */
  minBuckets: number;
}

export interface DropEpisode<G = null> {
  /** Whose series this is (null: the overall series). */
  group: G;
  /** Start of the first drop bucket. */
  start: string;
  /** End (exclusive) of the last drop bucket. */
  end: string;
  /** How many buckets were drops. */
  buckets: number;
  /** Hit rate before the drop, 4 decimals ("0.7125"). */
  baseline: string;
  /** Lowest hit rate in the episode, 4 decimals. */
  lowest: string;
  /** Start of the bucket with the lowest hit rate. */
  lowest_at: string;
  /** (baseline − lowest) × 100, 2 decimals ("63.40"), computed exactly before rounding. */
  drop_pp: string;
  /** No recovery yet: no eligible bucket after the episode is back near the baseline. */
  ongoing: boolean;
}

export interface FindDropsOptions<G> {
  rule: DropRule;
  /** Bucket length in milliseconds (hour or UTC day), for the episode's end. */
  bucketMs: number;
  /** Earlier buckets only feed the baseline (ISO timestamp). */
  reportFrom?: string;
  group: G;
}

/** An exact non-negative fraction n / d (d > 0). */
interface Ratio {
  n: bigint;
  d: bigint;
}

function compare(a: Ratio, b: Ratio): number {
  const left = a.n * b.d;
  const right = b.n * a.d;
  return left < right ? -1 : left > right ? 1 : 0;
}

function median(values: readonly Ratio[]): Ratio {
  const sorted = [...values].sort(compare);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] as Ratio;
  if (sorted.length % 2 === 1) return upper;
  const lower = sorted[mid - 1] as Ratio;
  return { n: lower.n * upper.d + upper.n * lower.d, d: 2n * lower.d * upper.d };
}

function decimal(ratio: Ratio, digits: number): string {
  return new Money(ratio.n.toString()).div(ratio.d.toString()).toFixed(digits);
}

/** A hit rate as the API writes it: a fraction with 4 decimals, null without input tokens. */
export function formatHitRate(cacheReadTokens: bigint | number, inputTokens: bigint | number): string | null {
  const d = BigInt(inputTokens);
  if (d <= 0n) return null;
  return decimal({ n: BigInt(cacheReadTokens), d }, 4);
}

function checkRule(rule: DropRule): void {
  if (!Number.isInteger(rule.dropPp) || rule.dropPp < 1) throw new RangeError("dropPp must be an integer >= 1");
  if (!Number.isInteger(rule.baselineBuckets) || rule.baselineBuckets < 1) {
    throw new RangeError("baselineBuckets must be an integer >= 1");
  }
  if (!Number.isInteger(rule.minRequests) || rule.minRequests < 0) throw new RangeError("minRequests must be an integer >= 0");
  if (!Number.isInteger(rule.minBuckets) || rule.minBuckets < 1) throw new RangeError("minBuckets must be an integer >= 1");
}

interface OpenEpisode {
  first: number;
  last: number;
  buckets: number;
  baseline: Ratio;
  lowest: Ratio;
  lowestAt: number;
}

/** The drop episodes of one series; `points` must be in time order. */
export function findHitRateDrops<G>(points: readonly HitRatePoint[], options: FindDropsOptions<G>): DropEpisode<G>[] {
  const { rule, bucketMs, group } = options;
  checkRule(rule);
  const reportFrom = options.reportFrom === undefined ? -Infinity : Date.parse(options.reportFrom);
  const threshold = BigInt(rule.dropPp);
  /** The last `baselineBuckets` eligible non-drop rates. */
  const pool: Ratio[] = [];
  const episodes: DropEpisode<G>[] = [];
  let open: OpenEpisode | null = null;

  const close = (ongoing: boolean) => {
    if (!open) return;
    const o: OpenEpisode = open;
    open = null;
    if (o.buckets < rule.minBuckets) return;
    const first = points[o.first] as HitRatePoint;
    const last = points[o.last] as HitRatePoint;
    episodes.push({
      group,
      start: first.bucket,
      end: new Date(Date.parse(last.bucket) + bucketMs).toISOString(),
      buckets: o.buckets,
      baseline: decimal(o.baseline, 4),
      lowest: decimal(o.lowest, 4),
      lowest_at: (points[o.lowestAt] as HitRatePoint).bucket,
      drop_pp: decimal({ n: (o.baseline.n * o.lowest.d - o.lowest.n * o.baseline.d) * 100n, d: o.baseline.d * o.lowest.d }, 2),
      ongoing,
    });
  };

  points.forEach((point, index) => {
    if (point.requests < rule.minRequests || point.inputTokens <= 0) return;
    const rate: Ratio = { n: BigInt(point.cacheReadInputTokens), d: BigInt(point.inputTokens) };
    if (pool.length < rule.baselineBuckets) {
      pool.push(rate);
      return;
    }
    const baseline = median(pool);
    // baseline − rate >= dropPp / 100, in integers
    const isDrop = (baseline.n * rate.d - rate.n * baseline.d) * 100n >= threshold * baseline.d * rate.d;
    if (!isDrop) {
      close(false);
      pool.push(rate);
      pool.shift();
      return;
    }
    if (Date.parse(point.bucket) < reportFrom) return;
    if (!open) {
      open = { first: index, last: index, buckets: 1, baseline, lowest: rate, lowestAt: index };
    } else {
      open.last = index;
      open.buckets++;
      if (compare(rate, open.lowest) < 0) {
        open.lowest = rate;
        open.lowestAt = index;
      }
    }
  });
  close(true);
  return episodes;
}
