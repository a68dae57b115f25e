import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/rebuild";
import { BUCKET_MS, type Bucket, type RollupFilters } from "@/lib/schemas/cache";
import { DAY_MS, startOfUtcDay } from "@/lib/time";
import type { SqlParams } from "./sql";

/**
 * SQL over the rollup tables (usage_rollup_hourly and the daily ones), every fragment built
 * on the statement's SqlParams: the tag filters, hour/day buckets, and the window source
 * (whole days from the daily rollups, edges from the hourly ones). They live here, beside
 * SqlParams, because every report, quota, budget and alert rule reads the rollups the same
 * way; the rollups' columns themselves are lib/rollups/rebuild.ts's.
 */

const FILTER_COLUMNS = ["team", "feature", "tenant", "environment", "model"] as const satisfies readonly (keyof RollupFilters)[];

/** ` AND <alias>.<tag> = $n` for each filter given. */
export function rollupFilterSql(filters: RollupFilters, params: SqlParams, alias = "r"): string {
  let sql = "";
  for (const column of FILTER_COLUMNS) {
    const value = filters[column];
    if (value !== undefined) sql += ` AND ${alias}.${column} = ${params.add(value)}`;
  }
  return sql;
}

// ------------------------------------------------------------------ buckets

/** A bucket's start as epoch milliseconds (text), from the rollup's UTC hour. */
export function bucketSql(bucket: Bucket, alias = "r"): string {
  const start = bucket === "hour" ? `${alias}.hour` : `date_trunc('day', ${alias}.hour, 'UTC')`;
  return `(extract(epoch FROM ${start}) * 1000)::bigint::text`;
}

/** The start of the bucket holding `at`. UTC days are always 24 hours long. */
export function floorToBucket(at: Date, bucket: Bucket): number {
  const size = BUCKET_MS[bucket];
  return Math.floor(at.getTime() / size) * size;
}

/** Bucket starts (epoch ms) from `startMs` (aligned) up to but excluding `end`. */
export function bucketStarts(startMs: number, end: Date, bucket: Bucket): number[] {
  const size = BUCKET_MS[bucket];
  const starts: number[] = [];
  for (let t = startMs; t < end.getTime(); t += size) starts.push(t);
  return starts;
}

// ------------------------------------------------------------------ the window source

const COLUMNS = [...ROLLUP_DIMENSIONS, ...ROLLUP_MEASURES].join(", ");

/** The first UTC midnight at or after `at`. */
export function ceilToUtcDay(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / DAY_MS) * DAY_MS);
}

/**
 * The rollup rows of an hour-aligned window [from, to), as a FROM-clause subquery with the
 * columns of usage_rollup_hourly (hour, dimensions, measures): the whole UTC days inside
 * the window from the daily rollups (one row per day and group instead of 24), the partial
 * days at either edge from the hourly ones. Daily rows carry their day's midnight as
 * `hour`, so group by day or month, or filter at day boundaries, as with hourly rows.
 * The bounds are added to `params`; answers `(SELECT …) AS alias`.
 *
 * A group whose measures sum to zero requests does not exist (deltas of a rebuild can
 * cancel out before they are folded): grouped readers add HAVING sum(requests) > 0.
 */
export function rollupWindowSql(from: Date, to: Date, params: SqlParams, alias = "r"): string {
  const firstDay = ceilToUtcDay(from);
  const lastDay = startOfUtcDay(to);
  const p = (value: Date) => params.add(value.toISOString(), "timestamptz");
  if (firstDay.getTime() >= lastDay.getTime()) {
    // No whole day inside: the hourly rows are all there is.
    return `(SELECT ${COLUMNS} FROM usage_rollup_hourly_all WHERE hour >= ${p(from)} AND hour < ${p(to)}) AS ${alias}`;
  }
  return `(
  SELECT ${COLUMNS} FROM usage_rollup_daily_all WHERE hour >= ${p(firstDay)} AND hour < ${p(lastDay)}
  UNION ALL
  SELECT ${COLUMNS} FROM usage_rollup_hourly_all
  WHERE (hour >= ${p(from)} AND hour < ${p(firstDay)}) OR (hour >= ${p(lastDay)} AND hour < ${p(to)})
) AS ${alias}`;
}
