import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/rebuild";
import { startOfUtcDay } from "@/lib/time";
import { ceilToUtcDay, rollupWindowSql } from "./rollup-sql";
import type { SqlParams } from "./sql";

/**
 * Any tag as a dimension: the rollup rows of one extra tag key (usage_rollup_tag_hourly), as a
 * FROM-clause subquery with the columns of usage_rollup_hourly plus `tag_value`, so a report
 * reads them exactly like the fixed dimensions' rollups.
 *
 * - Filtered to one value (`tag.language=fr`): that value's rows.
 * - Grouped by the key: the rows of every value, and the events without the key as the group
 *   `tag_value = NULL` — all events (the ordinary rollups) minus the key's tagged ones (each tag
 *   row once more, negated). Exact, and a range scan of the tag table's (tag_key, hour) index
 *   plus the ordinary window.
 *
 * Only one extra key per query comes from the rollups (an event counts once per key); two keys
 * at once read the events (lib/analytics/spend.ts decides).
 */

export interface TagSelection {
  key: string;
  /** Only this value (a filter); without it, every value and the untagged rest. */
  value?: string;
}

const MEASURES = ROLLUP_MEASURES.join(", ");
const DIMENSIONS = ROLLUP_DIMENSIONS.join(", ");
const NEGATABLE = ROLLUP_MEASURES.map((m) => `tr.${m} * x.sign AS ${m}`).join(", ");
const TAG_DIMENSIONS = ROLLUP_DIMENSIONS.map((d) => `tr.${d}`).join(", ");
const MEASURES_OF_TR = ROLLUP_MEASURES.map((m) => `tr.${m}`).join(", ");

/**
 * The tag key's rollup rows of the hour-aligned window [from, to), as `(…) AS alias`: whole UTC
 * days from the daily tag rollups (usage_rollup_tag_daily_all, kept by triggers), the partial
 * days at the edges from the hourly ones, as rollupWindowSql does for the fixed dimensions.
 */
export function tagWindowSql(from: Date, to: Date, params: SqlParams, tag: TagSelection, alias = "r"): string {
  const key = params.add(tag.key);
  const value = tag.value === undefined ? null : params.add(tag.value);
  const p = (at: Date) => params.add(at.toISOString(), "timestamptz");
  const firstDay = ceilToUtcDay(from);
  const lastDay = startOfUtcDay(to);
  // The tag rows of the window from each table, in the hourly table's columns.
  const slices: string[] = [];
  const slice = (table: string, range: string) =>
    `SELECT ${TAG_DIMENSIONS}, ${MEASURES_OF_TR}, tr.tag_value FROM ${table} tr WHERE tr.tag_key = ${key}${value ? ` AND tr.tag_value = ${value}` : ""} AND (${range})`;
  if (firstDay.getTime() >= lastDay.getTime()) {
    slices.push(slice("usage_rollup_tag_hourly_all", `tr.hour >= ${p(from)} AND tr.hour < ${p(to)}`));
  } else {
    slices.push(slice("usage_rollup_tag_daily_all", `tr.hour >= ${p(firstDay)} AND tr.hour < ${p(lastDay)}`));
    slices.push(
      slice("usage_rollup_tag_hourly_all", `(tr.hour >= ${p(from)} AND tr.hour < ${p(firstDay)}) OR (tr.hour >= ${p(lastDay)} AND tr.hour < ${p(to)})`),
    );
  }
  const tagged = slices.join("\n  UNION ALL\n  ");
  if (value !== null) return `(\n  ${tagged}\n) AS ${alias}`;
  // Grouped by the key: every value, and the untagged rest as all events minus the tagged ones.
  return `(
  SELECT ${DIMENSIONS}, ${MEASURES}, NULL::text AS tag_value FROM ${rollupWindowSql(from, to, params, "w")}
  UNION ALL
  SELECT ${ROLLUP_DIMENSIONS.map((d) => `t.${d}`).join(", ")}, ${ROLLUP_MEASURES.map((m) => `t.${m} * x.sign AS ${m}`).join(", ")}, x.tag_value
  FROM (
  ${tagged}
  ) AS t CROSS JOIN LATERAL (VALUES (t.tag_value, 1), (NULL::text, -1)) AS x(tag_value, sign)
) AS ${alias}`;
}

/**
 * The hourly rollup rows to read for a report over hours (the Cache and tokens-per-request
 * reports read the hourly rollups directly and put their hour bounds in their own WHERE):
 * the table itself, or with a tag the same shape over the tag rollups.
 */
export function hourlySourceSql(params: SqlParams, tag: TagSelection | null, alias = "r"): string {
  if (tag === null) return `usage_rollup_hourly_all ${alias}`;
  const key = params.add(tag.key);
  if (tag.value !== undefined) {
    return `(SELECT ${DIMENSIONS}, ${MEASURES}, tag_value FROM usage_rollup_tag_hourly_all
  WHERE tag_key = ${key} AND tag_value = ${params.add(tag.value)}) AS ${alias}`;
  }
  return `(
  SELECT ${DIMENSIONS}, ${MEASURES}, NULL::text AS tag_value FROM usage_rollup_hourly_all
  UNION ALL
  SELECT ${TAG_DIMENSIONS}, ${NEGATABLE}, x.tag_value
  FROM usage_rollup_tag_hourly_all tr CROSS JOIN LATERAL (VALUES (tr.tag_value, 1), (NULL::text, -1)) AS x(tag_value, sign)
  WHERE tr.tag_key = ${key}
) AS ${alias}`;
}
