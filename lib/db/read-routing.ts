import "server-only";
import type pg from "pg";
import { getPool, getReplicaPool, replicaConfigured } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/db/availability";
import { replicaLagSeconds, withSample, type PrimarySample, type ReplicaPosition, type ReplicaStatus } from "@/lib/db/replica-lag";
import { logger } from "@/lib/log";
import { describeProbeFailure, withTimeout } from "@/lib/ops/probe";

/**
 * Where the dashboards' and reports' reads go (the READS entries marked `reads: "replica"`,
 * lib/http/read-endpoints.ts). With DATABASE_READ_URL they read the streaming replica;
 * without it, or while the replica is unreachable, the primary. Everything else — writes,
 * quota checks, budget caps, anything that must see the caller's own writes — never comes
 * here and uses the primary (lib/db.ts getPool, prisma).
 *
 * Falling back: a replica read that fails because a database is unreachable asks the replica
 * (a bounded probe) whether it was the one; if so the replica is marked down, a warning is
 * logged (once per transition), and the read is answered by the primary — a dashboard never
 * gets a 503 because only the replica is down. While it is down, reads go to the primary and
 * the replica is probed again at most every REPLICA_RECHECK_MS (in the background); the first
 * probe it answers brings the reads back (logged once). A query the replica cancels for a
 * conflict with recovery is answered by the primary too, without marking the replica down.
 *
 * The state is per process, on globalThis (the route bundles and the custom server load
 * their own copies of lib/).
 */

export const REPLICA_RECHECK_MS = 5_000;
export const REPLICA_PROBE_TIMEOUT_MS = 2_000;
/** replicaStatus answers a measurement at most this old (readiness, metrics and the banner share it). */
export const REPLICA_STATUS_MAX_AGE_MS = 2_000;

interface RoutingState {
  /** The replica failed its last probe: reads go to the primary. */
  down: boolean;
  /** Date.now() of the last probe's start; 0 before the first. */
  checkedAt: number;
  last: ReplicaStatus | null;
  /** The probe in flight: concurrent callers share it. */
  probing: Promise<ReplicaStatus> | null;
  /** The primary's positions read by earlier probes (replica-lag.ts bounds the lag with them). */
  primarySamples: PrimarySample[];
}

const globalForRouting = globalThis as unknown as { burnrateReadRouting?: RoutingState };

function state(): RoutingState {
  globalForRouting.burnrateReadRouting ??= { down: false, checkedAt: 0, last: null, probing: null, primarySamples: [] };
  return globalForRouting.burnrateReadRouting;
}

/** The pool a replica-safe read uses now: the replica's, or the primary's without one or while it is down. */
export function readPool(): pg.Pool {
  if (!replicaConfigured()) return getPool();
  const replica = getReplicaPool();
  if (!replica) return getPool();
  const routing = state();
  if (!routing.down) return replica;
  if (Date.now() - routing.checkedAt >= REPLICA_RECHECK_MS) void probeReplica();
  return getPool();
}

/** "canceling statement due to conflict with recovery": the replica dropped the query to replay WAL. */
function isRecoveryConflict(error: unknown): boolean {
  const candidate = error as { code?: unknown; message?: unknown } | null;
  return candidate?.code === "40001" && typeof candidate.message === "string" && /conflict with recovery/i.test(candidate.message);
}

/**
 * Runs a replica-safe read on readPool(); when the replica turns out to be unreachable (or
 * cancels the query for recovery), runs it again on the primary. An unreachable primary
 * still fails as usual (503 with Retry-After through withRoute).
 */
export async function withReadPool<T>(read: (db: pg.Pool) => Promise<T>): Promise<T> {
  const primary = getPool();
  const pool = readPool();
  if (pool === primary) return read(primary);
  try {
    return await read(pool);
  } catch (error) {
    if (isRecoveryConflict(error)) return read(primary);
    if (!isDatabaseUnavailable(error)) throw error;
    // The read may also have touched the primary (Prisma): ask the replica whether it was the one.
    const status = await probeReplica();
    if (status.ok) throw error;
    return read(primary);
  }
}

/**
 * The replica's state: null without DATABASE_READ_URL; otherwise a measurement at most
 * `maxAgeMs` old (0: measure now). Never throws; a failed probe marks the replica down.
 */
export async function replicaStatus(options: { maxAgeMs?: number } = {}): Promise<ReplicaStatus | null> {
  if (!replicaConfigured()) return null;
  const routing = state();
  const maxAgeMs = options.maxAgeMs ?? REPLICA_STATUS_MAX_AGE_MS;
  if (routing.last && Date.now() - routing.checkedAt <= maxAgeMs) return routing.last;
  return probeReplica();
}

/**
 * For pages: the last measurement at once, never waiting on a probe (a replica that drops
 * packets would hold every page for the probe's timeout); a stale one starts a probe in the
 * background for the next page. Only the process's first page measures before answering.
 */
export async function replicaStatusNow(): Promise<ReplicaStatus | null> {
  if (!replicaConfigured()) return null;
  const routing = state();
  if (!routing.last) return probeReplica();
  if (Date.now() - routing.checkedAt > REPLICA_STATUS_MAX_AGE_MS) void probeReplica();
  return routing.last;
}

const POSITION_SQL = `SELECT pg_is_in_recovery() AS in_recovery, pg_last_wal_replay_lsn()::text AS replay_lsn,
  pg_last_xact_replay_timestamp() AS replayed_at, clock_timestamp() AS now`;
const PRIMARY_LSN_SQL = "SELECT pg_current_wal_lsn()::text AS lsn";

/** Probes the replica (single-flight): its position and the primary's, both bounded in time. */
function probeReplica(): Promise<ReplicaStatus> {
  const routing = state();
  routing.probing ??= measure().finally(() => {
    routing.probing = null;
  });
  return routing.probing;
}

async function measure(): Promise<ReplicaStatus> {
  const routing = state();
  const startedAt = (routing.checkedAt = Date.now());
  const replica = getReplicaPool();
  const primary = getPool();
  const [position, primaryLsn] = await Promise.allSettled([
    withTimeout(async () => {
      const { rows } = await (replica ?? primary).query<{ in_recovery: boolean; replay_lsn: string | null; replayed_at: Date | null; now: Date }>(POSITION_SQL);
      const row = rows[0];
      if (!row) throw new Error("no row");
      return { inRecovery: row.in_recovery, replayLsn: row.replay_lsn, replayedAt: row.replayed_at, now: row.now } satisfies ReplicaPosition;
    }, REPLICA_PROBE_TIMEOUT_MS),
    withTimeout(async () => (await primary.query<{ lsn: string }>(PRIMARY_LSN_SQL)).rows[0]?.lsn ?? null, REPLICA_PROBE_TIMEOUT_MS),
  ]);
  let status: ReplicaStatus;
  if (position.status === "rejected") {
    status = { ok: false, reads_from: "primary", lag_seconds: null, error: describeProbeFailure(position.reason) };
    if (!routing.down) {
      logger().warn({ replica_error: status.error }, "read replica unreachable: dashboard and report reads go to the primary until it answers again");
    }
    routing.down = true;
  } else {
    // A primary in recovery itself, or unreachable, leaves the lag unknown.
    const lsn = primaryLsn.status === "fulfilled" ? primaryLsn.value : null;
    const nowMs = Date.now();
    status = { ok: true, reads_from: "replica", lag_seconds: replicaLagSeconds(lsn, position.value, { samples: routing.primarySamples, nowMs }) };
    // Stamped with the probe's start: the primary was at `lsn` no earlier, so a bound from it never understates the lag.
    if (lsn !== null) routing.primarySamples = withSample(routing.primarySamples, { lsn, atMs: startedAt });
    if (routing.down) logger().info({ lag_seconds: status.lag_seconds }, "read replica reachable again: dashboard and report reads go back to it");
    routing.down = false;
  }
  routing.last = status;
  return status;
}
