import net from "node:net";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../setup/app-process";

// Nothing listens on this port: every query fails to connect, as when PostgreSQL is down.
const port = await freePort();
process.env.DATABASE_URL = `postgresql://nobody:nothing@127.0.0.1:${port}/none`;
// The loopback on the allow-list for this file (the default allows nobody).
process.env.BURNRATE_METRICS_ALLOW = "127.0.0.1/32,::1/128";

const { ALERT_INTERVAL_MS } = await import("@/lib/alerts/scheduler");
const { recordSchedulerRun, recordSchedulerStart, recordSchedulerStop } = await import("@/lib/ops/heartbeat");
const { checkReadiness, databaseProbes, READINESS_TIMEOUT_MS } = await import("@/lib/ops/readiness");

afterAll(() => recordSchedulerStop());

describe("operations endpoints when PostgreSQL is unreachable", () => {
  it("GET /api/ready answers 503 within 5 s, naming the database (and the migrations it cannot read)", async () => {
    // A live scheduler, so the database is what makes it not ready.
    recordSchedulerStart(new Date(), ALERT_INTERVAL_MS);
    recordSchedulerRun(new Date());
    const { GET } = await import("@/app/api/ready/route");
    const started = Date.now();
    const response = await GET();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    const text = await response.text();
    const body = JSON.parse(text) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.status).toBe("not_ready");
    expect(body.checks.database).toMatchObject({ ok: false, error: "database unreachable (ECONNREFUSED)" });
    expect(body.checks.migrations).toMatchObject({ ok: false, applied: 0, pending: [], error: "database unreachable (ECONNREFUSED)" });
    expect(body.checks.scheduler?.ok).toBe(true);
    // Unauthenticated: where the database lives is not told.
    expect(text).not.toContain(String(port));
    expect(text).not.toContain("nobody");
  });

  it("GET /api/health still answers 200", async () => {
    const { GET } = await import("@/app/api/health/route");
    const response = await GET();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "ok" });
  });

  it("GET /api/metrics still serves the allow-listed scraper", async () => {
    const { GET } = await import("@/app/api/metrics/route");
    const response = await GET(new Request("http://localhost/api/metrics", { headers: { "x-burnrate-client-ip": "127.0.0.1" } }));
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^burnrate_db_pool_connections\{state="waiting"\} 0$/m);
  });
});

describe("readiness against a server that accepts connections and never answers", () => {
  it("gives up after READINESS_TIMEOUT_MS instead of waiting on the connect", async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port: silentPort } = silent.address() as net.AddressInfo;
    const pool = new pg.Pool({ connectionString: `postgresql://nobody:nothing@127.0.0.1:${silentPort}/none`, max: 2 });
    pool.on("error", () => {});
    try {
      const started = Date.now();
      const report = await checkReadiness(databaseProbes(() => pool));
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(READINESS_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(READINESS_TIMEOUT_MS + 1_500);
      expect(report.status).toBe("not_ready");
      expect(report.checks.database).toMatchObject({ ok: false, error: `no answer within ${READINESS_TIMEOUT_MS} ms` });
      expect(report.checks.migrations).toMatchObject({ ok: false, error: `no answer within ${READINESS_TIMEOUT_MS} ms` });
    } finally {
      for (const socket of sockets) socket.destroy();
      await pool.end().catch(() => {});
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
