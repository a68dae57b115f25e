import "server-only";
import type { TeamScope } from "@/lib/auth/permissions";
import { inTeamScope } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/http/errors";
import {
  SPEND_FILTER_KEYS,
  isTagDimension,
  spendFilters,
  tagKeyOf,
  type SpendDimension,
  type SpendFilters,
  type SpendQuery,
} from "@/lib/schemas/spend";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { tagWindowSql } from "@/lib/db/tag-rollup-sql";
import { iso, SqlParams, toCount, type Queryable } from "@/lib/db/sql";
import { HOUR_MS } from "@/lib/time";
import { dbOf, teamScopeOf, type Ctx } from "@/lib/context";

/**
 * Showback: spend grouped by any of the contract's keys (GET /api/v1/spend).
 *
 * Served from the rollups (whole UTC days from usage_rollup_daily, partial days from
 * usage_rollup_hourly: rollupWindowSql in lib/db/rollup-sql.ts), except in two cases that read usage_events (exact,
 * but a scan of raw events):
 * - `user` in group_by: the rollups have no end_user column (one row per user per hour
 *   would multiply their size);
 * - a window bound that is not a whole UTC hour: a rollup row covers its whole hour, so
 *   it cannot say which of its events fall before 10:15.
 * Both paths feed one outer aggregate, so they answer with the same shape and numbers.
 *
 * An extra tag (`tag.<key>`) in group_by or the filters reads the tag rollups instead
 * (usage_rollup_tag_hourly through tagWindowSql: that key's rows, and for grouping the events
 * without the key as the null group); two or more extra keys read the events
 * (`extra_tags->>key`), since a tag rollup row holds one key.
 *
 * Money is summed in SQL numeric and sent as text with 12 decimals, never a JS number;
 * unpriced events add nothing to cost_usd and are counted in unpriced_requests.
 * retry_cost_usd and error_cost_usd are the parts of cost_usd spent on retries (attempt >= 2)
 * and on failed calls (status error), from rollup columns of the same names or the events.
 * Team scoping is a WHERE clause (SqlParams.teamScope), so totals are scoped exactly like rows.
 */

export const SPEND_MEASURES = [
  "cost_usd",
  "requests",
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "reasoning_output_tokens",
  "response_cache_hits",
  "retries",
  "unpriced_requests",
  "reported_cost_usd",
  "retry_cost_usd",
  "error_cost_usd",
] as const;
export type SpendMeasure = (typeof SPEND_MEASURES)[number];

export interface SpendMeasures {
  /** Exact decimal string, 12 fractional digits. */
  cost_usd: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_output_tokens: number;
  response_cache_hits: number;
  retries: number;
  unpriced_requests: number;
  /**
   * Extension: the sum of what senders said these calls cost (LiteLLM's response_cost), beside
   * Burnrate's own cost_usd; null when no event of the group reported one.
   */
  reported_cost_usd: string | null;
  /**
   * Extension: of cost_usd, what the retries cost (events with attempt >= 2, the ones
   * `retries` counts) and what the failed calls cost (status error). Exact decimal strings,
   * 12 fractional digits; parts of cost_usd, not added to it; unpriced events add nothing.
   */
  retry_cost_usd: string;
  error_cost_usd: string;
}

/** One group: its keys (null = events without that tag) and its measures. */
export type SpendRow = Partial<Record<SpendDimension, string | null>> & SpendMeasures;

export interface SpendResult {
  currency: "USD";
  from: string;
  to: string;
  group_by: SpendDimension[];
  rows: SpendRow[];
  total: SpendMeasures;
  /** Extension: true when more than MAX_SPEND_ROWS groups matched and only the first were sent (total still covers all). */
  truncated: boolean;
}

/** Rows per answer: enough for any table a person reads, small enough for one JSON body. */
export const MAX_SPEND_ROWS = 10_000;

export type SpendSource = "rollups" | "tag-rollups" | "events";

export interface SpendSelection {
  from: Date;
  to: Date;
  groupBy: readonly SpendDimension[];
  filters: SpendFilters;
  /** Exact-match filters on extra tags: {key: value}. */
  tagFilters?: Readonly<Record<string, string>>;
}

export interface AggregateOptions {
  /** Most groups to return (null: all of them). */
  limit: number | null;
  /** "cost": most expensive first (then keys); "keys": by the group keys in order. */
  order: "cost" | "keys";
}


/** The extra tag keys a selection names (group_by and filters). */
export function tagKeysOf(selection: Pick<SpendSelection, "groupBy" | "tagFilters">): string[] {
  return [...new Set([...selection.groupBy.filter(isTagDimension).map(tagKeyOf), ...Object.keys(selection.tagFilters ?? {})])];
}

/** Which table answers exactly: see the module comment. */
export function spendSource(selection: Pick<SpendSelection, "from" | "to" | "groupBy" | "tagFilters">): SpendSource {
  const aligned = selection.from.getTime() % HOUR_MS === 0 && selection.to.getTime() % HOUR_MS === 0;
  if (!aligned || selection.groupBy.includes("user")) return "events";
  const tags = tagKeysOf(selection).length;
  return tags === 0 ? "rollups" : tags === 1 ? "tag-rollups" : "events";
}

/** A `team` filter outside the caller's teams is refused, not answered with an empty table. */
export function assertFiltersInScope(filters: SpendFilters, scope: TeamScope): void {
  if (filters.team !== undefined && !inTeamScope(scope, filters.team)) {
    throw new ApiError("forbidden", "You may only read the spend of your own teams.", {
      details: [{ path: "team", message: `team ${filters.team} is outside your teams` }],
    });
  }
}

function keyExpression(key: SpendDimension, source: SpendSource, params: SqlParams): string {
  if (isTagDimension(key)) return source === "events" ? `extra_tags ->> ${params.add(tagKeyOf(key))}` : "tag_value";
  const time = source === "events" ? "occurred_at" : "hour";
  switch (key) {
    case "day":
      return `to_char(${time} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    case "month":
      return `to_char(${time} AT TIME ZONE 'UTC', 'YYYY-MM')`;
    case "service_tier":
      return "service_tier::text";
    case "user":
      // spendSource never picks the rollups for user: they have no such column.
      return "end_user";
    default:
      return key;
  }
}

// Per-row measures of each source, under the names the outer aggregate sums.
const ROLLUP_MEASURE_COLUMNS = [...SPEND_MEASURES, "reported_requests"].join(", ");
const EVENT_MEASURE_COLUMNS = `cost_usd, 1 AS requests, input_tokens, output_tokens, cache_read_input_tokens,
  cache_creation_input_tokens, reasoning_output_tokens,
  CASE WHEN response_cache_hit THEN 1 ELSE 0 END AS response_cache_hits,
  CASE WHEN attempt >= 2 THEN 1 ELSE 0 END AS retries,
  CASE WHEN pricing_state = 'unpriced' THEN 1 ELSE 0 END AS unpriced_requests,
  reported_cost_usd, CASE WHEN reported_cost_usd IS NULL THEN 0 ELSE 1 END AS reported_requests,
  CASE WHEN attempt >= 2 THEN cost_usd END AS retry_cost_usd,
  CASE WHEN status = 'error' THEN cost_usd END AS error_cost_usd`;

// numeric(38, 12) so every amount, zero included, reads with the same 12 decimals.
const MONEY_MEASURES: readonly SpendMeasure[] = ["cost_usd", "retry_cost_usd", "error_cost_usd"];
const AGGREGATES = SPEND_MEASURES.map((measure) => {
  if (MONEY_MEASURES.includes(measure)) return `coalesce(sum(${measure}), 0)::numeric(38, 12)::text AS ${measure}`;
  // null, not $0, when nobody reported: "no figure" and "free" are different claims.
  if (measure === "reported_cost_usd") {
    return `CASE WHEN sum(reported_requests) > 0 THEN sum(reported_cost_usd)::numeric(38, 12)::text END AS reported_cost_usd`;
  }
  return `coalesce(sum(${measure}), 0)::text AS ${measure}`;
}).join(",\n  ");

/** The one statement: grouped rows and the grand total together (one snapshot, so they always agree). */
export function spendSql(
  selection: SpendSelection,
  scope: TeamScope,
  options: AggregateOptions,
): { sql: string; params: unknown[] } {
  const source = spendSource(selection);
  const params = new SqlParams();
  let table: string;
  let where: string;
  const tagFilters = selection.tagFilters ?? {};
  if (source === "rollups") {
    // Whole days from the daily rollups, the edges from the hourly ones (rollupWindowSql).
    table = rollupWindowSql(selection.from, selection.to, params);
    where = "true";
  } else if (source === "tag-rollups") {
    // One extra key: its tag rollup rows (and, grouped, the untagged rest as its null group).
    const [key] = tagKeysOf(selection) as [string];
    table = tagWindowSql(selection.from, selection.to, params, { key, value: tagFilters[key] });
    where = "true";
  } else {
    table = "usage_events";
    where = `occurred_at >= ${params.add(iso(selection.from), "timestamptz")} AND occurred_at < ${params.add(iso(selection.to), "timestamptz")}`;
    for (const [key, value] of Object.entries(tagFilters)) where += ` AND extra_tags ->> ${params.add(key)} = ${params.add(value)}`;
  }
  for (const key of SPEND_FILTER_KEYS) {
    const value = selection.filters[key];
    if (value !== undefined) where += ` AND ${key} = ${params.add(value)}`;
  }
  where += params.teamScope(scope);

  // Keys come from the SPEND_GROUP_KEYS whitelist or TAG_KEY_PATTERN (no quote can occur), so
  // quoting them as identifiers is safe.
  const keys = selection.groupBy.map((key) => `"${key}"`);
  const inner = `SELECT ${[
    ...selection.groupBy.map((key) => `${keyExpression(key, source, params)} AS "${key}"`),
    source === "events" ? EVENT_MEASURE_COLUMNS : ROLLUP_MEASURE_COLUMNS,
  ].join(", ")}
  FROM ${table}
  WHERE ${where}`;

  if (keys.length === 0) {
    return { sql: `SELECT true AS is_total,\n  ${AGGREGATES}\nFROM (${inner}) s`, params: params.values };
  }
  // Byte order (COLLATE "C") so the order never depends on the database's locale.
  const byKeys = keys.map((key) => `${key} COLLATE "C" NULLS LAST`);
  const byCost = "coalesce(sum(cost_usd), 0) DESC";
  const order = options.order === "cost" ? [byCost, ...byKeys] : [...byKeys, byCost];
  let limit = "";
  if (options.limit !== null) {
    // The total row, the rows, and one more to tell that there were more.
    limit = `\nLIMIT ${params.add(options.limit + 2)}`;
  }
  const sql = `SELECT ${keys.join(", ")},
  ${AGGREGATES},
  GROUPING(${keys.join(", ")}) <> 0 AS is_total
FROM (${inner}) s
GROUP BY GROUPING SETS ((${keys.join(", ")}), ())
-- A group of folded-away deltas (zero requests) does not exist; the total row always does.
HAVING sum(requests) > 0 OR GROUPING(${keys.join(", ")}) <> 0
ORDER BY is_total DESC, ${order.join(", ")}${limit}`;
  return { sql, params: params.values };
}

type SqlRow = Record<Exclude<SpendMeasure, "reported_cost_usd">, string> & { reported_cost_usd: string | null } & Record<string, string | boolean | null>;

function measuresOf(row: SqlRow): SpendMeasures {
  return {
    cost_usd: row.cost_usd,
    requests: toCount(row.requests),
    input_tokens: toCount(row.input_tokens),
    output_tokens: toCount(row.output_tokens),
    cache_read_input_tokens: toCount(row.cache_read_input_tokens),
    cache_creation_input_tokens: toCount(row.cache_creation_input_tokens),
    reasoning_output_tokens: toCount(row.reasoning_output_tokens),
    response_cache_hits: toCount(row.response_cache_hits),
    retries: toCount(row.retries),
    unpriced_requests: toCount(row.unpriced_requests),
    reported_cost_usd: row.reported_cost_usd,
    retry_cost_usd: row.retry_cost_usd,
    error_cost_usd: row.error_cost_usd,
  };
}

/** Grouped rows and the total of a selection; no scope check of the filters (see assertFiltersInScope). */
export async function aggregateSpend(
  db: Queryable,
  selection: SpendSelection,
  scope: TeamScope,
  options: AggregateOptions = { limit: MAX_SPEND_ROWS, order: "cost" },
): Promise<{ rows: SpendRow[]; total: SpendMeasures; truncated: boolean }> {
  const { sql, params } = spendSql(selection, scope, options);
  const result = await db.query<SqlRow>(sql, params);
  const [totalRow, ...grouped] = result.rows;
  if (!totalRow?.is_total) throw new Error("spend query returned no total row");
  const total = measuresOf(totalRow);
  if (selection.groupBy.length === 0) return { rows: [{ ...total }], total, truncated: false };

  const truncated = options.limit !== null && grouped.length > options.limit;
  const rows = (truncated ? grouped.slice(0, options.limit ?? undefined) : grouped).map((row) => {
    const keys: Partial<Record<SpendDimension, string | null>> = {};
    for (const key of selection.groupBy) keys[key] = (row[key] as string | null) ?? null;
    return { ...keys, ...measuresOf(row) };
  });
  return { rows, total, truncated };
}

/** GET /api/v1/spend for a parsed query, in the caller's team scope. */
export async function querySpend(ctx: Ctx, query: SpendQuery): Promise<SpendResult> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const filters = spendFilters(query);
  assertFiltersInScope(filters, scope);
  const { rows, total, truncated } = await aggregateSpend(
    db,
    { from: query.from, to: query.to, groupBy: query.group_by, filters, tagFilters: query.tag_filters },
    scope,
  );
  return {
    currency: "USD",
    from: iso(query.from),
    to: iso(query.to),
    group_by: [...query.group_by],
    rows,
    total,
    truncated,
  };
}
