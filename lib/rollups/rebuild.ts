import type pg from "pg";
import { withTransaction } from "@/lib/db/sql";
import { HOUR_MS } from "@/lib/time";
import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES, SUMMED_MEASURES } from "@/lib/rollups/columns";
import { foldHourlyPending, PENDING_LOCK_SQL } from "@/lib/rollups/pending";

/**
 * usage_rollup_hourly recomputed from usage_events. Ingestion keeps the rollups in step
 * incrementally; this is the bulk path (after a seed or an import) and the repair path.
 *
 * Hours are UTC hours: date_trunc('hour', occurred_at, 'UTC'), whatever the session's
 * time zone (a plain date_trunc on timestamptz would follow it, e.g. +05:30).
 */

export interface RollupWindow {
  from?: Date;
  to?: Date;
}

type Db = pg.Pool | pg.ClientBase;


export { ROLLUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/columns";

/** The rollup rows usage_events implies, in ROLLUP_DIMENSIONS + ROLLUP_MEASURES order. */
function aggregateSql(where: string): string {
  return `
    SELECT date_trunc('hour', occurred_at, 'UTC') AS hour,
           team, feature, environment, tenant, prompt_version, provider, model, service_tier,
           count(*) AS requests,
           count(*) FILTER (WHERE status = 'error') AS errors,
           count(*) FILTER (WHERE attempt >= 2) AS retries,
           count(*) FILTER (WHERE response_cache_hit) AS response_cache_hits,
           count(*) FILTER (WHERE pricing_state = 'unpriced') AS unpriced_requests,
           sum(input_tokens)::bigint AS input_tokens,
           sum(output_tokens)::bigint AS output_tokens,
           sum(cache_read_input_tokens)::bigint AS cache_read_input_tokens,
           sum(cache_creation_input_tokens)::bigint AS cache_creation_input_tokens,
           sum(reasoning_output_tokens)::bigint AS reasoning_output_tokens,
           coalesce(sum(cost_usd), 0)::numeric(24, 12) AS cost_usd,
           coalesce(sum(latency_ms), 0)::bigint AS latency_ms_sum,
           coalesce(sum(reported_cost_usd), 0)::numeric(24, 12) AS reported_cost_usd,
           count(reported_cost_usd) AS reported_requests,
           -- The cost of the events retries and errors count (already part of cost_usd).
           coalesce(sum(cost_usd) FILTER (WHERE attempt >= 2), 0)::numeric(24, 12) AS retry_cost_usd,
           coalesce(sum(cost_usd) FILTER (WHERE status = 'error'), 0)::numeric(24, 12) AS error_cost_usd
    FROM usage_events
    ${where}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9`;
}

/** The window widened to whole hours, as ISO strings; null bounds mean unbounded. */
function hourBounds(window: RollupWindow): [string | null, string | null] {
  const from = window.from ? new Date(Math.floor(window.from.getTime() / HOUR_MS) * HOUR_MS) : null;
  const to = window.to ? new Date(Math.ceil(window.to.getTime() / HOUR_MS) * HOUR_MS) : null;
  if ((from && Number.isNaN(from.getTime())) || (to && Number.isNaN(to.getTime()))) {
    throw new RangeError("rollup window bounds must be valid dates");
  }
  return [from?.toISOString() ?? null, to?.toISOString() ?? null];
}

// $1/$2 may be NULL (unbounded); the hour bounds compare the same instants for both tables.
const EVENTS_IN_WINDOW = `WHERE ($1::timestamptz IS NULL OR occurred_at >= $1::timestamptz)
                           AND ($2::timestamptz IS NULL OR occurred_at < $2::timestamptz)`;
const ROLLUPS_IN_WINDOW = `WHERE ($1::timestamptz IS NULL OR hour >= $1::timestamptz)
                            AND ($2::timestamptz IS NULL OR hour < $2::timestamptz)`;

/**
 * Recomputes the rollups of every hour that overlaps the window (all hours when the
 * window is omitted) inside the caller's transaction. Callers must hold the locks taken
 * by rebuildRollups and have folded ingest's pending rows (foldHourlyPending), or otherwise
 * know that nothing writes rollups concurrently.
 */
export async function rebuildRollupsIn(client: pg.ClientBase, window: RollupWindow = {}): Promise<{ rows: number }> {
  const bounds = hourBounds(window);
  // A big window's GROUP BY would otherwise spill to disk at the default 4 MB.
  await client.query("SET LOCAL work_mem = '256MB'");
  await client.query(`DELETE FROM usage_rollup_hourly ${ROLLUPS_IN_WINDOW}`, bounds);
  const inserted = await client.query(
    `INSERT INTO usage_rollup_hourly (${[...ROLLUP_DIMENSIONS, ...ROLLUP_MEASURES].join(", ")})
     ${aggregateSql(EVENTS_IN_WINDOW)}`,
    bounds,
  );
  return { rows: inserted.rowCount ?? 0 };
}

/**
 * Deletes and recomputes usage_rollup_hourly for the whole hours overlapping
 * [from, to) (everything when omitted), in one transaction.
 *
 * EXCLUSIVE mode blocks other rollup writers (ingestion's pending appends, the fold) but
 * not readers. An ingesting transaction that committed before the lock is counted by the
 * recompute; one still open has to wait for the lock before appending its rollup rows, and
 * its events are invisible to the recompute, so its own rows add them afterwards: nothing is
 * counted twice or lost.
 */
export async function rebuildRollups(pool: pg.Pool, window: RollupWindow = {}): Promise<{ rows: number }> {
  return withTransaction(pool, async (client) => {
    // Pending rows first, the rollups second: the fold's order, so the two never deadlock.
    await client.query(PENDING_LOCK_SQL);
    await client.query("LOCK TABLE usage_rollup_hourly IN EXCLUSIVE MODE");
    // Committed batches' pending rows are in the events recounted here: folded, then replaced;
    // batches still open wait on the lock and append theirs afterwards.
    await foldHourlyPending(client);
    return rebuildRollupsIn(client, window);
  });
}

/** Rollup measures added after the first release of the rollups, derived from usage_events alone. */
export const RETRY_ERROR_COST_COLUMNS = ["retry_cost_usd", "error_cost_usd"] as const;

/**
 * Sets retry_cost_usd and error_cost_usd of the hourly rollups to what their events cost
 * (the backfill of the 20261206142929 migration, for rows that arrive without the columns:
 * a restored older backup). Run with the daily-rollup triggers on: each changed row's
 * difference then lands in usage_rollup_daily_pending, so the daily rollups follow exactly.
 * Hours whose events are gone (retention) keep what they have. Returns the rows changed.
 */
export async function recountRetryErrorCosts(db: Db): Promise<number> {
  const result = await db.query(
    `UPDATE usage_rollup_hourly AS r
     SET retry_cost_usd = e.retry_cost_usd, error_cost_usd = e.error_cost_usd
     FROM (
       SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier,
              coalesce(sum(cost_usd) FILTER (WHERE attempt >= 2), 0) AS retry_cost_usd,
              coalesce(sum(cost_usd) FILTER (WHERE status = 'error'), 0) AS error_cost_usd
       FROM usage_events
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
     ) AS e
     WHERE r.hour = e.hour AND r.provider = e.provider AND r.model = e.model AND r.service_tier = e.service_tier
       AND r.team IS NOT DISTINCT FROM e.team AND r.feature IS NOT DISTINCT FROM e.feature
       AND r.environment IS NOT DISTINCT FROM e.environment AND r.tenant IS NOT DISTINCT FROM e.tenant
       AND r.prompt_version IS NOT DISTINCT FROM e.prompt_version
       AND (r.retry_cost_usd, r.error_cost_usd) IS DISTINCT FROM (e.retry_cost_usd, e.error_cost_usd)`,
  );
  return result.rowCount ?? 0;
}

export interface RollupMeasures {
  requests: string;
  errors: string;
  retries: string;
  responseCacheHits: string;
  unpricedRequests: string;
  inputTokens: string;
  outputTokens: string;
  cacheReadInputTokens: string;
  cacheCreationInputTokens: string;
  reasoningOutputTokens: string;
  costUsd: string;
  latencyMsSum: string;
  reportedCostUsd: string;
  reportedRequests: string;
  retryCostUsd: string;
  errorCostUsd: string;
}

export interface RollupMismatch {
  hour: Date;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  promptVersion: string | null;
  provider: string;
  model: string;
  serviceTier: string;
  /** What usage_events implies for this tuple (null: no events). */
  expected: RollupMeasures | null;
  /** What usage_rollup_hourly holds (null: no row). */
  actual: RollupMeasures | null;
}

interface DiffRow {
  side: "expected" | "actual";
  hour: Date;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  prompt_version: string | null;
  provider: string;
  model: string;
  service_tier: string;
  requests: string;
  errors: string;
  retries: string;
  response_cache_hits: string;
  unpriced_requests: string;
  input_tokens: string;
  output_tokens: string;
  cache_read_input_tokens: string;
  cache_creation_input_tokens: string;
  reasoning_output_tokens: string;
  cost_usd: string;
  latency_ms_sum: string;
  reported_cost_usd: string;
  reported_requests: string;
  retry_cost_usd: string;
  error_cost_usd: string;
}

function measures(row: DiffRow): RollupMeasures {
  return {
    requests: row.requests,
    errors: row.errors,
    retries: row.retries,
    responseCacheHits: row.response_cache_hits,
    unpricedRequests: row.unpriced_requests,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadInputTokens: row.cache_read_input_tokens,
    cacheCreationInputTokens: row.cache_creation_input_tokens,
    reasoningOutputTokens: row.reasoning_output_tokens,
    costUsd: row.cost_usd,
    latencyMsSum: row.latency_ms_sum,
    reportedCostUsd: row.reported_cost_usd,
    reportedRequests: row.reported_requests,
    retryCostUsd: row.retry_cost_usd,
    errorCostUsd: row.error_cost_usd,
  };
}

/**
 * Every (hour, dimensions) tuple where the hourly rollups (with ingest's pending rows, as
 * readers see them) disagree with what
 * usage_events implies: missing, extra, or with different measures. Empty when the
 * rollups are consistent. Computed in SQL with EXCEPT ALL, which treats NULL tags as
 * equal, exactly like the table's NULLS NOT DISTINCT key. At most `limit` rows
 * (from both sides together) are examined, to keep a badly broken table from
 * flooding memory.
 */
export async function compareRollupsWithEvents(
  db: Db,
  options: RollupWindow & { limit?: number } = {},
): Promise<RollupMismatch[]> {
  const bounds = hourBounds(options);
  const result = await db.query<DiffRow>(
    `WITH expected AS (${aggregateSql(EVENTS_IN_WINDOW)}),
          actual AS (SELECT ${ROLLUP_DIMENSIONS.join(", ")}, ${SUMMED_MEASURES} FROM usage_rollup_hourly_all ${ROLLUPS_IN_WINDOW}
                     GROUP BY ${ROLLUP_DIMENSIONS.join(", ")})
     SELECT * FROM (
       (SELECT 'expected' AS side, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) missing)
       UNION ALL
       (SELECT 'actual' AS side, * FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) extra)
     ) diff
     ORDER BY hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, side
     LIMIT $3`,
    [...bounds, options.limit ?? 1000],
  );

  const byTuple = new Map<string, RollupMismatch>();
  for (const row of result.rows) {
    const key = JSON.stringify([
      row.hour.toISOString(),
      row.team,
      row.feature,
      row.environment,
      row.tenant,
      row.prompt_version,
      row.provider,
      row.model,
      row.service_tier,
    ]);
    let mismatch = byTuple.get(key);
    if (!mismatch) {
      mismatch = {
        hour: row.hour,
        team: row.team,
        feature: row.feature,
        environment: row.environment,
        tenant: row.tenant,
        promptVersion: row.prompt_version,
        provider: row.provider,
        model: row.model,
        serviceTier: row.service_tier,
        expected: null,
        actual: null,
      };
      byTuple.set(key, mismatch);
    }
    mismatch[row.side] = measures(row);
  }
  return [...byTuple.values()];
}
