import { Money, formatUsd, type MoneyValue } from "@/lib/money";

/**
 * Distribution statistics over exact decimal amounts (cost per trace). Pure: data in,
 * data out; money stays decimal.js, results are decimal strings with 12 fractional digits.
 *
 * Percentiles use the NEAREST-RANK method: for n values sorted ascending x_1 <= ... <= x_n,
 * the p-th percentile (0 < p <= 100) is x_k with k = ceil(p / 100 * n), and x_1 for p = 0.
 * It is always one of the observed values (never interpolated), so it is exact, and it
 * matches PostgreSQL's percentile_disc.
 */

/** The 1-based nearest rank k = ceil(p/100 * n) (at least 1), computed exactly in decimal. */
export function nearestRank(count: number, percentile: MoneyValue): number {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const p = new Money(percentile);
  if (p.isNaN() || p.lt(0) || p.gt(100)) throw new RangeError(`percentile must be in [0, 100], got ${String(percentile)}`);
  return Math.max(1, p.times(count).div(100).ceil().toNumber());
}

/** The nearest-rank percentile of values already sorted ascending. */
export function percentileOfSorted(sorted: readonly Money[], percentile: MoneyValue): Money {
  const value = sorted[nearestRank(sorted.length, percentile) - 1];
  if (value === undefined) throw new RangeError("no values");
  return value;
}

/** The values as Money, ascending (a list that is already sorted is only checked). */
export function sortAmounts(values: readonly MoneyValue[]): Money[] {
  const amounts = values.map((value) => new Money(value));
  const sorted = amounts.every((value, i) => i === 0 || amounts[i - 1]!.lte(value));
  return sorted ? amounts : amounts.sort((a, b) => a.cmp(b));
}

export interface AmountDistribution {
  count: number;
  /** null when count is 0. */
  min_usd: string | null;
  p50_usd: string | null;
  p95_usd: string | null;
  p99_usd: string | null;
  max_usd: string | null;
  /** Sum / count, rounded half-even to 12 fractional digits. */
  mean_usd: string | null;
  total_usd: string;
}

export function amountDistribution(values: readonly MoneyValue[]): AmountDistribution {
  return distributionOfSorted(sortAmounts(values));
}

/** amountDistribution of values already sorted ascending (see sortAmounts). */
export function distributionOfSorted(sorted: readonly Money[]): AmountDistribution {
  const total = sorted.reduce((sum, value) => sum.plus(value), new Money(0));
  if (sorted.length === 0) {
    return { count: 0, min_usd: null, p50_usd: null, p95_usd: null, p99_usd: null, max_usd: null, mean_usd: null, total_usd: formatUsd(0) };
  }
  const at = (p: number) => formatUsd(percentileOfSorted(sorted, p));
  return {
    count: sorted.length,
    min_usd: at(0),
    p50_usd: at(50),
    p95_usd: at(95),
    p99_usd: at(99),
    max_usd: at(100),
    mean_usd: formatUsd(total.div(sorted.length)),
    total_usd: formatUsd(total),
  };
}

export interface HistogramBucket {
  /** Inclusive lower edge. */
  lower_usd: string;
  /** Exclusive upper edge, except the last bucket, which includes the maximum. */
  upper_usd: string;
  count: number;
}

export interface LogHistogram {
  /** Values of exactly $0 (a log scale has no place for them). */
  zero_count: number;
  buckets: HistogramBucket[];
}

/**
 * `bucketCount` log-spaced buckets from the smallest to the largest positive value:
 * edge_i = min * (max / min)^(i / bucketCount), rounded half-even to 12 fractional digits
 * (edge_0 = min and edge_n = max exactly). A value v falls in the bucket with
 * lower <= v < upper, the maximum in the last one. One bucket [v, v] when every positive
 * value is v; none when there are no positive values.
 */
export function logHistogram(values: readonly MoneyValue[], bucketCount = 20): LogHistogram {
  return histogramOfSorted(sortAmounts(values), bucketCount);
}

/** logHistogram of values already sorted ascending (see sortAmounts). */
export function histogramOfSorted(sorted: readonly Money[], bucketCount = 20): LogHistogram {
  if (!Number.isSafeInteger(bucketCount) || bucketCount < 1) throw new RangeError(`bucketCount must be a positive integer`);
  if (sorted[0]?.isNegative() && !sorted[0].isZero()) throw new RangeError("amounts must not be negative");
  const positive = sorted.filter((value) => value.gt(0));
  const zeroCount = sorted.length - positive.length;
  const min = positive[0];
  const max = positive[positive.length - 1];
  if (min === undefined || max === undefined) return { zero_count: zeroCount, buckets: [] };
  if (min.eq(max)) return { zero_count: zeroCount, buckets: [{ lower_usd: formatUsd(min), upper_usd: formatUsd(max), count: positive.length }] };

  const ratio = max.div(min);
  const edges: Money[] = [min];
  for (let i = 1; i < bucketCount; i++) {
    edges.push(min.times(ratio.pow(new Money(i).div(bucketCount))).toDecimalPlaces(12));
  }
  edges.push(max);
  // One walk over the sorted values: the bucket only ever moves up.
  const counts = new Array<number>(bucketCount).fill(0);
  let bucket = 0;
  for (const value of positive) {
    while (bucket < bucketCount - 1 && edges[bucket + 1]!.lte(value)) bucket++;
    counts[bucket]! += 1;
  }
  return {
    zero_count: zeroCount,
    buckets: counts.map((count, i) => ({ lower_usd: formatUsd(edges[i]!), upper_usd: formatUsd(edges[i + 1]!), count })),
  };
}
