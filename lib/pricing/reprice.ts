import type pg from "pg";
import { withTransaction } from "@/lib/db/sql";
import { REPRICE_LOCK_SQL } from "@/lib/pricing/lock";
import { STANDARD_TIER, type PriceLookup } from "@/lib/pricing/match-price";
import { entryCost } from "@/lib/pricing/price-cost";
import { indexPrices, loadPrices, type IndexedPrice } from "@/lib/pricing/price-store";
import { rebuildRollupsIn } from "@/lib/rollups/rebuild";
import { rebuildTagRollupsIn } from "@/lib/rollups/tag-rollups";
import { HOUR_MS } from "@/lib/time";
import { foldHourlyPending, PENDING_LOCK_SQL } from "@/lib/rollups/pending";
import { SHARED_PRICING_LOCK_SQL } from "@/lib/pricing/lock";

/**
 * Re-pricing the events a new price covers (the price itself is added by insertPrice,
 * ./price-store.ts). See lock.ts for the locking protocol.
 */


// ---------------------------------------------------------------- re-pricing

export interface RepriceTarget {
  provider: string;
  model: string;
  serviceTier: string;
  effectiveFrom: Date;
  /** A price being removed (DELETE /api/v1/prices/{id}): priced as if it were gone already. */
  excludePriceId?: string;
}

export interface RepriceOptions {
  /** Events read, priced and written per statement (default 5000). */
  chunkSize?: number;
  /**
   * "single" (default): the whole run is one transaction (all or nothing; rollup rows it
   * touches stay locked until the end, which holds back the fold of those rows; ingest only
   * appends and is not held back).
   * "per-chunk": each chunk commits on its own, events and rollups together, so the
   * rollups are consistent at every commit and locks are short; a run that fails half-way
   * leaves a consistent, partly re-priced state that running it again completes (it is
   * idempotent: every event is recomputed from the catalog, not patched).
   */
  transaction?: "single" | "per-chunk";
  /** Attempts per transaction on deadlock / serialization failure (default 5). */
  maxAttempts?: number;
}

export interface RepriceResult {
  /** Candidate events read and recomputed. */
  examined: number;
  /** Events whose cost or price changed (and were written). */
  updated: number;
  /** Of those, unpriced events that are now priced. */
  newlyPriced: number;
  /** Of those, priced events that no entry covers any more (only if prices were removed). */
  newlyUnpriced: number;
  chunks: number;
  /** Rollup rows that were missing for re-priced events; their hours were rebuilt from the events. */
  repairedRollupHours: number;
}

const RETRYABLE = new Set(["40P01", "40001"]); // deadlock_detected, serialization_failure

interface Context {
  target: RepriceTarget;
  lookup: PriceLookup<IndexedPrice>;
  /** Priced events in [from, to) may change; to = the next entry of the same tier (null: none). */
  to: Date | null;
  /** Only this tier's priced events can change (null: any tier, when the new entry is standard). */
  tier: string | null;
}

interface Cursor {
  at: Date | string;
  id: string;
}

type Phase = "priced" | "unpriced";

interface EventRow {
  id: string;
  occurred_at: Date;
  service_tier: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  cache_creation_1h_input_tokens: number;
  reasoning_output_tokens: number;
  cost_usd: string | null;
  price_id: string | null;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  prompt_version: string | null;
  attempt: number;
  status: string;
}

interface ChunkResult {
  examined: number;
  updated: number;
  newlyPriced: number;
  newlyUnpriced: number;
  repairedRollupHours: number;
  next: Cursor | null;
}

async function loadContext(client: pg.ClientBase, target: RepriceTarget): Promise<Context> {
  const prices = (await loadPrices(client, { provider: target.provider, model: target.model })).filter((price) => price.id !== target.excludePriceId);
  const start = target.effectiveFrom.getTime();
  let to: Date | null = null;
  for (const price of prices) {
    const at = price.effectiveFrom.getTime();
    if (price.serviceTier === target.serviceTier && at > start && (!to || at < to.getTime())) to = price.effectiveFrom;
  }
  return { target, lookup: indexPrices(prices), to, tier: target.serviceTier === STANDARD_TIER ? null : target.serviceTier };
}

const EVENT_COLUMNS = `id, occurred_at, service_tier::text AS service_tier, input_tokens, output_tokens,
  cache_read_input_tokens, cache_creation_input_tokens, cache_creation_1h_input_tokens, reasoning_output_tokens, cost_usd::text AS cost_usd,
  price_id::text AS price_id, team, feature, environment, tenant, prompt_version, attempt, status::text AS status`;

/**
 * The next chunk of candidates, keyset-paginated on (occurred_at, id). The cursor's
 * occurred_at is also a plain lower bound so the (provider, model, occurred_at) indexes
 * start each chunk where the last one ended.
 */
async function selectChunk(client: pg.ClientBase, ctx: Context, phase: Phase, cursor: Cursor, limit: number): Promise<EventRow[]> {
  const { provider, model } = ctx.target;
  if (phase === "unpriced") {
    const result = await client.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM usage_events
       WHERE provider = $1 AND model = $2 AND pricing_state = 'unpriced'
         AND occurred_at >= $3::timestamptz AND (occurred_at, id) > ($3::timestamptz, $4::text)
       ORDER BY occurred_at, id
       LIMIT $5
       FOR UPDATE`,
      [provider, model, cursor.at, cursor.id, limit],
    );
    return result.rows;
  }
  const result = await client.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM usage_events
     WHERE provider = $1 AND model = $2 AND pricing_state = 'priced'
       AND occurred_at >= $3::timestamptz AND (occurred_at, id) > ($3::timestamptz, $4::text)
       AND ($5::timestamptz IS NULL OR occurred_at < $5::timestamptz)
       AND ($6::text IS NULL OR service_tier::text = $6::text)
     ORDER BY occurred_at, id
     LIMIT $7
     FOR UPDATE`,
    [provider, model, cursor.at, cursor.id, ctx.to, ctx.tier, limit],
  );
  return result.rows;
}

/** A 12-decimal cost string as integer picodollars. */
function pico(cost: string | null): bigint {
  return cost === null ? 0n : BigInt(cost.replace(".", ""));
}

function picoToDecimal(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(13, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -12)}.${digits.slice(-12)}`;
}

interface RollupDelta extends RollupDims {
  /** Picodollars. */
  cost: bigint;
  /** Of cost, the part of retries (attempt >= 2) and of errors, in picodollars (as in rebuild.ts). */
  retryCost: bigint;
  errorCost: bigint;
  unpriced: number;
}

/** The dimensions of a rollup row besides provider and model (constant within a run). */
interface RollupDims {
  hour: Date;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  promptVersion: string | null;
  serviceTier: string;
}

function rollupKey(d: RollupDims): string {
  return JSON.stringify([d.hour.getTime(), d.team, d.feature, d.environment, d.tenant, d.promptVersion, d.serviceTier]);
}

interface MatchedRollup {
  hour: Date;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  prompt_version: string | null;
  service_tier: string;
}

/** Recomputes one chunk, writes the changed events and moves their rollups by the difference. */
async function repriceChunk(client: pg.ClientBase, ctx: Context, phase: Phase, cursor: Cursor, limit: number): Promise<ChunkResult> {
  const rows = await selectChunk(client, ctx, phase, cursor, limit);
  const last = rows[rows.length - 1];
  const result: ChunkResult = {
    examined: rows.length,
    updated: 0,
    newlyPriced: 0,
    newlyUnpriced: 0,
    repairedRollupHours: 0,
    next: last && rows.length === limit ? { at: last.occurred_at, id: last.id } : null,
  };

  const ids: string[] = [];
  const costs: (string | null)[] = [];
  const priceIds: (string | null)[] = [];
  const deltas = new Map<string, RollupDelta>();
  for (const row of rows) {
    const entry = ctx.lookup(ctx.target.provider, ctx.target.model, row.service_tier, row.occurred_at);
    const cost = entry
      ? entryCost(
          {
            inputTokens: row.input_tokens,
            outputTokens: row.output_tokens,
            cacheReadInputTokens: row.cache_read_input_tokens,
            cacheCreationInputTokens: row.cache_creation_input_tokens,
            cacheCreation1hInputTokens: row.cache_creation_1h_input_tokens,
            reasoningOutputTokens: row.reasoning_output_tokens,
          },
          entry,
        )
      : null;
    const priceId = entry?.id ?? null;
    if (cost === row.cost_usd && priceId === row.price_id) continue;

    ids.push(row.id);
    costs.push(cost);
    priceIds.push(priceId);
    const unpriced = (cost === null ? 1 : 0) - (row.cost_usd === null ? 1 : 0);
    if (unpriced < 0) result.newlyPriced++;
    if (unpriced > 0) result.newlyUnpriced++;
    const costChange = pico(cost) - pico(row.cost_usd);
    const delta = {
      hour: new Date(Math.floor(row.occurred_at.getTime() / HOUR_MS) * HOUR_MS),
      team: row.team,
      feature: row.feature,
      environment: row.environment,
      tenant: row.tenant,
      promptVersion: row.prompt_version,
      serviceTier: row.service_tier,
      cost: costChange,
      retryCost: row.attempt >= 2 ? costChange : 0n,
      errorCost: row.status === "error" ? costChange : 0n,
      unpriced,
    };
    const key = rollupKey(delta);
    const sum = deltas.get(key);
    if (sum) {
      sum.cost += delta.cost;
      sum.retryCost += delta.retryCost;
      sum.errorCost += delta.errorCost;
      sum.unpriced += delta.unpriced;
    } else {
      deltas.set(key, delta);
    }
  }
  result.updated = ids.length;
  if (ids.length === 0) return result;

  await client.query(
    `UPDATE usage_events AS e
     SET cost_usd = u.cost,
         price_id = u.price_id,
         pricing_state = (CASE WHEN u.cost IS NULL THEN 'unpriced' ELSE 'priced' END)::"PricingState",
         priced_at = CASE WHEN u.cost IS NULL THEN NULL ELSE now() END
     FROM unnest($1::text[], $2::numeric[], $3::uuid[]) AS u(id, cost, price_id)
     WHERE e.id = u.id AND e.id = ANY($1::text[]) -- the ANY lets the planner use the primary key, not hash the table`,
    [ids, costs, priceIds],
  );

  await moveTagRollups(client, ctx, rows, ids, costs);

  const groups = [...deltas.values()].filter((d) => d.cost !== 0n || d.unpriced !== 0 || d.retryCost !== 0n || d.errorCost !== 0n);
  if (groups.length === 0) return result;
  const matched = await client.query<MatchedRollup>(
    `UPDATE usage_rollup_hourly AS r
     SET cost_usd = r.cost_usd + d.cost,
         unpriced_requests = r.unpriced_requests + d.unpriced,
         retry_cost_usd = r.retry_cost_usd + d.retry_cost,
         error_cost_usd = r.error_cost_usd + d.error_cost
     FROM unnest($3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::numeric[], $11::bigint[],
                 $12::numeric[], $13::numeric[])
          AS d(hour, team, feature, environment, tenant, prompt_version, service_tier, cost, unpriced, retry_cost, error_cost)
     WHERE r.provider = $1 AND r.model = $2 AND r.hour = d.hour AND r.service_tier::text = d.service_tier
       AND r.team IS NOT DISTINCT FROM d.team AND r.feature IS NOT DISTINCT FROM d.feature
       AND r.environment IS NOT DISTINCT FROM d.environment AND r.tenant IS NOT DISTINCT FROM d.tenant
       AND r.prompt_version IS NOT DISTINCT FROM d.prompt_version
     RETURNING d.hour, d.team, d.feature, d.environment, d.tenant, d.prompt_version, d.service_tier`,
    [
      ctx.target.provider,
      ctx.target.model,
      groups.map((d) => d.hour),
      groups.map((d) => d.team),
      groups.map((d) => d.feature),
      groups.map((d) => d.environment),
      groups.map((d) => d.tenant),
      groups.map((d) => d.promptVersion),
      groups.map((d) => d.serviceTier),
      groups.map((d) => picoToDecimal(d.cost)),
      groups.map((d) => d.unpriced),
      groups.map((d) => picoToDecimal(d.retryCost)),
      groups.map((d) => picoToDecimal(d.errorCost)),
    ],
  );

  if (matched.rows.length < groups.length) {
    // The rollups were already out of step with the events (a row is missing): rebuild
    // those hours from the events, which now carry the new costs. Rare, so the table lock
    // rebuildRollupsIn requires is acceptable here.
    const found = new Set(matched.rows.map((r) => rollupKey({ ...r, promptVersion: r.prompt_version, serviceTier: r.service_tier })));
    const hours = new Set(groups.filter((d) => !found.has(rollupKey(d))).map((d) => d.hour.getTime()));
    // A row missing from usage_rollup_hourly may still be pending (a batch folded in a moment
    // later): fold first, under the lock the rebuild needs (lib/rollups/pending.ts).
    await client.query(PENDING_LOCK_SQL);
    await foldHourlyPending(client);
    await client.query("LOCK TABLE usage_rollup_hourly IN EXCLUSIVE MODE");
    for (const hour of hours) await rebuildRollupsIn(client, { from: new Date(hour), to: new Date(hour + HOUR_MS) });
    result.repairedRollupHours = hours.size;
  }
  return result;
}

/**
 * The tag rollups follow the changed events by the same difference, one row per extra tag key
 * of each event (summed in SQL from the events' stored extra_tags). A missing row means they
 * were out of step already: those hours are recomputed from the events (rare; table lock).
 */
async function moveTagRollups(
  client: pg.ClientBase,
  ctx: Context,
  rows: readonly { id: string; occurred_at: Date; cost_usd: string | null }[],
  ids: readonly string[],
  costs: readonly (string | null)[],
): Promise<void> {
  const before = new Map(rows.map((row) => [row.id, row]));
  const occurredAt = ids.map((id) => (before.get(id) as { occurred_at: Date }).occurred_at);
  const oldCosts = ids.map((id) => before.get(id)?.cost_usd ?? null);
  const moved = await client.query<{ wanted: string; matched: string; hours: Date[] }>(
    `WITH u AS (
       SELECT * FROM unnest($3::text[], $4::timestamptz[], $5::numeric[], $6::numeric[]) AS u(id, occurred_at, new_cost, old_cost)
     ),
     d AS (
       SELECT t.key AS tag_key, date_trunc('hour', e.occurred_at, 'UTC') AS hour, t.value AS tag_value, e.team, e.feature,
              e.environment, e.tenant, e.prompt_version, e.service_tier,
              sum(coalesce(u.new_cost, 0) - coalesce(u.old_cost, 0)) AS cost,
              sum((u.new_cost IS NULL)::int - (u.old_cost IS NULL)::int) AS unpriced,
              coalesce(sum(coalesce(u.new_cost, 0) - coalesce(u.old_cost, 0)) FILTER (WHERE e.attempt >= 2), 0) AS retry_cost,
              coalesce(sum(coalesce(u.new_cost, 0) - coalesce(u.old_cost, 0)) FILTER (WHERE e.status = 'error'), 0) AS error_cost
       FROM u
       JOIN usage_events e ON e.id = u.id AND e.occurred_at = u.occurred_at AND e.provider = $1 AND e.model = $2
       CROSS JOIN LATERAL jsonb_each_text(e.extra_tags) AS t(key, value)
       WHERE e.extra_tags IS NOT NULL
       GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
     ),
     updated AS (
       UPDATE usage_rollup_tag_hourly AS r
       SET cost_usd = r.cost_usd + d.cost,
           unpriced_requests = r.unpriced_requests + d.unpriced,
           retry_cost_usd = r.retry_cost_usd + d.retry_cost,
           error_cost_usd = r.error_cost_usd + d.error_cost
       FROM d
       WHERE r.tag_key = d.tag_key AND r.hour = d.hour AND r.tag_value = d.tag_value AND r.provider = $1 AND r.model = $2
         AND r.service_tier = d.service_tier
         AND r.team IS NOT DISTINCT FROM d.team AND r.feature IS NOT DISTINCT FROM d.feature
         AND r.environment IS NOT DISTINCT FROM d.environment AND r.tenant IS NOT DISTINCT FROM d.tenant
         AND r.prompt_version IS NOT DISTINCT FROM d.prompt_version
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM d)::text AS wanted, (SELECT count(*) FROM updated)::text AS matched,
            coalesce((SELECT array_agg(DISTINCT hour) FROM d), '{}') AS hours`,
    [ctx.target.provider, ctx.target.model, ids, occurredAt, costs, oldCosts],
  );
  const row = moved.rows[0];
  if (!row || row.wanted === row.matched) return;
  await client.query(PENDING_LOCK_SQL);
  await foldHourlyPending(client);
  await client.query("LOCK TABLE usage_rollup_tag_hourly IN EXCLUSIVE MODE");
  for (const hour of row.hours) {
    const from = new Date(hour);
    await rebuildTagRollupsIn(client, { from, to: new Date(from.getTime() + HOUR_MS), provider: ctx.target.provider, model: ctx.target.model });
  }
}

function isRetryable(error: unknown): boolean {
  return typeof error === "object" && error !== null && RETRYABLE.has(String((error as { code?: unknown }).code));
}

/**
 * Runs `work` in a transaction of its own (withTransaction), retried on deadlock or serialization
 * failure. It holds the shared pricing lock, as ingest does: the prices it reads cannot be deleted
 * until it commits (deletePrice checks under the exclusive lock that no event refers to a price;
 * usage_events has no foreign key to prices).
 */
async function transaction<T>(pool: pg.Pool, attempts: number, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, work, { beginWith: SHARED_PRICING_LOCK_SQL });
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 40));
    }
  }
}

const START: Record<Phase, (target: RepriceTarget) => Cursor> = {
  priced: (target) => ({ at: target.effectiveFrom, id: "" }),
  unpriced: () => ({ at: "-infinity", id: "" }),
};

function add(total: RepriceResult, chunk: ChunkResult): void {
  total.examined += chunk.examined;
  total.updated += chunk.updated;
  total.newlyPriced += chunk.newlyPriced;
  total.newlyUnpriced += chunk.newlyUnpriced;
  total.repairedRollupHours += chunk.repairedRollupHours;
  total.chunks++;
}

function emptyResult(): RepriceResult {
  return { examined: 0, updated: 0, newlyPriced: 0, newlyUnpriced: 0, chunks: 0, repairedRollupHours: 0 };
}

/**
 * Re-prices the events a newly added price entry may cover, with the full catalog of that
 * provider/model (not just the new entry), and keeps usage_rollup_hourly in step:
 *
 * - priced events of that provider/model at or after the entry's effective_from and before
 *   the next entry of the same tier (only events of the entry's tier, unless it is the
 *   standard entry, which other tiers fall back to);
 * - every unpriced event of that provider/model, any tier (they are few, and indexed).
 *
 * Each candidate's cost is recomputed with buildPriceIndex over the provider/model's
 * prices and priceCost (identical to ingestion); only events whose cost or price_id
 * changes are written (cost_usd, pricing_state, price_id, priced_at), and for each rollup
 * row the difference is applied (cost_usd sums priced events only, retry_cost_usd and
 * error_cost_usd the part of it from retries and errors; unpriced_requests counts unpriced ones). Run it after the price's insert has committed (lock.ts).
 */
export async function repriceForNewPrice(
  pool: pg.Pool,
  target: RepriceTarget,
  options: RepriceOptions = {},
): Promise<RepriceResult> {
  const chunkSize = options.chunkSize ?? 5000;
  const attempts = options.maxAttempts ?? 5;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError("chunkSize must be a positive integer");
  if (Number.isNaN(target.effectiveFrom.getTime())) throw new RangeError("effectiveFrom must be a valid date");
  const phases: Phase[] = ["priced", "unpriced"];
  if ((options.transaction ?? "single") === "single") {
    return transaction(pool, attempts, async (client) => {
      await client.query(REPRICE_LOCK_SQL, [target.provider, target.model]);
      const ctx = await loadContext(client, target);
      const total = emptyResult();
      for (const phase of phases) {
        let cursor: Cursor | null = START[phase](target);
        while (cursor) {
          const chunk: ChunkResult = await repriceChunk(client, ctx, phase, cursor, chunkSize);
          add(total, chunk);
          cursor = chunk.next;
        }
      }
      return total;
    });
  }
  const total = emptyResult();
  for (const phase of phases) {
    let cursor: Cursor | null = START[phase](target);
    while (cursor) {
      const at: Cursor = cursor;
      const chunk = await transaction(pool, attempts, async (client) => {
        await client.query(REPRICE_LOCK_SQL, [target.provider, target.model]);
        // Re-read each time: a price added meanwhile is used from the next chunk on (its
        // own re-pricing run, serialized behind this chunk, redoes anything before).
        return repriceChunk(client, await loadContext(client, target), phase, at, chunkSize);
      });
      add(total, chunk);
      cursor = chunk.next;
    }
  }
  return total;
}
