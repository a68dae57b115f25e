import type pg from "pg";
import { startOfUtcMonth } from "@/lib/time";
import { withTransactionIfUnlocked, type Queryable } from "./sql";

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

/** "YYYY_MM" of the UTC month holding `at`. */
export function monthKey(at: Date): string {
  return `${at.getUTCFullYear()}_${String(at.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** The first instant of the UTC month of `at`, or of the month `addMonths` away (lib/time.ts). */
export const monthStart: (at: Date, addMonths?: number) => Date = startOfUtcMonth;

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
  // A check violation on the table itself, with no constraint named (a CHECK names its own);
  // not the message, which a localised server translates.
  const candidate = error as { code?: unknown; table?: unknown; constraint?: unknown } | null;
  return candidate?.code === "23514" && candidate.table === "usage_events" && !candidate.constraint;
}

/** The months of `dates` this process has not seen a partition for yet ("YYYY_MM"), in first-seen order. */
export function unknownMonths(dates: Iterable<Date>): string[] {
  const unknown = new Set<string>();
  for (const at of monthRunStarts(dates)) {
    const key = monthKey(at);
    if (!knownMonths.has(key)) unknown.add(key);
  }
  return [...unknown];
}

/**
 * One date of each run of dates in the same UTC month: a batch is nearly always one month, and
 * the month's key is text built per date otherwise.
 */
function monthRunStarts(dates: Iterable<Date>): Date[] {
  const firsts: Date[] = [];
  let from = 0;
  let to = -1;
  for (const at of dates) {
    const time = at.getTime();
    if (time >= from && time < to) continue;
    from = monthStart(at).getTime();
    to = monthStart(at, 1).getTime();
    firsts.push(at);
  }
  return firsts;
}

/**
 * Makes sure every month of `dates` has a partition: no query when every month is known,
 * else one query creating just the missing months (not the range between them: one event
 * from 1999 must not create three hundred partitions).
 */
export async function ensurePartitionsFor(db: Queryable, dates: Iterable<Date>): Promise<void> {
  const missing = new Map<string, Date>();
  for (const at of monthRunStarts(dates)) {
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

const PARTITION_NAME = /^usage_events_(\d{4})_(\d{2})$/;

/**
 * usage_events' monthly partitions, oldest first. Their bounds follow from their names
 * (burnrate_ensure_event_partitions creates each month exactly so): bound expressions
 * read back as text would follow the session's DateStyle. Other partitions (a DEFAULT one
 * an operator attached) are not listed, so the retention never touches them.
 */
export async function listEventPartitions(db: Queryable): Promise<EventPartition[]> {
  const result = await db.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass",
  );
  return result.rows
    .flatMap((row) => {
      const match = PARTITION_NAME.exec(row.name);
      if (!match) return [];
      const from = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
      return [{ name: row.name, from, to: monthStart(from, 1) }];
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
 * Drops raw event partitions past the retention (`months` = 0: keep everything), then the
 * dedupe ids of those months. Rollups are untouched, so showback of old months still
 * works; traces, re-pricing and the raw-event exports no longer reach them.
 *
 * Each partition goes in a short transaction of its own: DETACH takes an exclusive lock on
 * usage_events, so it waits at most RETENTION_LOCK_TIMEOUT for readers and writers to let
 * go (else that month is left for the next run) instead of queueing every ingest behind
 * it. The ids go afterwards in small batches (a month's partition gone but its ids still
 * there only makes a resent old event count as a duplicate, never twice). One instance at
 * a time: a transaction-level advisory lock per step, as every job here.
 */
export const RETENTION_LOCK_TIMEOUT = "2s";
const ID_PRUNE_BATCH = 50_000;
const RETENTION_LOCK = "burnrate_event_retention";

export async function applyEventRetention(pool: pg.Pool, months: number, now = new Date()): Promise<RetentionResult> {
  if (months <= 0) return { cutoff: null, dropped: [], idsPruned: 0 };
  const cutoff = retentionCutoff(now, months);
  const dropped: string[] = [];
  // Ids are pruned only below the first month that could not be dropped: a month still
  // stored keeps its dedupe ids.
  let pruneBefore = cutoff;
  for (const partition of partitionsPastRetention(await listEventPartitions(pool), now, months)) {
    try {
      const step = await withTransactionIfUnlocked(pool, RETENTION_LOCK, async (client) => {
        const name = client.escapeIdentifier(partition.name);
        await client.query(`SET LOCAL lock_timeout = '${RETENTION_LOCK_TIMEOUT}'`);
        await client.query(`ALTER TABLE usage_events DETACH PARTITION ${name}`);
        await client.query(`DROP TABLE ${name}`);
      });
      if (!step.ran) return { cutoff, dropped, idsPruned: 0 };
      dropped.push(partition.name);
    } catch (error) {
      // 55P03 lock_not_available: busy right now; the next run (6 hours) tries again.
      if ((error as { code?: string }).code !== "55P03") throw error;
      if (partition.from < pruneBefore) pruneBefore = partition.from;
    }
  }
  forgetMonthsBefore(pruneBefore);
  let idsPruned = 0;
  for (;;) {
    const step = await withTransactionIfUnlocked(pool, RETENTION_LOCK, async (client) => {
      const result = await client.query(
        `DELETE FROM usage_event_ids WHERE ctid IN (SELECT ctid FROM usage_event_ids WHERE occurred_at < $1 LIMIT ${ID_PRUNE_BATCH})`,
        [pruneBefore],
      );
      return result.rowCount ?? 0;
    });
    const pruned = step.ran ? step.value : 0;
    if (!pruned) break;
    idsPruned += pruned;
    if (pruned < ID_PRUNE_BATCH) break;
  }
  return { cutoff, dropped, idsPruned };
}

function forgetMonthsBefore(cutoff: Date): void {
  const cutoffKey = monthKey(cutoff);
  for (const key of knownMonths) if (key < cutoffKey) knownMonths.delete(key);
}
