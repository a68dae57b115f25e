import type { ReplicaStatus } from "@/lib/db/replica-lag";

/**
 * What the dashboard says about the read replica (components/layout/replica-banner.tsx):
 * nothing while it is caught up to within STALE_AFTER_SECONDS, "data may be N old" past
 * that, and that the primary answers while the replica is unreachable.
 */

export const STALE_AFTER_SECONDS = 30;

export type ReplicaNotice = { kind: "fallback" } | { kind: "stale"; seconds: number };

export function replicaNotice(status: ReplicaStatus | null | undefined): ReplicaNotice | null {
  if (!status) return null;
  if (status.reads_from === "primary") return { kind: "fallback" };
  if (status.lag_seconds !== null && status.lag_seconds > STALE_AFTER_SECONDS) return { kind: "stale", seconds: status.lag_seconds };
  return null;
}

/** "45 s", "12 min", "3 h": whole units, rounded down. */
export function formatReplicaAge(seconds: number): string {
  if (seconds < 120) return `${Math.floor(seconds)} s`;
  if (seconds < 2 * 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

export function replicaNoticeText(notice: ReplicaNotice): string {
  return notice.kind === "fallback"
    ? "The read replica is unreachable: pages are read from the primary database until it is back."
    : `Data may be ${formatReplicaAge(notice.seconds)} old: the read replica is behind the primary database.`;
}
