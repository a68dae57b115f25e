import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/rebuild";

/**
 * The rollup rows of an hour-aligned window [from, to), as a FROM-clause subquery with the
 * columns of usage_rollup_hourly (hour, dimensions, measures): the whole UTC days inside
 * the window from the daily rollups (one row per day and group instead of 24), the partial
 * days at either edge from the hourly ones. Daily rows carry their day's midnight as
 * `hour`, so group by day or month, or filter at day boundaries, as with hourly rows.
 *
 * A group whose measures sum to zero requests does not exist (deltas of a rebuild can
 * cancel out before they are folded): grouped readers add HAVING sum(requests) > 0.
 */
const DAY_MS = 86_400_000;
const COLUMNS = [...ROLLUP_DIMENSIONS, ...ROLLUP_MEASURES].join(", ");

export function ceilToUtcDay(at: Date): Date {
  return new Date(Math.ceil(at.getTime() / DAY_MS) * DAY_MS);
}

export function floorToUtcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

/** Appends the bounds to `params` and returns `(SELECT …) AS alias`. */
export function rollupWindowSql(from: Date, to: Date, params: unknown[], alias = "r"): string {
  const firstDay = ceilToUtcDay(from);
  const lastDay = floorToUtcDay(to);
  const p = (value: Date) => {
    params.push(value.toISOString());
    return `$${params.length}::timestamptz`;
  };
  if (firstDay.getTime() >= lastDay.getTime()) {
    // No whole day inside: the hourly rows are all there is.
    return `(SELECT ${COLUMNS} FROM usage_rollup_hourly WHERE hour >= ${p(from)} AND hour < ${p(to)}) AS ${alias}`;
  }
  return `(
  SELECT ${COLUMNS} FROM usage_rollup_daily_all WHERE hour >= ${p(firstDay)} AND hour < ${p(lastDay)}
  UNION ALL
  SELECT ${COLUMNS} FROM usage_rollup_hourly
  WHERE (hour >= ${p(from)} AND hour < ${p(firstDay)}) OR (hour >= ${p(lastDay)} AND hour < ${p(to)})
) AS ${alias}`;
}
