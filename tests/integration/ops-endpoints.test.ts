import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GET as getHealth } from "@/app/api/health/route";
import { GET as getMetrics } from "@/app/api/metrics/route";
import { GET as getReady } from "@/app/api/ready/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { ALERT_INTERVAL_MS } from "@/lib/alerts/scheduler";
import { getPool, prisma } from "@/lib/db";
import { recordSchedulerRun, recordSchedulerStart, recordSchedulerStop } from "@/lib/ops/heartbeat";
import { shippedMigrationNames, type ReadinessReport } from "@/lib/ops/readiness";
import { invalidateQuotaCache } from "@/lib/quotas/cache";
import { checkQuotaFromCache } from "@/lib/quotas/check";
import { CLIENT_IP_HEADER } from "@/lib/server/request-context";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { check, quotaPrincipal } from "../factories/quotas";
import { createTestTeam, createTestUser, read, sessionRequest, type TestTeam } from "../factories/users";

// The loopback on the allow-list for this file (the default allows nobody).
process.env.BURNRATE_METRICS_ALLOW = "127.0.0.1/32,::1/128";

/**
 * GET /api/health, /api/ready and /api/metrics called in-process, on this file's own
 * database. No X-Burnrate-Client-Ip header reaches an in-process call unless a test sets
 * it (the custom server stamps it in production), so only credentials admit a scrape then.
 */

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

function metricsRequest(options: { clientIp?: string; key?: string; cookie?: string; headers?: Record<string, string> } = {}): Request {
  const headers: Record<string, string> = { ...options.headers };
  if (options.clientIp !== undefined) headers[CLIENT_IP_HEADER] = options.clientIp;
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  if (options.cookie) headers.cookie = options.cookie;
  return new Request("http://localhost/api/metrics", { headers });
}

/** A series as `name{a="x",b="y"}` with its labels sorted, whatever order prom-client prints them in. */
function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((label) => `${label}="${labels[label]}"`);
  return parts.length ? `${name}{${parts.join(",")}}` : name;
}

/** The exposition text as series → value. */
function parseExposition(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    values.set(seriesKey(match[1] as string, labels as Record<string, string>), Number(match[3]));
  }
  return values;
}

/** A scrape from the loopback (on this file's allow-list): series → value, 0 for an absent series. */
async function scrape(): Promise<(name: string, labels?: Record<string, string>) => number> {
  const response = await getMetrics(metricsRequest({ clientIp: "127.0.0.1" }));
  expect(response.status).toBe(200);
  const values = parseExposition(await response.text());
  return (name, labels) => values.get(seriesKey(name, labels)) ?? 0;
}

let team: TestTeam;
let keys: { admin: string; read: string; ingest: string };

beforeAll(async () => {
  team = await createTestTeam();
  keys = { admin: await createTestKey(["admin"]), read: await createTestKey(["read"]), ingest: await createTestKey(["ingest"]) };
});

afterEach(() => recordSchedulerStop());

describe("GET /api/health", () => {
  it("answers 200 with status, uptime and the package version, never cached", async () => {
    const response = await getHealth();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { status: string; uptime_seconds: number; version: string };
    const { version } = JSON.parse(readFileSync("package.json", "utf8")) as { version: string };
    expect(Object.keys(body).sort()).toEqual(["status", "uptime_seconds", "version"]);
    expect(body.status).toBe("ok");
    expect(body.version).toBe(version);
    expect(Number.isInteger(body.uptime_seconds)).toBe(true);
    expect(body.uptime_seconds).toBeGreaterThanOrEqual(0);
    expect(body.uptime_seconds).toBeLessThanOrEqual(Math.ceil(process.uptime()));
  });
});

describe("GET /api/ready", () => {
  const readyReport = async () => {
    const response = await getReady();
    return { response, body: (await response.json()) as ReadinessReport };
  };

  it("answers 200 with every check ok while the scheduler beats", async () => {
    const now = new Date();
    recordSchedulerStart(new Date(now.getTime() - 90_000), ALERT_INTERVAL_MS);
    recordSchedulerRun(new Date(now.getTime() - 30_000));
    const { response, body } = await readyReport();
    expect(response.status).toBe(200);
    expect(response.headers.get("retry-after")).toBeNull();
    const applied = await getPool().query<{ n: number }>(
      "SELECT count(DISTINCT migration_name)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    expect(body.status).toBe("ready");
    expect(body.checks.database).toEqual({ ok: true, latency_ms: expect.any(Number) });
    expect(body.checks.database.latency_ms).toBeLessThan(2_000);
    expect(body.checks.migrations).toEqual({ ok: true, applied: shippedMigrationNames().length, pending: [] });
    expect(body.checks.migrations.applied).toBe(applied.rows[0]?.n);
    expect(body.checks.scheduler).toEqual({
      ok: true,
      last_run_at: new Date(now.getTime() - 30_000).toISOString(),
      age_seconds: expect.any(Number),
    });
    expect(body.checks.scheduler.age_seconds).toBeGreaterThanOrEqual(30);
    expect(body.checks.scheduler.age_seconds).toBeLessThan(40);
  });

  it("answers 503 with Retry-After when the last run is three intervals old", async () => {
    const now = Date.now();
    recordSchedulerStart(new Date(now - 10 * ALERT_INTERVAL_MS), ALERT_INTERVAL_MS);
    recordSchedulerRun(new Date(now - 3 * ALERT_INTERVAL_MS - 1_000));
    const { response, body } = await readyReport();
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(body.status).toBe("not_ready");
    expect(body.checks.database.ok).toBe(true);
    expect(body.checks.migrations.ok).toBe(true);
    expect(body.checks.scheduler).toMatchObject({ ok: false, last_run_at: new Date(now - 3 * ALERT_INTERVAL_MS - 1_000).toISOString() });
  });

  it("answers 503 when no scheduler runs in the process", async () => {
    const { response, body } = await readyReport();
    expect(response.status).toBe(503);
    expect(body.checks.scheduler).toEqual({
      ok: false,
      last_run_at: null,
      age_seconds: null,
      error: "the alert scheduler is not running in this process",
    });
  });

  it("answers 503 naming a migration that is not recorded as finished", async () => {
    recordSchedulerStart(new Date(), ALERT_INTERVAL_MS);
    const latest = shippedMigrationNames().at(-1) as string;
    await getPool().query("UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = $1", [latest]);
    try {
      const { response, body } = await readyReport();
      expect(response.status).toBe(503);
      expect(body.checks.migrations).toEqual({ ok: false, applied: shippedMigrationNames().length - 1, pending: [latest] });
      expect(body.checks.database.ok && body.checks.scheduler.ok).toBe(true);
    } finally {
      await getPool().query("UPDATE _prisma_migrations SET rolled_back_at = NULL WHERE migration_name = $1", [latest]);
    }
    expect((await readyReport()).response.status).toBe(200);
  });
});

describe("GET /api/metrics access", () => {
  it("answers 401 (the contract's body) without credentials from an address not on the allow-list", async () => {
    for (const request of [metricsRequest(), metricsRequest({ clientIp: "203.0.113.5" }), metricsRequest({ clientIp: "" })]) {
      const { status, body } = await read(await getMetrics(request));
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: { code: "unauthorized", details: [] } });
    }
  });

  it("does not trust X-Forwarded-For or X-Real-Ip, only the address the server stamps", async () => {
    const forged = metricsRequest({ headers: { "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" } });
    expect((await getMetrics(forged)).status).toBe(401);
  });

  it.each(["127.0.0.1", "::1", "::ffff:127.0.0.1"])("answers 200 in Prometheus text to the allow-listed address %s", async (clientIp) => {
    const response = await getMetrics(metricsRequest({ clientIp }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(PROMETHEUS_TEXT);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    expect(text).toContain("# TYPE burnrate_events_ingested_total counter");
    expect(text).toContain("# TYPE burnrate_process_cpu_seconds_total counter");
  });

  it("answers 200 to an admin key and a read key", async () => {
    for (const key of [keys.admin, keys.read]) {
      const response = await getMetrics(metricsRequest({ key }));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe(PROMETHEUS_TEXT);
    }
  });

  it("answers 403 to an ingest key and to a viewer's session", async () => {
    const viewer = await createTestUser({ role: "viewer" });
    for (const request of [metricsRequest({ key: keys.ingest }), sessionRequest("/api/metrics", { cookie: viewer.cookie })]) {
      const { status, body } = await read(await getMetrics(request));
      expect(status).toBe(403);
      expect(body).toMatchObject({ error: { code: "forbidden" } });
    }
  });

  it("answers 401 to an unknown key even from outside the allow-list, and lets the allow-list in without one", async () => {
    expect((await getMetrics(metricsRequest({ key: "br_notARealKey", clientIp: "198.51.100.1" }))).status).toBe(401);
    expect((await getMetrics(metricsRequest({ clientIp: "127.0.0.1" }))).status).toBe(200);
  });
});

describe("GET /api/metrics counts", () => {
  it("counts one batch of POST /api/v1/events exactly: one stored (unpriced), one duplicate, one rejected", async () => {
    const before = await scrape();
    const stored = contractEvent({ model: `unpriced-${randomUUID()}`, tags: { team: team.slug } });
    const { timestamp: _dropped, ...invalid } = contractEvent();
    const response = await postEvents(apiRequest("/api/v1/events", { key: keys.ingest, body: { events: [stored, { ...stored }, invalid] } }));
    expect(response.status).toBe(207);
    expect(await response.json()).toMatchObject({ accepted: 1, duplicates: 1, rejected: 1 });

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => after(name, labels) - before(name, labels);
    expect(delta("burnrate_events_ingested_total", { kind: "usage" })).toBe(1);
    expect(delta("burnrate_events_duplicate_total", { kind: "usage" })).toBe(1);
    expect(delta("burnrate_events_rejected_total", { kind: "usage", reason: "invalid_timestamp" })).toBe(1);
    expect(delta("burnrate_events_unpriced_total", { kind: "usage" })).toBe(1);
    expect(delta("burnrate_ingest_batch_duration_seconds_count", { kind: "usage" })).toBe(1);
    expect(delta("burnrate_ingest_batch_duration_seconds_bucket", { kind: "usage", le: "+Inf" })).toBe(1);
    // Nothing was counted under another kind.
    expect(delta("burnrate_events_ingested_total", { kind: "otlp" })).toBe(0);
    expect(delta("burnrate_events_ingested_total", { kind: "outcome" })).toBe(0);
  });

  it("counts a stored duplicate of an earlier batch as a duplicate, not as ingested", async () => {
    const event = contractEvent({ tags: { team: team.slug } });
    expect((await postEvents(apiRequest("/api/v1/events", { key: keys.ingest, body: { events: [event] } }))).status).toBe(200);
    const before = await scrape();
    expect((await postEvents(apiRequest("/api/v1/events", { key: keys.ingest, body: { events: [event] } }))).status).toBe(200);
    const after = await scrape();
    expect(after("burnrate_events_ingested_total", { kind: "usage" }) - before("burnrate_events_ingested_total", { kind: "usage" })).toBe(0);
    expect(after("burnrate_events_duplicate_total", { kind: "usage" }) - before("burnrate_events_duplicate_total", { kind: "usage" })).toBe(1);
  });

  it("counts quota checks by result, on the route and on the cached fast path", async () => {
    const limited = await createTestTeam();
    await prisma.quotaAllocation.create({ data: { teamId: limited.id, unit: "usd", amount: "10" } });
    invalidateQuotaCache();
    const ingest = { key: keys.ingest };
    const result = (values: (name: string, labels?: Record<string, string>) => number, name: string) =>
      values("burnrate_quota_checks_total", { result: name });

    const before = await scrape();
    expect((await check(ingest, { team: team.slug })).body).toMatchObject({ allowed: true, reason: "no allocation" });
    expect((await check(ingest, { team: limited.slug, estimated_cost_usd: "100" })).body).toMatchObject({ allowed: false });
    expect((await check(ingest, { team: limited.slug, estimated_cost_usd: "1" })).body).toMatchObject({ allowed: true, reason: "within limit" });
    const fast = checkQuotaFromCache({ principal: await quotaPrincipal(ingest) }, { team: limited.slug, estimated_cost_usd: "1" });
    expect(fast).toMatchObject({ allowed: true });
    const after = await scrape();

    expect(result(after, "no_allocation") - result(before, "no_allocation")).toBe(1);
    expect(result(after, "refused") - result(before, "refused")).toBe(1);
    expect(result(after, "allowed") - result(before, "allowed")).toBe(2);
  });

  it("reports this process's pool as gauges read at scrape time", async () => {
    await getPool().query("SELECT 1");
    const values = await scrape();
    const pool = getPool();
    expect(values("burnrate_db_pool_connections", { state: "total" })).toBe(pool.totalCount);
    expect(values("burnrate_db_pool_connections", { state: "idle" })).toBe(pool.idleCount);
    expect(values("burnrate_db_pool_connections", { state: "waiting" })).toBe(pool.waitingCount);
    expect(pool.totalCount).toBeGreaterThanOrEqual(1);
  });
});
