import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { serverQueries } from "@/app/(dashboard)/_prefetch/server-queries";
import { GET as getReady } from "@/app/api/ready/route";
import { GET as getBudgets } from "@/app/api/v1/budgets/route";
import { GET as getAllocations } from "@/app/api/v1/quota/allocations/route";
import { GET as getSpend } from "@/app/api/v1/spend/route";
import { ALERT_INTERVAL_MS } from "@/lib/alerts/scheduler";
import type { SpendResult } from "@/lib/analytics/spend";
import type { BudgetView } from "@/lib/budgets/budgets";
import { disconnect, getPool, getReplicaPool } from "@/lib/db";
import { applyMigrations } from "@/lib/db/migrate";
import { readPool, replicaStatus } from "@/lib/db/read-routing";
import type { ReplicaStatus } from "@/lib/db/replica-lag";
import { READS } from "@/lib/http/read-endpoints";
import { logger } from "@/lib/log";
import { recordSchedulerRun, recordSchedulerStart, recordSchedulerStop } from "@/lib/ops/heartbeat";
import { scrapeMetrics } from "@/lib/ops/metrics";
import type { AllocationView } from "@/lib/quotas/allocations";
import { invalidateQuotaCache } from "@/lib/quotas/cache";
import { foldRollups } from "@/lib/rollups/fold";
import { debianPostgresAvailable, startDebianPrimary, startDebianReplica, type DebianPostgres } from "@/scripts/cluster/debian-postgres";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createPricedModel, ingest } from "../factories/alerts";
import { postBudget } from "../factories/budgets";
import { check, createAllocation } from "../factories/quotas";
import { createTestUser, principalWithTeams, read, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * Issue 19, read replica: Debian's PostgreSQL as a primary and a streaming replica made with
 * pg_basebackup (scripts/cluster/debian-postgres.ts), the app with DATABASE_URL on the
 * primary and DATABASE_READ_URL on the replica.
 *
 * Which database answered is told by the data itself: WAL replay is paused on the replica
 * (pg_wal_replay_pause), spend is ingested on the primary, and a read that does not see it
 * came from the replica; one that does came from the primary. The model costs $1000 per
 * million input tokens, so every figure is exact.
 */

let dir: string;
let primary: DebianPostgres;
let replica: DebianPostgres;
let readKey: string;
let ingestKey: string;
let model: string;
let admin: TestUser;
let finance: TestUser;
let paused = false;
const quotaTeam = uniqueSlug("replica-quota");
const capTeam = uniqueSlug("replica-cap");

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const WINDOW = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };

/** GET /api/v1/spend for one team over the last hour, as the read key: the total cost. */
async function dashboardSpend(team: string): Promise<string> {
  const query = new URLSearchParams({ ...WINDOW, team }).toString();
  const { status, body } = await read<SpendResult>(await getSpend(apiRequest(`/api/v1/spend?${query}`, { key: readKey, method: "GET" })));
  expect(status).toBe(200);
  return body.total.cost_usd;
}

/** The same total straight from the primary (no routing). */
async function primarySpend(team: string): Promise<string> {
  const result = await READS.spend.answer({ principal: principalWithTeams("all"), db: getPool() }, READS.spend.input({ ...WINDOW, team }, {}));
  return (result as SpendResult).total.cost_usd;
}

/**
 * Ingest appends rollup additions as pending rows that the scheduler folds in (lib/rollups/fold.ts);
 * folded here at once, so the quota check's and the budgets' figures do not wait for it.
 */
async function foldOnPrimary(): Promise<void> {
  await foldRollups(getPool());
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function pauseReplay(): Promise<void> {
  await withAdmin(replica.adminUrl, async (client) => {
    await client.query("SELECT pg_wal_replay_pause()");
    for (let i = 0; i < 100; i++) {
      const { rows } = await client.query<{ state: string }>("SELECT pg_get_wal_replay_pause_state() AS state");
      if (rows[0]?.state === "paused") return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("replay did not pause");
  });
  paused = true;
}

async function resumeReplay(): Promise<void> {
  await withAdmin(replica.adminUrl, (client) => client.query("SELECT pg_wal_replay_resume()"));
  paused = false;
}

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function readyReplica(): Promise<{ status: number; replica: ReplicaStatus | undefined; text: string }> {
  const response = await getReady();
  const text = await response.text();
  return { status: response.status, replica: (JSON.parse(text) as { checks: { replica?: ReplicaStatus } }).checks.replica, text };
}

function metricValue(body: string, series: string): number {
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no ${series} in the exposition`);
  return Number(line.slice(series.length + 1));
}

const replicaMessages = (spy: { mock: { calls: unknown[][] } }, text: string) => spy.mock.calls.filter((call) => call.some((arg) => typeof arg === "string" && arg.includes(text)));

beforeAll(async () => {
  const available = debianPostgresAvailable();
  if (!available.ok) throw new Error(`this test needs Debian's PostgreSQL: ${available.reason}`);
  dir = mkdtempSync(path.join(tmpdir(), "burnrate-replica-"));
  chmodSync(dir, 0o755);
  primary = await startDebianPrimary({ dir: path.join(dir, "primary") });
  await applyMigrations(primary.url);
  replica = await startDebianReplica(primary, { dir: path.join(dir, "replica") });
  // This file's app: the primary and its replica instead of the shared test server.
  await disconnect();
  process.env.DATABASE_URL = primary.url;
  process.env.DATABASE_READ_URL = replica.url;

  readKey = await createTestKey(["read"]);
  ingestKey = await createTestKey(["ingest"]);
  model = await createPricedModel();
  admin = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  // $1 each, replayed by the replica before the tests start.
  await ingest(ingestKey, model, [
    { at: minutesAgo(2), usd: "1", tags: { team: quotaTeam } },
    { at: minutesAgo(2), usd: "1", tags: { team: capTeam } },
  ]);
  await createAllocation({ cookie: admin.cookie }, { team: quotaTeam, unit: "usd", amount: "2.5" });
  const budget = await postBudget({ cookie: finance.cookie }, { name: "Replica cap", scope: { team: capTeam }, amount_usd: "2.5", enforce: { at_percent: 100, action: "deny" } });
  expect(budget.status).toBe(201);
  // A live scheduler, so readiness is about the databases.
  recordSchedulerStart(new Date(), ALERT_INTERVAL_MS);
  recordSchedulerRun(new Date());
}, 300_000);

afterAll(async () => {
  recordSchedulerStop();
  if (paused) await resumeReplay().catch(() => {});
  await disconnect();
  await replica?.stop("immediate").catch(() => {});
  await primary?.stop("fast").catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe("dashboard reads on the read replica", () => {
  it("answers a dashboard read from the replica, and quota checks and budget caps from the primary", async () => {
    expect(getReplicaPool()).not.toBeNull();
    expect(readPool()).toBe(getReplicaPool());
    // The pools are the two servers: the replica's is in recovery, the primary's not.
    expect((await getReplicaPool()!.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]?.r).toBe(true);
    expect((await getPool().query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r")).rows[0]?.r).toBe(false);
    // The replica has replayed the first dollar of each team.
    await eventually("the replica's spend", () => dashboardSpend(quotaTeam), (cost) => cost === "1.000000000000");
    await eventually("the replica's spend", () => dashboardSpend(capTeam), (cost) => cost === "1.000000000000");

    await pauseReplay();
    await ingest(ingestKey, model, [
      { at: minutesAgo(1), usd: "2", tags: { team: quotaTeam } },
      { at: minutesAgo(1), usd: "2", tags: { team: capTeam } },
    ]);
    expect(await primarySpend(quotaTeam)).toBe("3.000000000000");

    // The showback API and the page's server prefetch read the replica: not the new $2.
    expect(await dashboardSpend(quotaTeam)).toBe("1.000000000000");
    expect(await dashboardSpend(capTeam)).toBe("1.000000000000");
    const prefetched = (await serverQueries(principalWithTeams("all")).spend({ ...WINDOW, team: quotaTeam }).load()) as SpendResult;
    expect(prefetched.total.cost_usd).toBe("1.000000000000");

    // The quota check and the budget cap decide on the primary's $3.
    await foldOnPrimary();
    invalidateQuotaCache();
    expect((await check({ key: ingestKey }, { team: quotaTeam })).body).toMatchObject({ allowed: false, reason: "limit reached", used: "3.000000000000" });
    expect((await check({ key: ingestKey }, { team: capTeam })).body).toMatchObject({ allowed: false, reason: "budget Replica cap at 120% (cap 100%)" });
    // So do the quota and budget pages (READS entries kept on the primary).
    const allocations = await read<{ allocations: AllocationView[] }>(
      await getAllocations(sessionRequest(`/api/v1/quota/allocations?team=${quotaTeam}`, { cookie: admin.cookie })),
    );
    expect(allocations.body.allocations).toEqual([expect.objectContaining({ team: quotaTeam, used: "3.000000000000" })]);
    const budgets = await read<{ budgets: BudgetView[] }>(await getBudgets(sessionRequest("/api/v1/budgets", { cookie: finance.cookie })));
    expect(budgets.body.budgets.find((b) => b.name === "Replica cap")).toMatchObject({ spent_usd: "3.000000000000", cap: { state: "enforcing" } });

    // The replica is behind (it has not replayed the $2): readiness and metrics say by how much.
    const behind = await replicaStatus({ maxAgeMs: 0 });
    expect(behind).toMatchObject({ ok: true, reads_from: "replica" });
    expect(behind?.lag_seconds).toBeGreaterThan(0);
    const metrics = (await scrapeMetrics()).body;
    expect(metricValue(metrics, "burnrate_replica_lag_seconds")).toBeGreaterThan(0);
    expect(metricValue(metrics, "burnrate_replica_fallback")).toBe(0);

    await resumeReplay();
    await eventually("the replica's spend after replay", () => dashboardSpend(quotaTeam), (cost) => cost === "3.000000000000");
    // Caught up: no lag, although the last replayed commit grows older.
    const caughtUp = await eventually("the lag", () => replicaStatus({ maxAgeMs: 0 }), (status) => status?.lag_seconds === 0);
    expect(caughtUp).toEqual({ ok: true, reads_from: "replica", lag_seconds: 0 });
    const ready = await readyReplica();
    expect(ready.status).toBe(200);
    expect(ready.replica).toMatchObject({ ok: true, reads_from: "replica" });
  });

  it("falls back to the primary with a warning when the replica stops, and goes back once it answers again", async () => {
    const warn = vi.spyOn(logger(), "warn");
    const info = vi.spyOn(logger(), "info");
    try {
      await replica.stop("immediate");
      // Written while the replica is down: only the primary can answer it.
      await ingest(ingestKey, model, [{ at: minutesAgo(1), usd: "0.5", tags: { team: quotaTeam } }]);

      // The same dashboard read: 200 from the primary, not a 503.
      expect(await dashboardSpend(quotaTeam)).toBe("3.500000000000");
      expect(await dashboardSpend(quotaTeam)).toBe("3.500000000000");
      const prefetched = (await serverQueries(principalWithTeams("all")).spend({ ...WINDOW, team: quotaTeam }).load()) as SpendResult;
      expect(prefetched.total.cost_usd).toBe("3.500000000000");
      expect(readPool()).toBe(getPool());

      // Surfaced: logged once for the transition, in readiness (still 200) and metrics, and for the banner.
      expect(replicaMessages(warn, "read replica unreachable")).toHaveLength(1);
      const ready = await readyReplica();
      expect(ready.status).toBe(200);
      expect(ready.replica).toEqual({ ok: false, reads_from: "primary", lag_seconds: null, error: "database unreachable (ECONNREFUSED)" });
      expect(ready.text).not.toContain(String(replica.port));
      const metrics = (await scrapeMetrics()).body;
      expect(metricValue(metrics, "burnrate_replica_fallback")).toBe(1);
      expect(metricValue(metrics, "burnrate_replica_lag_seconds")).toBeNaN();
      expect(replicaMessages(warn, "read replica unreachable")).toHaveLength(1);

      await replica.start();
      // Dashboard reads alone bring it back: while down, each read schedules a probe every few seconds.
      await eventually(
        "reads going back to the replica",
        async () => {
          await dashboardSpend(quotaTeam);
          return readPool() === getReplicaPool();
        },
        (back) => back,
        60_000,
      );
      expect(replicaMessages(info, "read replica reachable again")).toHaveLength(1);
      expect(replicaMessages(warn, "read replica unreachable")).toHaveLength(1);
      expect((await readyReplica()).replica).toMatchObject({ ok: true, reads_from: "replica" });

      // Served by the replica again: with replay paused, a new write on the primary is not in the read.
      await eventually("the replica's spend after restart", () => dashboardSpend(quotaTeam), (cost) => cost === "3.500000000000");
      await pauseReplay();
      await ingest(ingestKey, model, [{ at: minutesAgo(1), usd: "0.25", tags: { team: quotaTeam } }]);
      expect(await primarySpend(quotaTeam)).toBe("3.750000000000");
      expect(await dashboardSpend(quotaTeam)).toBe("3.500000000000");
      await resumeReplay();
      await eventually("the replica's spend after replay", () => dashboardSpend(quotaTeam), (cost) => cost === "3.750000000000");
    } finally {
      warn.mockRestore();
      info.mockRestore();
    }
  });
});
