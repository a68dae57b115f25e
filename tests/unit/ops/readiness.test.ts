import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listMigrations } from "@/lib/db/migrate";
import { ALERT_INTERVAL_MS } from "@/lib/alerts/scheduler";
import {
  recordSchedulerRun,
  recordSchedulerRunStart,
  recordSchedulerStart,
  recordSchedulerStop,
  schedulerHeartbeat,
  type SchedulerHeartbeat,
} from "@/lib/ops/heartbeat";
import {
  checkReadiness,
  migrationsCheck,
  readinessStatusCode,
  schedulerCheck,
  shippedMigrationNames,
  withTimeout,
  type ReadinessProbes,
} from "@/lib/ops/readiness";

const NOW = new Date("2026-12-01T12:00:00.000Z");
const at = (msBefore: number) => new Date(NOW.getTime() - msBefore);
const STALE_MS = 3 * ALERT_INTERVAL_MS;
const SHIPPED = ["20260101000000_a", "20260102000000_b", "20260103000000_c"];

const beat = (fields: Partial<SchedulerHeartbeat>): SchedulerHeartbeat => ({
  startedAt: at(10_000),
  intervalMs: ALERT_INTERVAL_MS,
  lastRunStartedAt: null,
  lastRunFinishedAt: null,
  ...fields,
});

function probes(overrides: Partial<ReadinessProbes> = {}): ReadinessProbes {
  return {
    pingDatabase: async () => undefined,
    appliedMigrations: async () => SHIPPED,
    shippedMigrations: () => SHIPPED,
    heartbeat: () => beat({ lastRunStartedAt: at(5_000), lastRunFinishedAt: at(4_000) }),
    ...overrides,
  };
}

/** 1.5 ms per reading: the database check reads it twice, so its latency is exactly 1.5. */
function steppingClock(): () => number {
  let now = 0;
  return () => (now += 1.5);
}

const connectionRefused = () => Object.assign(new Error("connect ECONNREFUSED 10.20.30.40:5432"), { code: "ECONNREFUSED" });

describe("checkReadiness", () => {
  it("is ready when every check passes, with exact values", async () => {
    const report = await checkReadiness(probes(), { now: NOW, clock: steppingClock() });
    expect(report).toEqual({
      status: "ready",
      checks: {
        database: { ok: true, latency_ms: 1.5 },
        migrations: { ok: true, applied: 3, pending: [] },
        scheduler: { ok: true, last_run_at: "2026-12-01T11:59:56.000Z", age_seconds: 4 },
      },
    });
    expect(readinessStatusCode(report)).toBe(200);
  });

  it("is not ready when the database refuses connections, and says so without the address", async () => {
    const report = await checkReadiness(
      probes({ pingDatabase: async () => Promise.reject(connectionRefused()), appliedMigrations: async () => Promise.reject(connectionRefused()) }),
      { now: NOW, clock: steppingClock() },
    );
    expect(report.status).toBe("not_ready");
    expect(report.checks.database).toEqual({ ok: false, latency_ms: 1.5, error: "database unreachable (ECONNREFUSED)" });
    expect(report.checks.migrations).toEqual({ ok: false, applied: 0, pending: [], error: "database unreachable (ECONNREFUSED)" });
    expect(report.checks.scheduler.ok).toBe(true);
    expect(JSON.stringify(report)).not.toContain("10.20.30.40");
    expect(readinessStatusCode(report)).toBe(503);
  });

  it("gives up on a database that never answers after the timeout", async () => {
    const started = Date.now();
    const report = await checkReadiness(
      probes({ pingDatabase: () => new Promise(() => {}), appliedMigrations: () => new Promise(() => {}) }),
      { now: NOW, timeoutMs: 50, clock: steppingClock() },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.checks.database).toEqual({ ok: false, latency_ms: 1.5, error: "no answer within 50 ms" });
    expect(report.checks.migrations).toEqual({ ok: false, applied: 0, pending: [], error: "no answer within 50 ms" });
    expect(report.status).toBe("not_ready");
  });

  it("names a failed query by its SQLSTATE, and a probe that throws synchronously is a failure too", async () => {
    const missingTable = Object.assign(new Error('relation "_prisma_migrations" does not exist'), { code: "42P01" });
    const report = await checkReadiness(
      probes({
        appliedMigrations: async () => Promise.reject(missingTable),
        pingDatabase: () => {
          throw new Error("DATABASE_URL is not set");
        },
      }),
      { now: NOW, clock: steppingClock() },
    );
    expect(report.checks.migrations).toEqual({ ok: false, applied: 0, pending: [], error: "query failed (42P01)" });
    expect(report.checks.database).toEqual({ ok: false, latency_ms: 1.5, error: "query failed" });
  });

  it("is not ready with a pending migration", async () => {
    const report = await checkReadiness(probes({ appliedMigrations: async () => SHIPPED.slice(0, 2) }), { now: NOW, clock: steppingClock() });
    expect(report.status).toBe("not_ready");
    expect(report.checks.migrations).toEqual({ ok: false, applied: 2, pending: ["20260103000000_c"] });
    expect(report.checks.database.ok).toBe(true);
  });

  it("is not ready when only the scheduler is stale", async () => {
    const report = await checkReadiness(probes({ heartbeat: () => beat({ startedAt: at(STALE_MS * 2), lastRunFinishedAt: at(STALE_MS) }) }), {
      now: NOW,
      clock: steppingClock(),
    });
    expect(report.status).toBe("not_ready");
    expect(report.checks.database.ok && report.checks.migrations.ok).toBe(true);
    expect(report.checks.scheduler).toEqual({
      ok: false,
      last_run_at: at(STALE_MS).toISOString(),
      age_seconds: 180,
      error: "no run for 180 s (stale after 180 s)",
    });
  });
});

describe("migrationsCheck", () => {
  it("counts this build's migrations that are applied, ignoring others the database knows", () => {
    expect(migrationsCheck(SHIPPED, [...SHIPPED, "20270101000000_newer"])).toEqual({ ok: true, applied: 3, pending: [] });
    expect(migrationsCheck(SHIPPED, [])).toEqual({ ok: false, applied: 0, pending: SHIPPED });
    expect(migrationsCheck(SHIPPED, ["20260102000000_b"])).toEqual({ ok: false, applied: 1, pending: ["20260101000000_a", "20260103000000_c"] });
    expect(migrationsCheck([], [])).toEqual({ ok: true, applied: 0, pending: [] });
  });
});

describe("schedulerCheck at the 3-interval edge", () => {
  it("is ok 1 ms before three intervals since the last finished run, and not at three intervals", () => {
    expect(schedulerCheck(beat({ startedAt: at(STALE_MS * 5), lastRunFinishedAt: at(STALE_MS - 1) }), NOW)).toEqual({
      ok: true,
      last_run_at: at(STALE_MS - 1).toISOString(),
      age_seconds: 179.999,
    });
    expect(schedulerCheck(beat({ startedAt: at(STALE_MS * 5), lastRunFinishedAt: at(STALE_MS) }), NOW).ok).toBe(false);
  });

  it("counts a run that started recently (still running) as alive, and one hanging for three intervals as not", () => {
    const running = beat({ startedAt: at(STALE_MS * 5), lastRunFinishedAt: at(STALE_MS * 4), lastRunStartedAt: at(1_000) });
    expect(schedulerCheck(running, NOW)).toEqual({ ok: true, last_run_at: at(1_000).toISOString(), age_seconds: 1 });
    const hanging = beat({ startedAt: at(STALE_MS * 5), lastRunFinishedAt: at(STALE_MS * 4), lastRunStartedAt: at(STALE_MS) });
    expect(schedulerCheck(hanging, NOW)).toMatchObject({ ok: false, age_seconds: 180 });
  });

  it("before the first run, is ok while the scheduler started less than three intervals ago", () => {
    expect(schedulerCheck(beat({ startedAt: at(STALE_MS - 1) }), NOW)).toEqual({ ok: true, last_run_at: null, age_seconds: null });
    expect(schedulerCheck(beat({ startedAt: at(STALE_MS) }), NOW)).toEqual({
      ok: false,
      last_run_at: null,
      age_seconds: null,
      error: "no run for 180 s (stale after 180 s)",
    });
  });

  it("measures staleness in the scheduler's own interval", () => {
    expect(schedulerCheck(beat({ intervalMs: 1_000, lastRunFinishedAt: at(2_999) }), NOW).ok).toBe(true);
    expect(schedulerCheck(beat({ intervalMs: 1_000, lastRunFinishedAt: at(3_000) }), NOW).ok).toBe(false);
  });

  it("is not ok when no scheduler runs in the process", () => {
    expect(schedulerCheck({ startedAt: null, intervalMs: null, lastRunStartedAt: null, lastRunFinishedAt: null }, NOW)).toEqual({
      ok: false,
      last_run_at: null,
      age_seconds: null,
      error: "the alert scheduler is not running in this process",
    });
  });
});

describe("the heartbeat record", () => {
  afterEach(() => recordSchedulerStop());

  it("records a start, run starts and run ends; a new start forgets the old runs; stop clears it", () => {
    recordSchedulerStart(at(60_000), 30_000);
    recordSchedulerRunStart(at(50_000));
    recordSchedulerRun(at(49_000));
    expect(schedulerHeartbeat()).toEqual({ startedAt: at(60_000), intervalMs: 30_000, lastRunStartedAt: at(50_000), lastRunFinishedAt: at(49_000) });
    expect(schedulerCheck(schedulerHeartbeat(), NOW)).toEqual({ ok: true, last_run_at: at(49_000).toISOString(), age_seconds: 49 });

    recordSchedulerStart(at(1_000), 30_000);
    expect(schedulerHeartbeat()).toEqual({ startedAt: at(1_000), intervalMs: 30_000, lastRunStartedAt: null, lastRunFinishedAt: null });

    recordSchedulerStop();
    expect(schedulerCheck(schedulerHeartbeat(), NOW).ok).toBe(false);
  });

  it("lives on globalThis, where every copy of the module finds it", () => {
    recordSchedulerStart(at(5), 1_000);
    const shared = (globalThis as { burnrateSchedulerHeartbeat?: SchedulerHeartbeat }).burnrateSchedulerHeartbeat;
    expect(shared?.startedAt).toEqual(at(5));
  });
});

describe("withTimeout", () => {
  it("passes the result through and the failure of the work itself", async () => {
    await expect(withTimeout(async () => 42, 1_000)).resolves.toBe(42);
    await expect(withTimeout(async () => Promise.reject(new Error("boom")), 1_000)).rejects.toThrow("boom");
  });
});

describe("shippedMigrationNames", () => {
  it("names the folders lib/db/migrate.ts hands the schema engine, in the same order", () => {
    const names = shippedMigrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(names).toEqual(listMigrations().migrationDirectories.map((directory) => directory.path));
  });

  it("counts directories only, sorted, and nothing for a missing folder", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "burnrate-migrations-"));
    try {
      mkdirSync(path.join(dir, "20260102000000_b"));
      mkdirSync(path.join(dir, "20260101000000_a"));
      writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
      expect(shippedMigrationNames(dir)).toEqual(["20260101000000_a", "20260102000000_b"]);
      expect(shippedMigrationNames(path.join(dir, "missing"))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
