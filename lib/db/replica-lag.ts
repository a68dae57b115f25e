/**
 * How far a streaming read replica is behind its primary (pure: lib/db/read-routing.ts reads
 * the positions, this file does the arithmetic).
 *
 * `now() - pg_last_xact_replay_timestamp()` alone is not the lag: on an idle primary no
 * transaction commits, so the replica's last replayed commit grows old while it is fully
 * caught up. The replica is therefore compared by WAL position first: when it has replayed
 * everything the primary had written (its replay LSN at or past the primary's current LSN),
 * the lag is 0; only when it is behind is the lag the age of its last replayed commit.
 */

/** The /api/ready and banner view of the replica (absent when DATABASE_READ_URL is not set). */
export interface ReplicaStatus {
  /** The replica answered its last probe. */
  ok: boolean;
  /** Where the dashboards' and reports' reads go now: the replica, or the primary while the replica is unreachable. */
  reads_from: "replica" | "primary";
  /** Seconds of data the replica has not replayed yet: 0 when caught up; null when it cannot be told (either side unreachable). */
  lag_seconds: number | null;
  /** Why the replica is not used: a cause class and a code, never a host. */
  error?: string;
}

/** What the replica reports of itself (pg_is_in_recovery, pg_last_wal_replay_lsn, pg_last_xact_replay_timestamp, its clock). */
export interface ReplicaPosition {
  inRecovery: boolean;
  /** pg_last_wal_replay_lsn() as text ("16/B374D848"); null when it has replayed nothing or is not a standby. */
  replayLsn: string | null;
  /** The commit time of the last transaction it replayed; null before the first. */
  replayedAt: Date | null;
  /** clock_timestamp() on the replica. */
  now: Date;
}

const LSN = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** A pg_lsn's text ("16/B374D848": the high and low 32 bits in hex) as a number of bytes. */
export function parseLsn(text: string): bigint {
  const match = LSN.exec(text);
  if (!match) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/**
 * The replica's lag in seconds (to the millisecond), measured against the primary's
 * `pg_current_wal_lsn()` read at the same time: 0 when it has replayed up to that position;
 * otherwise the age of its last replayed commit. A server that is not in recovery (the read
 * URL names a primary) has no lag. null when it cannot be told: the primary's position is
 * unknown, or the replica has replayed nothing yet.
 */
export function replicaLagSeconds(primaryLsn: string | null, replica: ReplicaPosition): number | null {
  if (!replica.inRecovery) return 0;
  if (primaryLsn === null || replica.replayLsn === null) return null;
  if (parseLsn(replica.replayLsn) >= parseLsn(primaryLsn)) return 0;
  if (replica.replayedAt === null) return null;
  return Math.max(0, Math.round(replica.now.getTime() - replica.replayedAt.getTime())) / 1000;
}
