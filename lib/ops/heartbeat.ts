/**
 * The alert scheduler's heartbeat, read by GET /api/ready. Kept on globalThis: the
 * scheduler runs in the custom server's copy of lib/ (scripts/start.ts), the readiness
 * route in the Next bundle's copy, and both must see the same record.
 */

export interface SchedulerHeartbeat {
  /** When the scheduler was started (null: not running in this process, or stopped). */
  startedAt: Date | null;
  /** Its interval, which staleness is measured in. */
  intervalMs: number | null;
  /** The last run's start and end (null until the first one). */
  lastRunStartedAt: Date | null;
  lastRunFinishedAt: Date | null;
}

const STOPPED: SchedulerHeartbeat = { startedAt: null, intervalMs: null, lastRunStartedAt: null, lastRunFinishedAt: null };

const globalForHeartbeat = globalThis as unknown as { burnrateSchedulerHeartbeat?: SchedulerHeartbeat };

function current(): SchedulerHeartbeat {
  return globalForHeartbeat.burnrateSchedulerHeartbeat ?? STOPPED;
}

/** A (re)start begins a fresh record: runs of an earlier scheduler say nothing about this one. */
export function recordSchedulerStart(now: Date, intervalMs: number): void {
  globalForHeartbeat.burnrateSchedulerHeartbeat = { ...STOPPED, startedAt: now, intervalMs };
}

export function recordSchedulerRunStart(now: Date): void {
  globalForHeartbeat.burnrateSchedulerHeartbeat = { ...current(), lastRunStartedAt: now };
}

/** A run that ended, successfully or not: the schedule is alive either way (the database check covers failures). */
export function recordSchedulerRun(now: Date): void {
  globalForHeartbeat.burnrateSchedulerHeartbeat = { ...current(), lastRunFinishedAt: now };
}

/** After stop(): a stopping server is not ready. */
export function recordSchedulerStop(): void {
  globalForHeartbeat.burnrateSchedulerHeartbeat = STOPPED;
}

export function schedulerHeartbeat(): SchedulerHeartbeat {
  return { ...current() };
}
