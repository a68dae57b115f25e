import type { RollupFilters } from "@/lib/schemas/cache";
import type { SqlParams } from "./sql";

/**
 * SQL fragments over the rollup tables (usage_rollup_hourly and the daily ones), built on
 * the statement's SqlParams. The window source (whole days from the daily rollups, edges
 * from the hourly ones) is lib/rollups/window-source.ts.
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
