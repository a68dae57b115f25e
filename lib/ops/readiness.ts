import "server-only";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { replicaStatus } from "@/lib/db/read-routing";
import type { ReplicaStatus } from "@/lib/db/replica-lag";
import { schedulerHeartbeat, type SchedulerHeartbeat } from "@/lib/ops/heartbeat";
import { describeProbeFailure, withTimeout } from "@/lib/ops/probe";

export { describeProbeFailure, ProbeTimeout, withTimeout } from "@/lib/ops/probe";

/**
 * GET /api/ready: may this instance take traffic? Three checks (and, informational, the read
 * replica's state), each bounded in time so a load balancer's probe never hangs on a dead
 * database (a pool connect to a black-holed host, or a saturated pool, would otherwise wait
 * without end):
 *
 * - database: `SELECT 1` answers within READINESS_TIMEOUT_MS;
 * - migrations: every migration folder this build ships is recorded as finished (and not
 *   rolled back) in `_prisma_migrations`, as lib/db/migrate.ts's applyMigrations records them;
 * - scheduler: the alert scheduler of this process showed life (started, or a run started
 *   or finished) less than STALE_AFTER_INTERVALS of its interval ago;
 * - replica (only with DATABASE_READ_URL): whether the read replica answers, where the
 *   dashboards' reads go (the replica, or the primary while it is unreachable) and its lag.
 *   Informational: an unreachable replica never makes the instance not ready, since its
 *   reads fall back to the primary (lib/db/read-routing.ts).
 *
 * The probes are injected, so every outcome is unit-testable with exact values; the
 * error texts name a cause class and a code, never a host, user or query.
 */

export const READINESS_TIMEOUT_MS = 2_000;
export const STALE_AFTER_INTERVALS = 3;
export const NOT_READY_RETRY_AFTER_SECONDS = 5;

export interface DatabaseCheck {
  ok: boolean;
  latency_ms: number;
  error?: string;
}

export interface MigrationsCheck {
  ok: boolean;
  /** How many of this build's migrations are applied. */
  applied: number;
  /** This build's migrations not recorded as finished, in order. */
  pending: string[];
  error?: string;
}

export interface SchedulerCheck {
  ok: boolean;
  /** The last sign of a run (its start or its end, whichever is later); null before the first. */
  last_run_at: string | null;
  age_seconds: number | null;
  error?: string;
}

export interface ReadinessReport {
  status: "ready" | "not_ready";
  checks: { database: DatabaseCheck; migrations: MigrationsCheck; scheduler: SchedulerCheck; replica?: ReplicaStatus };
}

export interface ReadinessProbes {
  /** Resolves once the database answered a trivial query. */
  pingDatabase: () => Promise<unknown>;
  /** Names recorded as finished in _prisma_migrations. */
  appliedMigrations: () => Promise<readonly string[]>;
  /** The migration folders this build ships. */
  shippedMigrations: () => readonly string[];
  heartbeat: () => SchedulerHeartbeat;
  /** The read replica's state; null (or absent) when none is configured. */
  replica?: () => Promise<ReplicaStatus | null>;
}

export interface ReadinessOptions {
  now?: Date;
  timeoutMs?: number;
  /** Milliseconds on a monotonic clock, for latency (default performance.now). */
  clock?: () => number;
}

export function migrationsCheck(shipped: readonly string[], applied: readonly string[]): MigrationsCheck {
  const done = new Set(applied);
  const pending = shipped.filter((name) => !done.has(name));
  return { ok: pending.length === 0, applied: shipped.length - pending.length, pending };
}

const latest = (...dates: (Date | null)[]): Date | null =>
  dates.reduce<Date | null>((best, date) => (date && (!best || date.getTime() > best.getTime()) ? date : best), null);

export function schedulerCheck(heartbeat: SchedulerHeartbeat, now: Date): SchedulerCheck {
  const lastRun = latest(heartbeat.lastRunStartedAt, heartbeat.lastRunFinishedAt);
  const last_run_at = lastRun ? lastRun.toISOString() : null;
  const age_seconds = lastRun ? (now.getTime() - lastRun.getTime()) / 1000 : null;
  if (!heartbeat.startedAt || !heartbeat.intervalMs) {
    return { ok: false, last_run_at, age_seconds, error: "the alert scheduler is not running in this process" };
  }
  // Before the first run has shown up, the start itself is the sign of life.
  const reference = lastRun ?? heartbeat.startedAt;
  const staleAfterMs = STALE_AFTER_INTERVALS * heartbeat.intervalMs;
  const silentMs = now.getTime() - reference.getTime();
  if (silentMs < staleAfterMs) return { ok: true, last_run_at, age_seconds };
  return {
    ok: false,
    last_run_at,
    age_seconds,
    error: `no run for ${silentMs / 1000} s (stale after ${staleAfterMs / 1000} s)`,
  };
}

const roundMs = (ms: number) => Math.round(ms * 10) / 10;

export async function checkReadiness(probes: ReadinessProbes, options: ReadinessOptions = {}): Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const clock = options.clock ?? (() => performance.now());

  const database = (async (): Promise<DatabaseCheck> => {
    const started = clock();
    try {
      await withTimeout(probes.pingDatabase, timeoutMs);
      return { ok: true, latency_ms: roundMs(clock() - started) };
    } catch (error) {
      return { ok: false, latency_ms: roundMs(clock() - started), error: describeProbeFailure(error) };
    }
  })();

  const migrations = (async (): Promise<MigrationsCheck> => {
    try {
      const shipped = probes.shippedMigrations();
      return migrationsCheck(shipped, await withTimeout(probes.appliedMigrations, timeoutMs));
    } catch (error) {
      return { ok: false, applied: 0, pending: [], error: describeProbeFailure(error) };
    }
  })();

  const replica = (async (): Promise<ReplicaStatus | null> => {
    if (!probes.replica) return null;
    try {
      // The probe bounds its own queries; this bounds the whole of it.
      return await withTimeout(probes.replica, 2 * timeoutMs);
    } catch (error) {
      return { ok: false, reads_from: "primary", lag_seconds: null, error: describeProbeFailure(error) };
    }
  })();

  const checks: ReadinessReport["checks"] = {
    database: await database,
    migrations: await migrations,
    scheduler: schedulerCheck(probes.heartbeat(), options.now ?? new Date()),
  };
  const replicaCheck = await replica;
  if (replicaCheck) checks.replica = replicaCheck;
  // The replica is not part of the verdict: without it, reads go to the primary.
  const ready = checks.database.ok && checks.migrations.ok && checks.scheduler.ok;
  return { status: ready ? "ready" : "not_ready", checks };
}

export function readinessStatusCode(report: ReadinessReport): 200 | 503 {
  return report.status === "ready" ? 200 : 503;
}

// ------------------------------------------------------------------ the real probes

/**
 * The migration folders in prisma/migrations: every directory, by name, sorted — the list
 * lib/db/migrate.ts's listMigrations hands the schema engine (a unit test holds the two
 * equal). Read here rather than imported: migrate.ts loads the WASM schema engine with
 * dynamic file reads that have no place in a route bundle.
 */
export function shippedMigrationNames(migrationsDir = path.resolve(/* turbopackIgnore: true */ process.cwd(), "prisma/migrations")): string[] {
  if (!existsSync(/* turbopackIgnore: true */ migrationsDir)) return [];
  return readdirSync(/* turbopackIgnore: true */ migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
}

const APPLIED_MIGRATIONS_SQL =
  "SELECT DISTINCT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL";

// The folders ship with the build and do not change while it runs.
let shippedCache: string[] | undefined;

export function databaseProbes(pool: () => pg.Pool = getPool, replica: () => Promise<ReplicaStatus | null> = () => replicaStatus()): ReadinessProbes {
  return {
    pingDatabase: () => pool().query("SELECT 1"),
    appliedMigrations: async () => (await pool().query<{ migration_name: string }>(APPLIED_MIGRATIONS_SQL)).rows.map((row) => row.migration_name),
    shippedMigrations: () => (shippedCache ??= shippedMigrationNames()),
    heartbeat: schedulerHeartbeat,
    replica,
  };
}
