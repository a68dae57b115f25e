/**
 * The several-instances drill (`npm run drill:cluster`): the topology of docs/SCALING.md,
 * started here from Debian's packages (scripts/cluster/debian-postgres.ts; `.ci/run` installs
 * them): one PostgreSQL, PgBouncer in transaction pooling mode in front of it, two app
 * processes as `npm start` runs them (DATABASE_URL → PgBouncer, the same secrets), and a
 * round-robin HTTP proxy (scripts/cluster/topology.ts, node:http: streams bodies, answers 502 with
 * Retry-After when an instance cannot be reached, so clients retry). Then, exactly:
 *   - scheduler work runs once: while the drill holds the alert evaluator's advisory lock in a
 *     transaction through PgBouncer, both instances skip evaluation; evaluations started on
 *     both at once fire one budget alert; the webhook receives it once (one delivery row), and
 *     both instances' schedulers have run again since without sending it twice;
 *   - two admins deciding one burst request on different instances at once: one 200, one 409;
 *   - API-key revocation through one instance is honoured by the other within 5 s;
 *   - the per-key rate limit is per instance: a burst through the proxy is admitted at most
 *     2 × (BURNRATE_RATE_LIMIT_BURST + rate × elapsed) and at least 2 × the burst, the rest 429
 *     with Retry-After;
 *   - clients ingest through the proxy, retrying a batch (same ids) on 502, 503, 429 and
 *     connection errors, while one instance is SIGKILLed and started again: every acknowledged
 *     event is stored exactly once, and the rollups equal a recount of the events;
 *   - no session state is left on PgBouncer's server connections (advisory locks held by idle
 *     sessions), which transaction pooling would hand to other clients.
 * Exit code 1 when any of it fails, or when the Debian binaries are missing (no silent skip).
 * `--record` writes the counts to docs/BENCHMARKS.md.
 *
 *   npm run drill:cluster -- [--clients 4] [--batch 200] [--record] [--pgbouncer-unlock]
 *
 * --pgbouncer-unlock: PgBouncer runs `SELECT pg_advisory_unlock_all()` after every transaction
 * (server_reset_query_always = 1): a workaround for clients that take session-level advisory
 * locks through it. Prisma's schema engine does (pg_advisory_lock(72707369) at every
 * applyMigrations, released only when its connection closes, which through PgBouncer it
 * never does); without the workaround the drill reports that lock as left behind.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import { rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { EVALUATE_LOCK } from "@/lib/alerts/evaluate";
import { storeKey } from "@/lib/access/api-keys";
import { disconnect } from "@/lib/db";
import { foldRollups } from "@/lib/rollups/fold";
import { formatCount } from "@/lib/format";
import { HOUR_MS } from "@/lib/time";
import { freePort, startApp, type AppProcess } from "../tests/setup/app-process";
import { describeMachine, writeBenchmarkSection } from "./bench/machine";
import { debianPostgresAvailable, startDebianPrimary, startPgBouncer, type DebianPostgres, type PgBouncer } from "./cluster/debian-postgres";
import { clusterSecrets, instanceEnv, migrateDirectly, newSecret, startInstances, startProxy, type Proxy } from "./cluster/topology";
import { runDrillClient, verifyDrill } from "./drill-support";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "4" },
    batch: { type: "string", default: "200" },
    record: { type: "boolean", default: false },
    "pgbouncer-unlock": { type: "boolean", default: false },
  },
});
const CLIENTS = Number(values.clients);
const BATCH = Number(values.batch);
const ROOT = path.resolve(".data/drill-cluster");
/** Server connections PgBouncer opens to PostgreSQL, fewer than the two instances' pools together (2 × 10). */
const SERVER_POOL = 10;
const APP_POOL = 10;
const RATE_PER_SECOND = 40;
const RATE_BURST = 20;
const STEADY_MS = 8_000;
const AFTER_RESTART_MS = 4_000;
const FINISH_DEADLINE_MS = 120_000;
const REVOCATION_LIMIT_MS = 5_000;
const RESTART_TIMEOUT_MS = 90_000;
/** Prisma's schema engine takes this session-level lock to migrate, and never releases it itself. */
const PRISMA_MIGRATION_LOCK = 72_707_369;

const say = (line: string) => process.stdout.write(`[drill:cluster] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const failures: string[] = [];
const check = (ok: boolean, failure: string) => {
  if (!ok) failures.push(failure);
  return ok;
};

// ------------------------------------------------------------------ HTTP helpers

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(base: string, method: string, route: string, key: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

function field<T>(answer: Answer, name: string): T {
  return (answer.body as Record<string, T>)[name] as T;
}

async function expectStatus(answer: Promise<Answer>, status: number, what: string): Promise<Answer> {
  const result = await answer;
  if (result.status !== status) throw new Error(`${what}: expected ${status}, got ${result.status} ${JSON.stringify(result.body).slice(0, 400)}`);
  return result;
}

// ------------------------------------------------------------------ the webhook receiver

interface Received {
  at: number;
  body: string;
  signature: string | undefined;
  delivery: string | undefined;
}

async function startReceiver(): Promise<{ url: string; posts: Received[]; close: () => Promise<void> }> {
  const posts: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      posts.push({
        at: Date.now(),
        body: Buffer.concat(chunks).toString("utf8"),
        signature: request.headers["x-burnrate-signature"] as string | undefined,
        delivery: request.headers["x-burnrate-delivery"] as string | undefined,
      });
      response.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    posts,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ------------------------------------------------------------------ ingesting clients

// ------------------------------------------------------------------ the database's view

interface LeakedLock {
  pid: number;
  objid: string;
  state: string;
}

/** Advisory locks held by sessions that are not in a transaction: session-level locks left on PgBouncer's server connections. */
async function leakedSessionLocks(admin: pg.Pool): Promise<LeakedLock[]> {
  const result = await admin.query<LeakedLock>(
    `SELECT l.pid, l.objid::text AS objid, a.state
     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle' AND a.datname = 'burnrate'`,
  );
  return result.rows;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function schedulerLastRun(app: AppProcess): Promise<number | undefined> {
  const response = await fetch(`${app.baseUrl}/api/ready`, { signal: AbortSignal.timeout(5_000) });
  const report = (await response.json()) as { checks?: { scheduler?: { last_run_at?: string | null } } };
  const at = report.checks?.scheduler?.last_run_at;
  return at ? Date.parse(at) : undefined;
}

// ------------------------------------------------------------------ the drill

async function main(): Promise<void> {
  const available = debianPostgresAvailable();
  if (!available.ok) throw new Error(`cannot run: ${available.reason}`);

  rmSync(ROOT, { recursive: true, force: true });
  const t0 = Date.now();
  const timeline: string[] = [];
  const mark = (what: string) => {
    timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    say(what);
  };

  let primary: DebianPostgres | undefined;
  let bouncer: PgBouncer | undefined;
  let proxy: Proxy | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  const apps: AppProcess[] = [];
  let admin: pg.Pool | undefined;
  const report: string[] = [];
  try {
    primary = await startDebianPrimary({ dir: path.join(ROOT, "primary") });
    const applied = await migrateDirectly(primary);
    mark(`PostgreSQL ${available.bin.split("/").at(-2)} started on port ${primary.port}; ${applied.length} migrations applied directly (not through PgBouncer)`);
    bouncer = await startPgBouncer(primary, {
      dir: path.join(ROOT, "pgbouncer"),
      poolMode: "transaction",
      poolSize: SERVER_POOL,
      resetQueryAlways: values["pgbouncer-unlock"] ? "SELECT pg_advisory_unlock_all()" : undefined,
    });
    mark(
      `PgBouncer on port ${bouncer.port}: pool_mode=transaction, ${SERVER_POOL} server connections for the instances' 2 × ${APP_POOL}` +
        (values["pgbouncer-unlock"] ? " (server_reset_query_always: pg_advisory_unlock_all)" : ""),
    );
    // The drill's reads of the database (and pg_locks, pg_stat_activity of the app's sessions), straight to PostgreSQL.
    admin = new pg.Pool({ connectionString: primary.url, max: 2 });
    admin.on("error", () => {});

    // The drill's own writes (keys) go straight to the primary, with the instances' key-hash secret.
    const secrets = clusterSecrets();
    Object.assign(process.env, secrets, { DATABASE_URL: primary.url, BURNRATE_DATA_DIR: path.join(ROOT, "drill") });
    const appEnv = (name: string) =>
      instanceEnv({
        databaseUrl: bouncer!.url,
        secrets,
        dataDir: path.join(ROOT, `app-${name}`),
        poolSize: APP_POOL,
        extra: {
          BURNRATE_RATE_LIMIT_PER_SECOND: String(RATE_PER_SECOND),
          BURNRATE_RATE_LIMIT_BURST: String(RATE_BURST),
          BURNRATE_OUTBOUND_ALLOW: "127.0.0.1/32",
        },
      });
    // One after the other: they share the .next build (the first builds when the sources changed).
    await startInstances(apps, ["A", "B"], (name) => appEnv(name.toLowerCase()), (app, name) => mark(`instance ${name} ready on ${app.baseUrl}`));
    proxy = await startProxy(apps.map((app) => app.baseUrl));
    receiver = await startReceiver();
    mark(`round-robin proxy on ${proxy.url}; webhook receiver on ${receiver.url}`);

    const actor = { kind: "system", label: "drill-cluster" } as const;
    const mint = async (name: string, scopes: ("ingest" | "read" | "admin")[]) =>
      (await storeKey(actor, { name, scopes, team: null, createdById: null, expiresAt: null })).key;
    const ingestKey = (await mint("cluster-ingest", ["ingest"])).secret;
    const adminOne = (await mint("cluster-admin-1", ["admin"])).secret;
    const adminTwo = (await mint("cluster-admin-2", ["admin"])).secret;
    const readKey = await mint("cluster-read", ["read"]);
    const rateKey = (await mint("cluster-rate", ["ingest"])).secret;
    const [a, b] = apps as [AppProcess, AppProcess];

    // ---------------------------------------------------------------- scheduler work runs once
    const budget = await expectStatus(
      call(proxy.url, "POST", "/api/v1/budgets", adminOne, { name: "Cluster drill", scope: { team: "drill-alert" }, period: "month", amount_usd: "1", thresholds: [50] }),
      201,
      "creating the budget",
    );
    const budgetId = field<string>(budget, "id");
    const channelSecret = newSecret();
    const channel = await expectStatus(
      call(proxy.url, "POST", "/api/v1/alert-channels", adminOne, { type: "webhook", url: receiver.url, secret: channelSecret, name: "Cluster drill" }),
      201,
      "creating the webhook channel",
    );
    const channelId = field<string>(channel, "id");
    // $1.50 of gpt-4o-mini input this month for the budget's team: past its 50% threshold.
    await expectStatus(
      call(proxy.url, "POST", "/api/v1/events", ingestKey, {
        events: [
          {
            id: `alert-${t0}`,
            timestamp: new Date(Date.now() - 60_000).toISOString(),
            provider: "openai",
            model: "gpt-4o-mini",
            usage: { input_tokens: 10_000_000, output_tokens: 0 },
            tags: { team: "drill-alert" },
          },
        ],
      }),
      200,
      "ingesting the budget's spend",
    );
    // The spend reaches the budget once ingest's rollup deltas are folded (every 2 s): wait until the budget shows it.
    await waitFor("the budget to show the spend", 30_000, async () => {
      const answer = await call(proxy!.url, "GET", `/api/v1/budgets/${budgetId}`, adminOne);
      return answer.status === 200 && Number(field<string>(answer, "spent_usd")) >= 0.5 ? true : undefined;
    });
    const alertRows = async () =>
      Number(
        (await admin!.query<{ n: string }>("SELECT count(*)::text AS n FROM alert_events WHERE budget_id = $1::uuid AND type = 'budget.threshold'", [budgetId]))
          .rows[0]?.n,
      );

    // The evaluator's lock, held by the drill in a transaction through PgBouncer: both instances skip.
    const holder = new pg.Client({ connectionString: bouncer.url });
    holder.on("error", () => {});
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT pg_advisory_xact_lock($1::bigint)", [EVALUATE_LOCK]);
    const whileHeld = await Promise.all([
      call(a.baseUrl, "POST", "/api/v1/alerts/evaluate", adminOne),
      call(b.baseUrl, "POST", "/api/v1/alerts/evaluate", adminTwo),
    ]);
    const skippedWhileHeld = whileHeld.filter((answer) => answer.status === 200 && field<boolean>(answer, "skipped") === true).length;
    check(skippedWhileHeld === 2, `with the evaluator's lock held through PgBouncer, ${skippedWhileHeld} of 2 instances skipped evaluation (${whileHeld.map((w) => w.status).join(", ")})`);
    const rowsWhileHeld = await alertRows();
    check(rowsWhileHeld === 0, `${rowsWhileHeld} budget alerts fired while the evaluator's lock was held`);
    await holder.query("ROLLBACK");
    await holder.end();

    // Released: both instances evaluate at the same moment, three times over.
    let firedInAnswers = 0;
    let skippedRuns = 0;
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        call(a.baseUrl, "POST", "/api/v1/alerts/evaluate", adminOne),
        call(b.baseUrl, "POST", "/api/v1/alerts/evaluate", adminTwo),
      ]);
      for (const answer of answers) {
        if (!check(answer.status === 200, `POST /api/v1/alerts/evaluate answered ${answer.status}`)) continue;
        if (field<boolean>(answer, "skipped")) skippedRuns++;
        firedInAnswers += field<{ type: string; budget_id?: string }[]>(answer, "fired").filter((f) => f.type === "budget.threshold" && f.budget_id === budgetId).length;
      }
    }
    const firedRows = await alertRows();
    const alertFiredAt = Date.now();
    check(firedRows === 1, `${firedRows} budget.threshold alerts stored for the budget, not 1`);
    check(firedInAnswers <= 1, `the budget alert was in the fired list of ${firedInAnswers} evaluations`);
    mark(
      `evaluator's lock held through PgBouncer: ${skippedWhileHeld} of 2 instances skipped; then 3 rounds of evaluations on both at once: ` +
        `${skippedRuns} of 6 skipped for the other's lock, the alert fired ${firedRows} time(s)`,
    );

    // ---------------------------------------------------------------- two admins, one burst, two instances
    const decisions: string[] = [];
    for (let round = 0; round < 5; round++) {
      const filed = await expectStatus(
        call(proxy.url, "POST", "/api/v1/quota/requests", adminOne, {
          team: "drill-burst",
          amount: "100",
          unit: "usd",
          starts_at: new Date().toISOString(),
          ends_at: new Date(Date.now() + 86_400_000).toISOString(),
          reason: `cluster drill round ${round}`,
        }),
        201,
        "filing a burst request",
      );
      const id = field<string>(filed, "id");
      // Approve on one instance and reject on the other at the same moment (sides swap each round).
      const [approveOn, rejectOn] = round % 2 === 0 ? [a, b] : [b, a];
      const [approved, rejected] = await Promise.all([
        call(approveOn.baseUrl, "POST", `/api/v1/quota/requests/${id}/approve`, adminOne, { comment: "drill" }),
        call(rejectOn.baseUrl, "POST", `/api/v1/quota/requests/${id}/reject`, adminTwo, { comment: "drill" }),
      ]);
      const statuses = [approved.status, rejected.status].sort();
      check(statuses[0] === 200 && statuses[1] === 409, `burst ${round}: approve ${approved.status}, reject ${rejected.status} (expected one 200 and one 409)`);
      const loser = approved.status === 409 ? approved : rejected;
      check((loser.body as { error?: { code?: string } }).error?.code === "conflict", `burst ${round}: the 409 is not a conflict error`);
      const stored = await call(proxy.url, "GET", `/api/v1/quota/requests/${id}`, adminOne);
      const expected = approved.status === 200 ? "approved" : "rejected";
      check(field<string>(stored, "status") === expected, `burst ${round}: stored as ${field<string>(stored, "status")}, the 200 was ${expected}`);
      decisions.push(`${approved.status === 200 ? "approve" : "reject"} won`);
    }
    mark(`5 burst requests, each approved on one instance and rejected on the other at once: ${decisions.join(", ")}; each one 200 and one 409`);

    // ---------------------------------------------------------------- revocation through A, honoured by B
    const teamsWith = (app: AppProcess) => call(app.baseUrl, "GET", "/api/v1/teams", readKey.secret);
    await expectStatus(teamsWith(b), 200, "the read key on B before revocation");
    await expectStatus(teamsWith(a), 200, "the read key on A before revocation");
    const keyId = (await admin.query<{ id: string }>("SELECT id::text AS id FROM api_keys WHERE name = 'cluster-read'")).rows[0]?.id;
    await expectStatus(call(a.baseUrl, "POST", `/api/v1/keys/${keyId}/revoke`, adminOne), 200, "revoking the read key on A");
    const revokedAt = Date.now();
    const onA = await teamsWith(a);
    check(onA.status === 401, `instance A answered ${onA.status} to the key it had just revoked`);
    // B's verdict for the key was looked up before the revocation committed, so it expires (5 s cache)
    // less than 5 s after this answer: every request sent to B later than that must be refused.
    let lastAcceptedOnB = -1;
    let refusedOnB = -1;
    while (Date.now() - revokedAt < REVOCATION_LIMIT_MS + 3_000) {
      const sent = Date.now() - revokedAt;
      const answer = await teamsWith(b);
      if (answer.status === 200) lastAcceptedOnB = sent;
      else if (answer.status === 401 && refusedOnB < 0) refusedOnB = sent;
      else if (answer.status !== 401) check(false, `instance B answered ${answer.status} to the revoked key`);
      if (refusedOnB >= 0 && sent > REVOCATION_LIMIT_MS + 500) break;
      await sleep(50);
    }
    check(lastAcceptedOnB <= REVOCATION_LIMIT_MS, `instance B accepted the revoked key in a request sent ${lastAcceptedOnB} ms after A revoked it (limit ${REVOCATION_LIMIT_MS} ms)`);
    check(refusedOnB >= 0 && refusedOnB <= REVOCATION_LIMIT_MS + 100, `instance B did not refuse the revoked key within ${REVOCATION_LIMIT_MS} ms (first refusal: ${refusedOnB} ms)`);
    mark(
      `key revoked through A: A refused it at once (${onA.status}); B accepted requests sent up to ${lastAcceptedOnB} ms after, ` +
        `refused every request from ${refusedOnB} ms (limit ${REVOCATION_LIMIT_MS} ms)`,
    );

    // ---------------------------------------------------------------- the per-key rate limit, per instance
    const BURST_REQUESTS = 4 * RATE_BURST * 2;
    const burstStarted = Date.now();
    const limited = await Promise.all(
      Array.from({ length: BURST_REQUESTS }, () => call(proxy!.url, "POST", "/api/v1/quota/check", rateKey, { team: "drill-rate" })),
    );
    const burstSeconds = (Date.now() - burstStarted) / 1000;
    const admitted = limited.filter((answer) => answer.status !== 429).length;
    const refused = limited.filter((answer) => answer.status === 429);
    const otherStatuses = limited.filter((answer) => answer.status !== 200 && answer.status !== 429).map((answer) => answer.status);
    const ceiling = 2 * Math.floor(RATE_BURST + RATE_PER_SECOND * burstSeconds);
    const oneInstance = Math.floor(RATE_BURST + RATE_PER_SECOND * burstSeconds);
    check(otherStatuses.length === 0, `the rate-limited checks answered ${otherStatuses.join(", ")}`);
    check(admitted >= 2 * RATE_BURST && admitted <= ceiling, `${admitted} of ${BURST_REQUESTS} admitted in ${burstSeconds.toFixed(2)} s; expected ${2 * RATE_BURST} to ${ceiling}`);
    check(refused.every((answer) => Number(answer.headers.get("retry-after")) >= 1), "a 429 without Retry-After");
    mark(
      `rate limit (${RATE_PER_SECOND}/s, burst ${RATE_BURST} per instance): ${BURST_REQUESTS} checks at once through the proxy in ${burstSeconds.toFixed(2)} s: ` +
        `${admitted} admitted (one instance alone: at most ${oneInstance}; two: at most ${ceiling}), ${refused.length} refused 429 with Retry-After`,
    );

    // ---------------------------------------------------------------- ingest through the proxy, one instance SIGKILLed
    let stopping = false;
    const pools = { clients: 0, servers: 0, waiting: 0 };
    const bouncerConsole = new pg.Client({ connectionString: bouncer.adminUrl });
    bouncerConsole.on("error", () => {});
    await bouncerConsole.connect();
    const sampling = (async () => {
      while (!stopping) {
        const rows = (await bouncerConsole.query<Record<string, string>>("SHOW POOLS").catch(() => ({ rows: [] }))).rows.filter((r) => r.database === "burnrate");
        for (const r of rows) {
          pools.clients = Math.max(pools.clients, Number(r.cl_active) + Number(r.cl_waiting));
          pools.servers = Math.max(pools.servers, Number(r.sv_active) + Number(r.sv_idle) + Number(r.sv_used) + Number(r.sv_tested) + Number(r.sv_login));
          pools.waiting = Math.max(pools.waiting, Number(r.cl_waiting));
        }
        await sleep(100);
      }
    })();
    const clientsStarted = Date.now();
    // Timestamps in the last hours (the current month), so several hourly rollups and possibly two days are exercised.
    const now = Date.now();
    const from = Math.max(Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1), now - 4 * HOUR_MS);
    const span = Math.max(60_000, now - 60_000 - from);
    const target = proxy.url;
    const clients = Array.from({ length: CLIENTS }, (_, index) =>
      runDrillClient({
        index,
        prefix: "cluster",
        batch: BATCH,
        target: () => target,
        key: ingestKey,
        stopping: () => stopping,
        timestampOf: (n) => new Date(from + ((n * 7919 + index * 104_729) % span)).toISOString(),
        deadlineMs: FINISH_DEADLINE_MS,
        // The proxy could not reach that instance: the next request goes to the other one.
        retryAtOnce: { 502: 50 },
      }),
    );
    let killedAt = 0;
    let restartedAt = 0;
    try {
      await sleep(STEADY_MS);
      killedAt = Date.now();
      mark("instance A killed with SIGKILL");
      a.child.kill("SIGKILL");
      await a.stop();
      apps.splice(apps.indexOf(a), 1);
      try {
        // The build is known to be up to date: a start takes seconds, not minutes.
        const restarted = await startApp(appEnv("a"), RESTART_TIMEOUT_MS);
        apps.unshift(restarted);
        proxy.targets[0] = restarted.baseUrl;
        restartedAt = Date.now();
        mark(`instance A started again on ${restarted.baseUrl} (${((restartedAt - killedAt) / 1000).toFixed(1)} s after the kill)`);
      } catch (error) {
        restartedAt = Date.now();
        const waiting = await admin.query<{ n: string }>(
          "SELECT count(*)::text AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted",
          [PRISMA_MIGRATION_LOCK],
        );
        const diagnosis =
          waiting.rows[0]?.n !== "0"
            ? `: its start is waiting for Prisma's migration lock (${PRISMA_MIGRATION_LOCK}), left held on a PgBouncer server connection by an earlier start`
            : `: ${(error as Error).message.split("\n")[0]}`;
        failures.push(`instance A did not start again within ${RESTART_TIMEOUT_MS / 1000} s${diagnosis}`);
        mark(`instance A did not start again within ${RESTART_TIMEOUT_MS / 1000} s (B serves alone)`);
      }
      await sleep(AFTER_RESTART_MS);
      mark("clients stopping (finishing their batches)");
    } finally {
      stopping = true;
    }
    const results = await Promise.all(clients);
    await sampling;
    mark("clients done");
    const steadyFrom = clientsStarted + 2_000;
    const steadyEvents = results.reduce((sum, r) => sum + r.ackTimes.filter((at) => at >= steadyFrom && at < killedAt).length * BATCH, 0);
    const eventsPerSecond = steadyEvents / ((killedAt - steadyFrom) / 1000);
    const aloneEvents = results.reduce((sum, r) => sum + r.ackTimes.filter((at) => at >= killedAt && at < restartedAt).length * BATCH, 0);
    const alonePerSecond = aloneEvents / ((restartedAt - killedAt) / 1000);

    // ---------------------------------------------------------------- the alert was delivered once
    const posts = () =>
      receiver!.posts.filter((post) => {
        const body = JSON.parse(post.body) as { type?: string; budget_id?: string };
        return body.type === "budget.threshold" && body.budget_id === budgetId;
      });
    const deliveredAt = await waitFor("the budget alert at the webhook", 90_000 - (Date.now() - alertFiredAt), async () => posts()[0]?.at).catch(
      (error: Error) => {
        failures.push(error.message);
        return 0;
      },
    );
    if (deliveredAt) {
      // Both instances' schedulers (every 60 s) have run since: nothing more may be sent.
      await waitFor("both instances' schedulers to run after the delivery", 75_000, async () => {
        const runs = await Promise.all(apps.map((app) => schedulerLastRun(app)));
        return runs.every((at) => at !== undefined && at > deliveredAt + 500) ? true : undefined;
      }).catch((error: Error) => failures.push(error.message));
      await sleep(500);
    }
    const budgetPosts = posts();
    const deliveries = await admin.query<{ status: string; attempts: number }>(
      `SELECT d.status::text AS status, d.attempts FROM alert_deliveries d JOIN alert_events e ON e.id = d.alert_event_id
       WHERE e.budget_id = $1::uuid AND e.type = 'budget.threshold' AND d.channel_id = $2::uuid`,
      [budgetId, channelId],
    );
    check(budgetPosts.length === 1, `the webhook received the budget alert ${budgetPosts.length} times, not once`);
    check(
      deliveries.rows.length === 1 && deliveries.rows[0]?.status === "delivered" && deliveries.rows[0]?.attempts === 1,
      `deliveries of the budget alert to the webhook: ${JSON.stringify(deliveries.rows)} (expected one, delivered at the first attempt)`,
    );
    const first = budgetPosts[0];
    if (first) {
      const expected = `sha256=${createHmac("sha256", channelSecret).update(first.body).digest("hex")}`;
      check(first.signature === expected, "the webhook's X-Burnrate-Signature does not match the channel secret");
    }
    mark(
      `alert deliveries: the webhook received the budget alert ${budgetPosts.length} time(s) ` +
        `(${deliveredAt ? `${((deliveredAt - alertFiredAt) / 1000).toFixed(1)} s after it fired` : "never"}), ${deliveries.rows.length} delivery row(s); both schedulers ran again since`,
    );

    // ---------------------------------------------------------------- no session state left on PgBouncer's connections
    const leaked = await leakedSessionLocks(admin);
    for (const lock of leaked) {
      failures.push(
        `a session-level advisory lock (key ${lock.objid}${lock.objid === String(PRISMA_MIGRATION_LOCK) ? ": Prisma's migration lock, taken by applyMigrations at every start" : ""}) ` +
          `is held by an idle PgBouncer server connection (pid ${lock.pid}): the next migrator on another server connection (an instance starting) ` +
          `waits for it indefinitely. lib/db/migrate.ts must not leave it there; until it does, PgBouncer needs server_reset_query_always (--pgbouncer-unlock)`,
      );
    }
    const pgbStats = (await bouncerConsole.query<{ database: string; total_xact_count: string }>("SHOW STATS")).rows.find((row) => row.database === "burnrate");
    await bouncerConsole.end();
    mark(
      `PgBouncer: ${formatCount(Number(pgbStats?.total_xact_count ?? 0))} transactions; while ingesting, up to ${pools.clients} client connections ` +
        `shared up to ${pools.servers} server connections (up to ${pools.waiting} clients waiting for one); session-level advisory locks left on them: ${leaked.length}`,
    );

    // ---------------------------------------------------------------- stop, fold, count
    for (const app of apps) await app.stop("SIGTERM");
    apps.length = 0;
    mark("instances stopped (SIGTERM)");
    const pool = new pg.Pool({ connectionString: primary.url, max: 2 });
    try {
      const fold = await foldRollups(pool);
      check(fold.folded, "the final fold was skipped: another folder held the lock after both instances stopped");
      const counts = await verifyDrill(pool, results, "cluster", ["200", "429", "502", "503"], failures);
      const { statuses, stored: storedCount, ackedStored, lost, duplicates, storedNotAcked } = counts;
      const batches = results.reduce((sum, r) => sum + r.batches, 0);
      const attempts = results.reduce((sum, r) => sum + r.attempts, 0);
      const statusText = [...statuses].sort().map(([s, n]) => `${s}: ${formatCount(n)}`).join(", ");
      say(`batches ${formatCount(batches)}, attempts ${formatCount(attempts)}; answers ${statusText}`);
      say(`proxy: requests to A ${formatCount(proxy.sent[0] ?? 0)} (502 ${proxy.badGateway[0]}), to B ${formatCount(proxy.sent[1] ?? 0)} (502 ${proxy.badGateway[1]})`);
      say(`acknowledged ${formatCount(counts.acked)}, stored ${formatCount(storedCount)} (of them acknowledged ${formatCount(ackedStored)}), lost ${lost}, duplicates ${duplicates}, stored but never acknowledged ${storedNotAcked}`);
      say(`hourly rollup rows differing from a recount: ${counts.hourlyMismatches}; days of daily rollups differing from hourly: ${counts.differingDays} of ${counts.days}; tag rollup rows differing: ${counts.tagMismatches}; tag days differing: ${counts.differingTagDays}`);
      say(
        `throughput through the proxy: ${formatCount(Math.round(eventsPerSecond))} events/s with both instances (${CLIENTS} clients, batches of ${BATCH}), ` +
          `${formatCount(Math.round(alonePerSecond))} events/s while A was down and restarting`,
      );
      say(`drill took ${((Date.now() - t0) / 1000).toFixed(0)} s`);

      report.push(
        `| batches | ${formatCount(batches)} |`,
        `| requests (with retries) | ${formatCount(attempts)} |`,
        ...[...statuses].sort().map(([s, n]) => `| answered ${s} | ${formatCount(n)} |`),
        `| events acknowledged (in 200-answered batches) | ${formatCount(counts.acked)} |`,
        `| events stored | ${formatCount(storedCount)} |`,
        `| acknowledged but not stored (lost) | ${lost} |`,
        `| stored more than once | ${duplicates} |`,
        `| stored but never acknowledged | ${storedNotAcked} |`,
        `| hourly rollup rows differing from a recount of the raw events | ${counts.hourlyMismatches} |`,
        `| days whose daily rollups differ from the hourly ones | ${counts.differingDays} of ${counts.days} |`,
        `| events/s through the proxy, both instances up | ${formatCount(Math.round(eventsPerSecond))} |`,
        `| events/s while one instance was down and restarting | ${formatCount(Math.round(alonePerSecond))} |`,
      );
      if (values.record && failures.length === 0) {
        const machine = await describeMachine(pool);
        writeBenchmarkSection(
          "drill-cluster",
          `## Several instances (\`npm run drill:cluster\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, everything on the same machine: Debian's PostgreSQL,
PgBouncer in transaction pooling mode (${SERVER_POOL} server connections for two instances' pools of ${APP_POOL}${values["pgbouncer-unlock"] ? "; server_reset_query_always with pg_advisory_unlock_all()" : ""}), two
\`npm start\` processes and a round-robin proxy. ${CLIENTS} clients post batches of ${BATCH} new events through the
proxy, retrying a batch on 502, 503, 429 or a connection error. Timeline:

${timeline.map((line) => `- ${line}`).join("\n")}

| | count |
|---|---:|
${report.join("\n")}`,
        );
      }
    } finally {
      await pool.end();
    }
  } catch (error) {
    // What the instances logged at warn and above, to see why.
    for (const app of apps) {
      const lines = app.output().split("\n").filter((line) => /"level":"(error|fatal)"/.test(line));
      for (const line of lines.slice(-15)) say(`instance ${app.baseUrl}: ${line.slice(0, 1_500)}`);
    }
    throw error;
  } finally {
    for (const app of apps) await app.stop("SIGTERM").catch(() => null);
    await proxy?.close();
    await receiver?.close();
    await admin?.end();
    await disconnect().catch(() => {});
    await bouncer?.stop();
    await primary?.stop();
  }
  if (failures.length > 0) {
    for (const failure of failures.slice(0, 30)) say(`FAIL: ${failure}`);
    process.exitCode = 1;
  } else {
    say("PASS: scheduler work ran once, one 200 and one 409 per burst, revocation honoured within 5 s, rate limit per instance, every acknowledged event stored exactly once, rollups equal a recount");
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[drill:cluster] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
