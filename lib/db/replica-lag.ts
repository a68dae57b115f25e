/**
 * How far a streaming read replica is behind its primary (pure: lib/db/read-routing.ts reads
 * the positions, this file does the arithmetic).
 *
 * `now() - pg_last_xact_replay_timestamp()` alone is not the lag: on an idle primary no
 * transaction commits, so the replica's last replayed commit grows old while it is fully
 * caught up. The replica is therefore compared by WAL position first: when it has replayed
 * everything the primary had written (its replay LSN at or past the primary's current LSN),
 * the lag is 0; only when it is behind is the lag the age of its last replayed commit, and at
 * most the time since the primary was at a position the replica has since replayed (earlier
 * probes' samples). That bound matters when the primary writes WAL without committing
 * (checkpoints, vacuum, hint bits on reads): the replica replays it within milliseconds, but its
 * last commit may be minutes old.
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
export function replicaLagSeconds(
  primaryLsn: string | null,
  replica: ReplicaPosition,
  earlier: { samples: readonly PrimarySample[]; nowMs: number } = { samples: [], nowMs: 0 },
): number | null {
  if (!replica.inRecovery) return 0;
  if (primaryLsn === null || replica.replayLsn === null) return null;
  const replayed = parseLsn(replica.replayLsn);
  if (replayed >= parseLsn(primaryLsn)) return 0;
  const commitAgeMs = replica.replayedAt === null ? null : replica.now.getTime() - replica.replayedAt.getTime();
  // The newest earlier position of the primary the replica has reached: it is at most that old.
  let boundMs: number | null = null;
  for (const sample of earlier.samples) {
    if (parseLsn(sample.lsn) <= replayed && (boundMs === null || earlier.nowMs - sample.atMs < boundMs)) boundMs = earlier.nowMs - sample.atMs;
  }
  const lagMs = commitAgeMs === null ? boundMs : boundMs === null ? commitAgeMs : Math.min(commitAgeMs, boundMs);
  return lagMs === null ? null : Math.max(0, Math.round(lagMs)) / 1000;
}

/** The primary's WAL position as an earlier probe read it, and when (Date.now()). */
export interface PrimarySample {
  lsn: string;
  atMs: number;
}

/** How many earlier positions the probes keep (they run every few seconds while anyone looks). */
export const PRIMARY_SAMPLES_KEPT = 32;

/** `samples` with `sample` added, the oldest dropped past PRIMARY_SAMPLES_KEPT. */
export function withSample(samples: readonly PrimarySample[], sample: PrimarySample): PrimarySample[] {
  return [...samples, sample].slice(-PRIMARY_SAMPLES_KEPT);
}
