import type pg from "pg";
import { withTransaction } from "@/lib/db/sql";
import { GROUP_DIMENSIONS, ROLLUP_MEASURES, SUMMED_MEASURES } from "@/lib/rollups/columns";
import { foldHourlyPending, PENDING_LOCK_SQL } from "@/lib/rollups/pending";
import { HOUR_MS } from "@/lib/time";

/**
 * usage_rollup_tag_hourly: usage by extra tag (each key of usage_events.extra_tags, with its
 * value) per hour and the rollups' dimensions. Ingestion upserts it with the hourly rollups
 * (lib/ingestion/write-events.ts); this module recomputes it from the events: after a bulk
 * load, for the hours a re-pricing touched, and as the repair path.
 *
 * An event counts once per extra key it carries. Hours are UTC (date_trunc(…, 'UTC')).
 */

export const TAG_ROLLUP_DIMENSIONS = ["hour", "tag_key", "tag_value", ...GROUP_DIMENSIONS] as const;

/** The same measures as the hourly rollups (lib/rollups/rebuild.ts). */
export const TAG_ROLLUP_MEASURES = ROLLUP_MEASURES;

/** The tag rollup rows of the events `where` selects (alias e), in dimension + measure order. */
export function tagAggregateSql(where: string): string {
  return `
    SELECT date_trunc('hour', e.occurred_at, 'UTC') AS hour, t.key AS tag_key, t.value AS tag_value,
           e.team, e.feature, e.environment, e.tenant, e.prompt_version, e.provider, e.model, e.service_tier,
           count(*) AS requests,
           count(*) FILTER (WHERE e.status = 'error') AS errors,
           count(*) FILTER (WHERE e.attempt >= 2) AS retries,
           count(*) FILTER (WHERE e.response_cache_hit) AS response_cache_hits,
           count(*) FILTER (WHERE e.pricing_state = 'unpriced') AS unpriced_requests,
           sum(e.input_tokens)::bigint AS input_tokens,
           sum(e.output_tokens)::bigint AS output_tokens,
           sum(e.cache_read_input_tokens)::bigint AS cache_read_input_tokens,
           sum(e.cache_creation_input_tokens)::bigint AS cache_creation_input_tokens,
           sum(e.reasoning_output_tokens)::bigint AS reasoning_output_tokens,
           coalesce(sum(e.cost_usd), 0)::numeric(24, 12) AS cost_usd,
           coalesce(sum(e.latency_ms), 0)::bigint AS latency_ms_sum,
           coalesce(sum(e.reported_cost_usd), 0)::numeric(24, 12) AS reported_cost_usd,
           count(e.reported_cost_usd) AS reported_requests,
           coalesce(sum(e.cost_usd) FILTER (WHERE e.attempt >= 2), 0)::numeric(24, 12) AS retry_cost_usd,
           coalesce(sum(e.cost_usd) FILTER (WHERE e.status = 'error'), 0)::numeric(24, 12) AS error_cost_usd
    FROM usage_events e CROSS JOIN LATERAL jsonb_each_text(e.extra_tags) AS t(key, value)
    WHERE e.extra_tags IS NOT NULL AND jsonb_typeof(e.extra_tags) = 'object' AND ${where}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11`;
}

const COLUMNS = [...TAG_ROLLUP_DIMENSIONS, ...TAG_ROLLUP_MEASURES].join(", ");

export interface TagRollupScope {
  from?: Date;
  to?: Date;
  /** Only this provider and model (a re-pricing recomputes just what it changed). */
  provider?: string;
  model?: string;
}

/**
 * Recomputes the tag rollups of the whole hours overlapping the window (every hour when
 * omitted), optionally for one provider and model, in the caller's transaction. Callers hold
 * the locks rebuildTagRollups takes and have folded ingest's pending rows, or otherwise know
 * nothing writes tag rollups meanwhile.
 */
export async function rebuildTagRollupsIn(client: pg.ClientBase, scope: TagRollupScope = {}): Promise<{ rows: number }> {
  const params: unknown[] = [];
  const rollupWhere: string[] = [];
  const eventWhere: string[] = [];
  if (scope.from) {
    params.push(new Date(Math.floor(scope.from.getTime() / HOUR_MS) * HOUR_MS).toISOString());
    rollupWhere.push(`hour >= $${params.length}::timestamptz`);
    eventWhere.push(`e.occurred_at >= $${params.length}::timestamptz`);
  }
  if (scope.to) {
    params.push(new Date(Math.ceil(scope.to.getTime() / HOUR_MS) * HOUR_MS).toISOString());
    rollupWhere.push(`hour < $${params.length}::timestamptz`);
    eventWhere.push(`e.occurred_at < $${params.length}::timestamptz`);
  }
  if (scope.provider !== undefined) {
    params.push(scope.provider);
    rollupWhere.push(`provider = $${params.length}`);
    eventWhere.push(`e.provider = $${params.length}`);
  }
  if (scope.model !== undefined) {
    params.push(scope.model);
    rollupWhere.push(`model = $${params.length}`);
    eventWhere.push(`e.model = $${params.length}`);
  }
  const and = (parts: string[]) => (parts.length > 0 ? parts.join(" AND ") : "true");
  await client.query(`DELETE FROM usage_rollup_tag_hourly WHERE ${and(rollupWhere)}`, params);
  const inserted = await client.query(`INSERT INTO usage_rollup_tag_hourly (${COLUMNS}) ${tagAggregateSql(and(eventWhere))}`, params);
  return { rows: inserted.rowCount ?? 0 };
}

/**
 * Deletes and recomputes the tag rollups of a window in one transaction. EXCLUSIVE mode
 * blocks other writers (ingestion's upserts wait) but not readers; a batch that committed
 * before the lock is counted by the recompute, one still open waits and adds its own events
 * afterwards (as rebuildRollups in ./rebuild.ts).
 */
export async function rebuildTagRollups(pool: pg.Pool, scope: TagRollupScope = {}): Promise<{ rows: number }> {
  return withTransaction(pool, async (client) => {
    await client.query(PENDING_LOCK_SQL);
    await client.query("LOCK TABLE usage_rollup_tag_hourly IN EXCLUSIVE MODE");
    // As rebuildRollups: committed batches' pending rows are folded, then recounted.
    await foldHourlyPending(client);
    await client.query("SET LOCAL work_mem = '256MB'");
    return rebuildTagRollupsIn(client, scope);
  });
}

/**
 * Tag rollup rows that differ from a recount of the events (in either direction): empty when
 * the tag rollups are exact. For tests and the drill; a full scan of the events.
 */
export async function compareTagRollupsWithEvents(db: pg.Pool | pg.ClientBase): Promise<{ side: "stored" | "recount"; row: Record<string, unknown> }[]> {
  const columns = [...TAG_ROLLUP_DIMENSIONS, ...TAG_ROLLUP_MEASURES].join(", ");
  const recount = `SELECT ${columns} FROM (${tagAggregateSql("true")}) AS a`;
  const key = TAG_ROLLUP_DIMENSIONS.join(", ");
  const stored = `SELECT ${key}, ${SUMMED_MEASURES} FROM usage_rollup_tag_hourly_all GROUP BY ${key}`;
  const result = await db.query<{ side: "stored" | "recount" } & Record<string, unknown>>(
    `(SELECT 'stored' AS side, * FROM (${stored} EXCEPT ${recount}) AS s)
     UNION ALL
     (SELECT 'recount' AS side, * FROM (${recount} EXCEPT ${stored}) AS c)`,
  );
  return result.rows.map(({ side, ...row }) => ({ side, row }));
}
