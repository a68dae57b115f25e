import type pg from "pg";

/**
 * usage_events is partitioned by UTC month (prisma/migrations/…_event_partitions): one
 * partition usage_events_YYYY_MM per month, created by the SQL function
 * burnrate_ensure_event_partitions(from, to) — idempotent, serialised by an advisory lock.
 *
 * - Ahead: the server ensures this month and the next EVENT_PARTITIONS_AHEAD at start and
 *   every few hours (scripts/start.ts), so live ingestion never creates one.
 * - On demand: a batch with events in a month that has no partition yet (a backfill, a
 *   clock far ahead) creates it first, on its own connection before the batch's
 *   transaction, so the DDL's lock is never taken while holding the batch's row locks.
 * - Retention: whole partitions older than N months are detached and dropped; the rollups
 *   stay, and so do the event ids that dedupe (pruned with them).
 */

export const EVENT_PARTITIONS_AHEAD = 2;

type Queryable = Pick<pg.Pool, "query"> | Pick<pg.ClientBase, "query">;

/** "YYYY_MM" of the UTC month holding `at`. */
export function monthKey(at: Date): string {
  return `${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function monthStart(at: Date, addMonths = 0): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + addMonths, 1));
}

/** Creates the partitions for every month [from, to] touches; returns how many were new. */
export async function ensureEventPartitions(db: Queryable, from: Date, to: Date): Promise<number> {
  const result = await db.query<{ created: number }>("SELECT burnrate_ensure_event_partitions($1, $2) AS created", [from, to]);
  for (let month = monthStart(from); month <= to; month = monthStart(month, 1)) knownMonths.add(monthKey(month));
  return result.rows[0]?.created ?? 0;
}

/** This month and the next `ahead` months. */
export function ensureEventPartitionsAhead(db: Queryable, now = new Date(), ahead = EVENT_PARTITIONS_AHEAD): Promise<number> {
  return ensureEventPartitions(db, monthStart(now), monthStart(now, ahead));
}

// Months known to have a partition in this process: most batches need no query at all. On
// globalThis, so the route bundles and the server's maintenance (separate module copies)
// share it; a month the retention dropped elsewhere (another instance) is noticed by the
// insert failing with isMissingPartition, then forgotten and created again.
const globalForPartitions = globalThis as unknown as { burnrateKnownMonths?: Set<string> };
const knownMonths = (globalForPartitions.burnrateKnownMonths ??= new Set<string>());

/** Forget every known month: the next batch asks the database again. */
export function forgetKnownMonths(): void {
  knownMonths.clear();
}

/** PostgreSQL's answer to a row whose month has no partition (dropped since it was known). */
export function isMissingPartition(error: unknown): boolean {
  const candidate = error as { code?: unknown; message?: unknown } | null;
  return candidate?.code === "23514" && typeof candidate.message === "string" && candidate.message.includes("no partition of relation");
}

/**
 * Makes sure every month of `dates` has a partition: no query when every month is known,
 * else one query creating just the missing months (not the range between them: one event
 * from 1999 must not create three hundred partitions).
 */
export async function ensurePartitionsFor(db: Queryable, dates: Iterable<Date>): Promise<void> {
  const missing = new Map<string, Date>();
  for (const at of dates) {
    const key = monthKey(at);
    if (!knownMonths.has(key) && !missing.has(key)) missing.set(key, monthStart(at));
  }
  if (missing.size === 0) return;
  await db.query("SELECT sum(burnrate_ensure_event_partitions(m, m)) FROM unnest($1::timestamptz[]) AS m", [[...missing.values()]]);
  for (const key of missing.keys()) knownMonths.add(key);
}

export interface EventPartition {
  name: string;
  /** First instant of the month (inclusive). */
  from: Date;
  /** First instant of the next month (exclusive). */
  to: Date;
}

/** usage_events' partitions, oldest first, with their bounds read from the catalog. */
export async function listEventPartitions(db: Queryable): Promise<EventPartition[]> {
  const result = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'usage_events'::regclass`,
  );
  return result.rows
    .map((row) => {
      const match = /FROM \('([^']+)'\) TO \('([^']+)'\)/.exec(row.bound);
      if (!match) throw new Error(`unexpected partition bound for ${row.name}: ${row.bound}`);
      return { name: row.name, from: new Date(match[1] as string), to: new Date(match[2] as string) };
    })
    .sort((a, b) => a.from.getTime() - b.from.getTime());
}

export interface EventPartitionDescription extends EventPartition {
  /** The planner's estimate (exact counts of big months would scan them). */
  estimatedRows: number;
  /** With its indexes. */
  bytes: number;
}

/** listEventPartitions with each partition's estimated rows and size on disk. */
export async function describeEventPartitions(db: Queryable): Promise<EventPartitionDescription[]> {
  const partitions = await listEventPartitions(db);
  const sizes = await db.query<{ name: string; rows: string; bytes: string }>(
    `SELECT c.relname AS name, greatest(c.reltuples, 0)::bigint::text AS rows, pg_total_relation_size(c.oid)::text AS bytes
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass`,
  );
  const byName = new Map(sizes.rows.map((row) => [row.name, row]));
  return partitions.map((partition) => ({
    ...partition,
    estimatedRows: Number(byName.get(partition.name)?.rows ?? 0),
    bytes: Number(byName.get(partition.name)?.bytes ?? 0),
  }));
}

/** The first instant kept when `months` months are retained at `now`: the start of the month `months - 1` before this one. */
export function retentionCutoff(now: Date, months: number): Date {
  return monthStart(now, -(months - 1));
}

/** The partitions entirely before the cutoff (a month is dropped only once all of it is past). */
export function partitionsPastRetention(partitions: readonly EventPartition[], now: Date, months: number): EventPartition[] {
  if (months <= 0) return [];
  const cutoff = retentionCutoff(now, months);
  return partitions.filter((partition) => partition.to <= cutoff);
}

export interface RetentionResult {
  cutoff: Date | null;
  dropped: string[];
  idsPruned: number;
}

/**
 * Drops raw event partitions past the retention (`months` = 0: keep everything) and the
 * dedupe ids of those months. Rollups are untouched, so showback of old months still
 * works; traces, re-pricing and the raw-event exports no longer reach them.
 * One instance at a time (advisory lock); another instance running it skips.
 */
export async function applyEventRetention(pool: pg.Pool, months: number, now = new Date()): Promise<RetentionResult> {
  if (months <= 0) return { cutoff: null, dropped: [], idsPruned: 0 };
  const cutoff = retentionCutoff(now, months);
  const client = await pool.connect();
  try {
    // One transaction under a transaction-level lock, like every other job here: safe behind
    // a transaction-pooling proxy, and a failure leaves every partition as it was.
    await client.query("BEGIN");
    const locked = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('burnrate_event_retention')) AS ok");
    if (!locked.rows[0]?.ok) {
      await client.query("ROLLBACK");
      return { cutoff, dropped: [], idsPruned: 0 };
    }
    const expired = partitionsPastRetention(await listEventPartitions(client), now, months);
    const dropped: string[] = [];
    for (const partition of expired) {
      await client.query(`ALTER TABLE usage_events DETACH PARTITION "${partition.name}"`);
      await client.query(`DROP TABLE "${partition.name}"`);
      dropped.push(partition.name);
    }
    const pruned = await client.query("DELETE FROM usage_event_ids WHERE occurred_at < $1", [cutoff]);
    await client.query("COMMIT");
    forgetMonthsBefore(cutoff);
    return { cutoff, dropped, idsPruned: pruned.rowCount ?? 0 };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

function forgetMonthsBefore(cutoff: Date): void {
  const cutoffKey = monthKey(cutoff);
  for (const key of knownMonths) if (key < cutoffKey) knownMonths.delete(key);
}
