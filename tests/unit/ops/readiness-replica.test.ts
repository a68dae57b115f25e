import { describe, expect, it } from "vitest";
import { checkReadiness, readinessStatusCode, type ReadinessProbes } from "@/lib/ops/readiness";

const NOW = new Date("2026-12-01T12:00:00.000Z");
const SHIPPED = ["20260101000000_a"];

function probes(replica?: ReadinessProbes["replica"]): ReadinessProbes {
  return {
    pingDatabase: async () => undefined,
    appliedMigrations: async () => SHIPPED,
    shippedMigrations: () => SHIPPED,
    heartbeat: () => ({ startedAt: new Date(NOW.getTime() - 10_000), intervalMs: 30_000, lastRunStartedAt: null, lastRunFinishedAt: null }),
    replica,
  };
}

describe("the read replica in readiness", () => {
  it("is left out without a replica", async () => {
    expect((await checkReadiness(probes(), { now: NOW })).checks).not.toHaveProperty("replica");
    expect((await checkReadiness(probes(async () => null), { now: NOW })).checks).not.toHaveProperty("replica");
  });

  it("reports the replica's lag and where reads go", async () => {
    const report = await checkReadiness(probes(async () => ({ ok: true, reads_from: "replica", lag_seconds: 42.5 })), { now: NOW });
    expect(report.status).toBe("ready");
    expect(report.checks.replica).toEqual({ ok: true, reads_from: "replica", lag_seconds: 42.5 });
  });

  it("stays ready (200) when only the replica is down: its reads fall back to the primary", async () => {
    const down = { ok: false, reads_from: "primary", lag_seconds: null, error: "database unreachable (ECONNREFUSED)" } as const;
    const report = await checkReadiness(probes(async () => down), { now: NOW });
    expect(report.status).toBe("ready");
    expect(readinessStatusCode(report)).toBe(200);
    expect(report.checks.replica).toEqual(down);
  });

  it("bounds a replica probe that never answers, and reports it as a fallback", async () => {
    const started = Date.now();
    const report = await checkReadiness(probes(() => new Promise(() => {})), { now: NOW, timeoutMs: 50 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(report.status).toBe("ready");
    expect(report.checks.replica).toEqual({ ok: false, reads_from: "primary", lag_seconds: null, error: "no answer within 100 ms" });
  });
});
