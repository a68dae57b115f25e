/**
 * Several instances on one machine (`npm run bench:cluster`, issue 19 part 4): what a second
 * app process and a read replica cost or gain, measured on the topology of docs/SCALING.md as
 * drill:cluster starts it (scripts/cluster/topology.ts): Debian's PostgreSQL primary with a
 * streaming replica (pg_basebackup), PgBouncer in transaction mode in front of the primary, the
 * app processes (`npm start`, DATABASE_URL → PgBouncer) and a round-robin proxy in a Node
 * process of its own. First the primary gets demo data (seedDemo, 90 days × 20,000 events/day by
 * default, then VACUUM ANALYZE, as autovacuum would have done on a running installation), so the
 * dashboards' reads do real work; the replica is copied from it afterwards.
 *
 * 1. Ingest throughput through the proxy with one instance, then two: 4 concurrent senders
 *    (undici, keep-alive), batches of 1,000 demo-like events (scripts/bench/ingest-traffic.ts,
 *    fresh ids each phase), every answer a 200; events/s, batch p50/p99, and CPU seconds per
 *    batch of each process group read from /proc (instances, PostgreSQL primary and replica:
 *    postmaster and children, PgBouncer, the proxy, the clients, and the rest of the machine).
 * 2. Dashboard latency under ingest: 4 clients ingest continuously through the proxy while one
 *    reader requests three dashboard reads in turn (read-scope key) for --read-seconds; first
 *    with the instances reading the primary through PgBouncer, then started again with
 *    DATABASE_READ_URL on the replica (directly). p50/p95/p99 per endpoint, the same reads
 *    before the ingest starts (idle), and the replica's lag: /api/ready's
 *    checks.replica.lag_seconds (max) and pg_stat_replication's replay lag.
 *
 *   npm run bench:cluster -- [--batches 200] [--clients 4] [--days 90] [--events-per-day 20000]
 *                            [--read-seconds 20] [--record]
 *
 * --record writes the section "cluster" of docs/BENCHMARKS.md.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { Pool } from "undici";
import { storeKey } from "@/lib/access/api-keys";
import { disconnect } from "@/lib/db";
import { seedDemo } from "@/lib/demo/seed";
import { formatCount } from "@/lib/format";
import { DAY_MS } from "@/lib/time";
import type { AppProcess } from "../../tests/setup/app-process";
import {
  debianPostgresAvailable,
  startDebianPrimary,
  startDebianReplica,
  startPgBouncer,
  type DebianPostgres,
  type PgBouncer,
} from "../cluster/debian-postgres";
import { clusterSecrets, instanceEnv, migrateDirectly, startInstances, startProxyProcess, type ProxyProcess } from "../cluster/topology";
import { describeMachine, writeBenchmarkSection } from "./machine";
import { makeBodies } from "./ingest-traffic";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "200" },
    clients: { type: "string", default: "4" },
    "batch-size": { type: "string", default: "1000" },
    days: { type: "string", default: "90" },
    "events-per-day": { type: "string", default: "20000" },
    "read-seconds": { type: "string", default: "20" },
    "idle-seconds": { type: "string", default: "4" },
    record: { type: "boolean", default: false },
  },
});
const BATCHES = Number(values.batches);
const CLIENTS = Number(values.clients);
const BATCH_SIZE = Number(values["batch-size"]);
const DAYS = Number(values.days);
const EVENTS_PER_DAY = Number(values["events-per-day"]);
const READ_MS = Number(values["read-seconds"]) * 1000;
const IDLE_MS = Number(values["idle-seconds"]) * 1000;
const ROOT = path.resolve(".data/bench-cluster");
/** Each instance's pool (the default); PgBouncer keeps as many server connections as both pools together. */
const APP_POOL = 10;
const SERVER_POOL = 2 * APP_POOL;
const SAMPLE_MS = 500;

const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[bench:cluster ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number) => `${value.toFixed(0)} ms`;

// ------------------------------------------------------------------ CPU from /proc (Linux; USER_HZ = 100)

interface ProcStat {
  ppid: number;
  /** utime + stime, in seconds. */
  own: number;
  /** cutime + cstime: children that ended and were waited for, in seconds. */
  reaped: number;
}

function procStat(pid: number | string): ProcStat | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return {
      ppid: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) / 100,
      reaped: (Number(fields[13]) + Number(fields[14])) / 100,
    };
  } catch {
    return undefined;
  }
}

/** Every process's stat, once (a tree walk needs the parents of all). */
function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat) stats.set(Number(entry), stat);
  }
  return stats;
}

/**
 * CPU seconds of `root` and its descendants: the live ones' own time plus the time of those that
 * ended and were reaped (a PostgreSQL backend that closed meanwhile is in the postmaster's cutime).
 */
function treeCpu(stats: Map<number, ProcStat>, root: number): number {
  if (!stats.has(root)) return 0;
  const tree = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of stats) {
      if (!tree.has(pid) && tree.has(stat.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let seconds = 0;
  for (const pid of tree) {
    const stat = stats.get(pid);
    if (stat) seconds += stat.own + stat.reaped;
  }
  return seconds;
}

/** CPU seconds the whole machine spent busy (all cores; /proc/stat's first line, idle and iowait left out). */
function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
}

function pidFromFile(file: string): number {
  try {
    return Number(readFileSync(file, "utf8").split("\n")[0]?.trim());
  } catch {
    return 0;
  }
}

function loadAverage(): string {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

/** The process groups measured: each instance, both PostgreSQL servers, PgBouncer, the proxy, this process (the clients). */
interface Processes {
  instances: { name: string; pid: number }[];
  primary: number;
  replica: number;
  bouncer: number;
  proxy: number;
}

type CpuSnapshot = { busy: number; at: number; groups: Map<string, number> };

function cpuSnapshot(processes: Processes): CpuSnapshot {
  const stats = allStats();
  const groups = new Map<string, number>();
  for (const instance of processes.instances) groups.set(`instance ${instance.name}`, treeCpu(stats, instance.pid));
  groups.set("PostgreSQL primary", treeCpu(stats, processes.primary));
  groups.set("PostgreSQL replica", treeCpu(stats, processes.replica));
  groups.set("PgBouncer", treeCpu(stats, processes.bouncer));
  groups.set("proxy", treeCpu(stats, processes.proxy));
  groups.set("clients (this process)", stats.get(process.pid)?.own ?? 0);
  return { busy: machineBusySeconds(), at: Date.now(), groups };
}

interface CpuUse {
  /** CPU seconds per group during the phase, in order; "other processes" is the machine's busy time minus all of them. */
  groups: [string, number][];
  busy: number;
  wallSeconds: number;
}

function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const groups: [string, number][] = [...after.groups].map(([name, seconds]) => [name, seconds - (before.groups.get(name) ?? 0)]);
  const busy = after.busy - before.busy;
  const ours = groups.reduce((sum, [, seconds]) => sum + seconds, 0);
  groups.push(["other processes on the machine", Math.max(0, busy - ours)]);
  return { groups, busy, wallSeconds: (after.at - before.at) / 1000 };
}

// ------------------------------------------------------------------ traffic

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface DriveResult {
  accepted: number;
  batches: number;
  seconds: number;
  /** Sorted, milliseconds. */
  latencies: number[];
}

/**
 * `clients` concurrent senders over one keep-alive connection each (undici, as bench:ingest's
 * drive), each taking the next body until `next` answers undefined; every answer must be a 200
 * accepting the whole batch.
 */
async function drive(url: string, key: string, next: () => string | undefined): Promise<DriveResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: CLIENTS, pipelining: 1 });
  const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
  const latencies: number[] = [];
  let accepted = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let body = next(); body !== undefined; body = next()) {
          const sent = process.hrtime.bigint();
          const response = await pool.request({ method: "POST", path: target.pathname, headers, body });
          const text = await response.body.text();
          latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
          if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${text.slice(0, 300)}`);
          const answer = JSON.parse(text) as { accepted?: number; rejected?: number };
          if (answer.accepted !== BATCH_SIZE) throw new Error(`a batch of ${BATCH_SIZE} new events was answered ${text.slice(0, 300)}`);
          accepted += answer.accepted;
        }
      }),
    );
  } finally {
    await pool.close();
  }
  latencies.sort((a, b) => a - b);
  return { accepted, batches: latencies.length, seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies };
}

/**
 * Endless demo-like batches of the last hour: makeBodies' calls moved to end 5 minutes ago, and
 * the run id in every id replaced for each pass over them, so no id repeats.
 */
function recentBodies(): () => string {
  const runId = randomBytes(4).toString("hex");
  const templates = makeBodies(runId, 60, BATCH_SIZE);
  const last = Date.parse((JSON.parse(templates.at(-1) ?? "{}") as { events: { timestamp: string }[] }).events.at(-1)?.timestamp ?? "");
  const shift = Date.now() - 5 * 60_000 - last;
  const shifted = templates.map((body) => {
    const batch = JSON.parse(body) as { events: { timestamp: string }[] };
    for (const event of batch.events) event.timestamp = new Date(Date.parse(event.timestamp) + shift).toISOString();
    return JSON.stringify(batch);
  });
  let sent = 0;
  let passId = runId;
  return () => {
    const index = sent++ % shifted.length;
    if (index === 0 && sent > 1) passId = randomBytes(4).toString("hex");
    const body = shifted[index] ?? "";
    return passId === runId ? body : body.replaceAll(runId, passId);
  };
}

interface ReadEndpoint {
  name: string;
  path: string;
}

/** The dashboards' reads over the Overview's window (the last 30 UTC days, today included). */
function readEndpoints(): ReadEndpoint[] {
  const tomorrow = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS;
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  const window = `from=${day(tomorrow - 30 * DAY_MS)}&to=${day(tomorrow)}`;
  return [
    { name: "spend by team", path: `/api/v1/spend?${window}&group_by=team` },
    { name: "spend by day and model (the Overview's chart)", path: `/api/v1/spend?${window}&group_by=day,model` },
    { name: "cache report by tenant (the Cache page)", path: `/api/v1/cache?${window}&bucket=day&group_by=tenant` },
  ];
}

/** One reader through the proxy: the endpoints in turn, one request at a time, until `stop()`; latencies per endpoint (ms). */
async function readLoop(proxyUrl: string, key: string, endpoints: ReadEndpoint[], stop: () => boolean): Promise<number[][]> {
  const pool = new Pool(proxyUrl, { connections: 1, pipelining: 1 });
  const latencies = endpoints.map((): number[] => []);
  try {
    for (let i = 0; !stop(); i = (i + 1) % endpoints.length) {
      const endpoint = endpoints[i] as ReadEndpoint;
      const sent = process.hrtime.bigint();
      const response = await pool.request({ method: "GET", path: endpoint.path, headers: { authorization: `Bearer ${key}` } });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`GET ${endpoint.path} answered ${response.statusCode}: ${text.slice(0, 300)}`);
      latencies[i]?.push(Number(process.hrtime.bigint() - sent) / 1e6);
    }
  } finally {
    await pool.close();
  }
  for (const list of latencies) list.sort((a, b) => a - b);
  return latencies;
}

// ------------------------------------------------------------------ the replica's lag

interface LagSample {
  /** Max of /api/ready's checks.replica.lag_seconds over the instances and samples; null when none reported one. */
  readyLag: number | null;
  /** Max of pg_stat_replication.replay_lag (seconds) and of the bytes not replayed yet. */
  replayLag: number;
  replayBytes: number;
  samples: number;
  /** /api/ready's checks.replica.reads_from, counted over the instances and samples. */
  readsFrom: Map<string, number>;
  /** Each sample: when (Date.now()), /api/ready's largest lag_seconds (null: none), pg_stat_replication's replay_lag. */
  series: { at: number; ready: number | null; replay: number }[];
}

/** The largest /api/ready lag among the samples taken from `from` on; null when none reported one. */
function readyLagFrom(lag: LagSample, from: number): number | null {
  const values = lag.series.filter((s) => s.at >= from && s.ready !== null).map((s) => s.ready as number);
  return values.length ? Math.max(...values) : null;
}

/** Samples the replica's lag every SAMPLE_MS until stopped: /api/ready of each instance (when it has a replica) and pg_stat_replication. */
function sampleLag(primaryAdmin: pg.Pool, apps: AppProcess[]): { stop: () => Promise<LagSample> } {
  const sample: LagSample = { readyLag: null, replayLag: 0, replayBytes: 0, samples: 0, readsFrom: new Map(), series: [] };
  let stopping = false;
  const loop = (async () => {
    while (!stopping) {
      const [ready, replication] = await Promise.all([
        Promise.all(
          apps.map(async (app) => {
            const response = await fetch(`${app.baseUrl}/api/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => null);
            const report = (await response?.json().catch(() => null)) as { checks?: { replica?: { lag_seconds?: number | null; reads_from?: string } } } | null;
            const replica = report?.checks?.replica;
            if (replica?.reads_from) sample.readsFrom.set(replica.reads_from, (sample.readsFrom.get(replica.reads_from) ?? 0) + 1);
            return replica?.lag_seconds ?? null;
          }),
        ),
        primaryAdmin
          .query<{ bytes: string | null; lag: string | null }>(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS bytes, extract(epoch FROM replay_lag)::text AS lag FROM pg_stat_replication",
          )
          .then((result) => result.rows)
          .catch(() => []),
      ]);
      const at = Date.now();
      let readyMax: number | null = null;
      for (const lag of ready) if (lag !== null) readyMax = Math.max(readyMax ?? 0, lag);
      if (readyMax !== null) sample.readyLag = Math.max(sample.readyLag ?? 0, readyMax);
      let replayMax = 0;
      for (const row of replication) {
        sample.replayBytes = Math.max(sample.replayBytes, Number(row.bytes ?? 0));
        replayMax = Math.max(replayMax, Number(row.lag ?? 0));
      }
      sample.replayLag = Math.max(sample.replayLag, replayMax);
      sample.series.push({ at, ready: readyMax, replay: replayMax });
      sample.samples++;
      await sleep(SAMPLE_MS);
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return sample;
    },
  };
}

/** Until the replica has replayed everything the primary had written when asked. */
async function waitForReplica(primaryAdmin: pg.Pool, replica: DebianPostgres, timeoutMs = 120_000): Promise<number> {
  const started = Date.now();
  const target = (await primaryAdmin.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn")).rows[0]?.lsn;
  const replicaAdmin = new pg.Client({ connectionString: replica.adminUrl });
  await replicaAdmin.connect();
  try {
    for (;;) {
      const behind = await replicaAdmin.query<{ behind: string }>("SELECT pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::text AS behind", [target]);
      if (Number(behind.rows[0]?.behind) <= 0) return (Date.now() - started) / 1000;
      if (Date.now() - started > timeoutMs) throw new Error(`the replica is still ${behind.rows[0]?.behind} bytes behind after ${timeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    await replicaAdmin.end();
  }
}

/** Autovacuum and autoanalyze runs and checkpoints so far on the primary: background work that may land in a phase. */
async function backgroundCounts(primaryAdmin: pg.Pool): Promise<{ autovacuum: number; checkpoints: number }> {
  const vacuums = await primaryAdmin.query<{ n: string }>("SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0)::text AS n FROM pg_stat_all_tables");
  // PostgreSQL 17 moved the checkpoint counters to pg_stat_checkpointer.
  const checkpoints = await primaryAdmin
    .query<{ n: string }>("SELECT (num_timed + num_requested)::text AS n FROM pg_stat_checkpointer")
    .catch(() => primaryAdmin.query<{ n: string }>("SELECT (checkpoints_timed + checkpoints_req)::text AS n FROM pg_stat_bgwriter"));
  return { autovacuum: Number(vacuums.rows[0]?.n ?? 0), checkpoints: Number(checkpoints.rows[0]?.n ?? 0) };
}

// ------------------------------------------------------------------ the bench

interface IngestPhase {
  instances: number;
  result: DriveResult;
  cpu: CpuUse;
  lag: LagSample;
  background: { autovacuum: number; checkpoints: number };
  load: string;
}

interface ReadRun {
  readsOn: "primary (through PgBouncer)" | "replica (DATABASE_READ_URL, direct)";
  idle: number[][];
  busy: number[][];
  ingest: DriveResult;
  lag: LagSample;
  cpu: CpuUse;
  caughtUpSeconds: number;
  load: string;
  ingestStarted: number;
  readsStarted: number;
}

/** CPU seconds per second of each group during a run: how many of the cores it kept busy. */
function coresUsed(cpu: CpuUse): string {
  return cpu.groups.map(([name, seconds]) => `${name} ${(seconds / cpu.wallSeconds).toFixed(2)}`).join(", ");
}

async function main(): Promise<void> {
  const available = debianPostgresAvailable();
  if (!available.ok) throw new Error(`cannot run: ${available.reason}`);
  rmSync(ROOT, { recursive: true, force: true });
  say(`load average before: ${loadAverage()} (${os.cpus().length} cores, shared machine)`);

  let primary: DebianPostgres | undefined;
  let replica: DebianPostgres | undefined;
  let bouncer: PgBouncer | undefined;
  let proxy: ProxyProcess | undefined;
  let admin: pg.Pool | undefined;
  const apps: AppProcess[] = [];
  const stopApps = async () => {
    for (const app of apps.splice(0)) await app.stop("SIGTERM").catch(() => null);
  };
  try {
    // ---------------------------------------------------------------- the database, its data, the replica
    primary = await startDebianPrimary({ dir: path.join(ROOT, "primary") });
    const applied = await migrateDirectly(primary);
    say(`PostgreSQL ${available.bin.split("/").at(-2)} primary on port ${primary.port}; ${applied.length} migrations applied directly`);
    admin = new pg.Pool({ connectionString: primary.adminUrl.replace(/\/postgres$/, "/burnrate"), max: 2 });
    admin.on("error", () => {});
    const machine = await describeMachine(admin);
    say(`machine: ${machine}`);

    const seedPool = new pg.Pool({ connectionString: primary.url, max: 4 });
    const seedStarted = Date.now();
    const seeded = await seedDemo(seedPool, { days: DAYS, eventsPerDay: EVENTS_PER_DAY, seed: 42, workflows: false }).finally(() => seedPool.end());
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    say(`seeded ${formatCount(seeded.events)} events, ${formatCount(seeded.outcomes)} outcomes over ${DAYS} days in ${seedSeconds.toFixed(1)} s`);
    const vacuumStarted = Date.now();
    await admin.query("VACUUM (ANALYZE)");
    const size = (await admin.query<{ size: string }>("SELECT pg_size_pretty(pg_database_size('burnrate')) AS size")).rows[0]?.size;
    say(`VACUUM (ANALYZE) in ${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s; database ${size}`);
    const replicaStarted = Date.now();
    replica = await startDebianReplica(primary, { dir: path.join(ROOT, "replica") });
    say(`replica on port ${replica.port} (pg_basebackup of ${size} in ${((Date.now() - replicaStarted) / 1000).toFixed(1)} s), streaming`);
    bouncer = await startPgBouncer(primary, { dir: path.join(ROOT, "pgbouncer"), poolMode: "transaction", poolSize: SERVER_POOL });
    say(`PgBouncer on port ${bouncer.port}: pool_mode=transaction, ${SERVER_POOL} server connections for the instances' pools of ${APP_POOL}`);

    // Keys written straight to the primary, hashed with the instances' secret.
    const secrets = clusterSecrets();
    Object.assign(process.env, secrets, { DATABASE_URL: primary.url, BURNRATE_DATA_DIR: path.join(ROOT, "bench") });
    const actor = { kind: "system", label: "bench-cluster" } as const;
    const mint = async (name: string, scopes: ("ingest" | "read")[]) =>
      (await storeKey(actor, { name, scopes, team: null, createdById: null, expiresAt: null })).key.secret;
    const ingestKey = await mint("bench-cluster-ingest", ["ingest"]);
    const readKey = await mint("bench-cluster-read", ["read"]);

    const appEnv = (name: string, readUrl?: string) =>
      instanceEnv({
        databaseUrl: bouncer!.url,
        secrets,
        dataDir: path.join(ROOT, `app-${name}`),
        poolSize: APP_POOL,
        extra: {
          BURNRATE_RATE_LIMIT_PER_SECOND: "100000",
          BURNRATE_RATE_LIMIT_BURST: "100000",
          ...(readUrl ? { DATABASE_READ_URL: readUrl } : {}),
        },
      });
    const postmasters = { primary: pidFromFile(path.join(primary.dataDir, "postmaster.pid")), replica: pidFromFile(path.join(replica.dataDir, "postmaster.pid")) };
    const bouncerPid = pidFromFile(path.join(ROOT, "pgbouncer", "pgbouncer.pid"));
    const processesOf = (names: string[]): Processes => ({
      instances: apps.map((app, i) => ({ name: names[i] ?? String(i), pid: app.child.pid ?? 0 })),
      ...postmasters,
      bouncer: bouncerPid,
      proxy: proxy?.pid ?? 0,
    });
    const proxyToInstances = async () => {
      await proxy?.close();
      proxy = await startProxyProcess(apps.map((app) => app.baseUrl));
    };
    const warmIngest = async () => {
      // Routes compiled, caches and pools filled on every instance: two small batches each, through the proxy.
      for (const body of makeBodies(`warm${randomBytes(3).toString("hex")}`, 2 * apps.length, 50)) {
        const response = await fetch(`${proxy!.url}/api/v1/events`, { method: "POST", headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" }, body });
        const text = await response.text();
        if (response.status !== 200) throw new Error(`a warm-up batch was answered ${response.status}: ${text.slice(0, 300)}`);
      }
    };

    // ---------------------------------------------------------------- 1. ingest throughput, one instance then two
    const phases: IngestPhase[] = [];
    const ingestPhase = async (names: string[]) => {
      await warmIngest();
      await waitForReplica(admin!, replica!);
      const bodies = makeBodies(randomBytes(4).toString("hex"), BATCHES, BATCH_SIZE);
      let next = 0;
      const backgroundBefore = await backgroundCounts(admin!);
      const lag = sampleLag(admin!, []);
      const before = cpuSnapshot(processesOf(names));
      const result = await drive(`${proxy!.url}/api/v1/events`, ingestKey, () => bodies[next++]);
      const after = cpuSnapshot(processesOf(names));
      const lagSample = await lag.stop();
      const backgroundAfter = await backgroundCounts(admin!);
      const phase: IngestPhase = {
        instances: names.length,
        result,
        cpu: cpuUse(before, after),
        lag: lagSample,
        background: { autovacuum: backgroundAfter.autovacuum - backgroundBefore.autovacuum, checkpoints: backgroundAfter.checkpoints - backgroundBefore.checkpoints },
        load: loadAverage(),
      };
      phases.push(phase);
      say(
        `${names.length} instance(s): ${formatCount(result.accepted)} events in ${result.seconds.toFixed(1)} s = ${formatCount(result.accepted / result.seconds)} events/s; ` +
          `batch p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}`,
      );
      say(`  CPU ms per batch: ${phase.cpu.groups.map(([name, seconds]) => `${name} ${((seconds / result.batches) * 1000).toFixed(1)}`).join(", ")}`);
      say(`  machine busy ${((phase.cpu.busy / phase.cpu.wallSeconds / os.cpus().length) * 100).toFixed(0)}% of ${os.cpus().length} cores; load ${phase.load}; replay lag max ${phase.lag.replayLag.toFixed(2)} s`);
    };

    await startInstances(apps, ["A"], (name) => appEnv(name.toLowerCase()), (app, name) => say(`instance ${name} ready on ${app.baseUrl}`));
    await proxyToInstances();
    await ingestPhase(["A"]);
    await startInstances(apps, ["B"], (name) => appEnv(name.toLowerCase()), (app, name) => say(`instance ${name} ready on ${app.baseUrl}`));
    await proxyToInstances();
    await ingestPhase(["A", "B"]);

    // ---------------------------------------------------------------- 2. dashboard latency under ingest, primary then replica
    const endpoints = readEndpoints();
    const runs: ReadRun[] = [];
    const readRun = async (readsOn: ReadRun["readsOn"]) => {
      const caughtUpSeconds = await waitForReplica(admin!, replica!);
      // Warm: every endpoint on both instances (the proxy alternates), then the idle reads.
      let warmRounds = 0;
      await readLoop(proxy!.url, readKey, endpoints, () => warmRounds++ >= 4 * endpoints.length);
      const idleUntil = Date.now() + IDLE_MS;
      const idle = await readLoop(proxy!.url, readKey, endpoints, () => Date.now() >= idleUntil);
      const nextBody = recentBodies();
      let ingesting = true;
      const before = cpuSnapshot(processesOf(["A", "B"]));
      const lag = sampleLag(admin!, apps);
      const ingestStarted = Date.now();
      let readsStarted = ingestStarted;
      const ingest = drive(`${proxy!.url}/api/v1/events`, ingestKey, () => (ingesting ? nextBody() : undefined));
      let busy: number[][];
      try {
        await sleep(1_000);
        readsStarted = Date.now();
        const readUntil = readsStarted + READ_MS;
        busy = await readLoop(proxy!.url, readKey, endpoints, () => Date.now() >= readUntil);
      } finally {
        ingesting = false;
      }
      const ingested = await ingest;
      const after = cpuSnapshot(processesOf(["A", "B"]));
      const run: ReadRun = {
        readsOn,
        idle,
        busy,
        ingest: ingested,
        lag: await lag.stop(),
        cpu: cpuUse(before, after),
        caughtUpSeconds,
        load: loadAverage(),
        ingestStarted,
        readsStarted,
      };
      runs.push(run);
      say(`reads on the ${readsOn}, ${CLIENTS} clients ingesting ${formatCount(ingested.accepted / ingested.seconds)} events/s meanwhile:`);
      endpoints.forEach((endpoint, i) => {
        const list = busy[i] ?? [];
        say(
          `  ${endpoint.name}: n=${list.length} p50 ${ms(percentile(list, 50))} p95 ${ms(percentile(list, 95))} p99 ${ms(percentile(list, 99))} (idle p50 ${ms(percentile(idle[i] ?? [], 50))})`,
        );
      });
      const whileReading = readyLagFrom(run.lag, readsStarted);
      say(
        `  replica lag: /api/ready max ${run.lag.readyLag === null ? "n/a (no replica configured)" : `${run.lag.readyLag.toFixed(3)} s (while reading: ${whileReading?.toFixed(3) ?? "?"} s)`}, ` +
          `pg_stat_replication replay_lag max ${run.lag.replayLag.toFixed(3)} s, ${formatCount(run.lag.replayBytes)} bytes behind at most; load ${run.load}`,
      );
      say(
        `  lag samples (s after the ingest started: /api/ready, replay_lag): ${run.lag.series
          .slice(0, 8)
          .map((x) => `${((x.at - ingestStarted) / 1000).toFixed(1)}: ${x.ready?.toFixed(3) ?? "–"}, ${x.replay.toFixed(3)}`)
          .join("; ")} …`,
      );
      say(`  /api/ready reads_from: ${readsFromText(run.lag)}; CPU cores used: ${coresUsed(run.cpu)}`);
    };

    await readRun("primary (through PgBouncer)");
    await proxy?.close();
    proxy = undefined;
    await stopApps();
    await startInstances(apps, ["A", "B"], (name) => appEnv(name.toLowerCase(), replica!.url), (app, name) => say(`instance ${name} ready on ${app.baseUrl} with DATABASE_READ_URL → replica`));
    await proxyToInstances();
    await readRun("replica (DATABASE_READ_URL, direct)");

    // ---------------------------------------------------------------- 3. the report
    const section = report({ machine, seeded: seeded.events, seedSeconds, size: size ?? "?", phases, runs, endpoints });
    process.stdout.write(`\n${section}\n\n`);
    say(`load average after: ${loadAverage()}; bench took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (values.record) writeBenchmarkSection("cluster", section);
  } catch (error) {
    for (const app of apps) {
      const lines = app.output().split("\n").filter((line) => /"level":"(error|fatal)"/.test(line));
      for (const line of lines.slice(-15)) say(`instance ${app.baseUrl}: ${line.slice(0, 1_500)}`);
    }
    throw error;
  } finally {
    await stopApps();
    await proxy?.close();
    await admin?.end();
    await disconnect().catch(() => {});
    await bouncer?.stop();
    await replica?.stop();
    await primary?.stop();
    // Gigabytes of data: not kept.
    if (existsSync(ROOT)) rmSync(ROOT, { recursive: true, force: true });
  }
}

function lagText(seconds: number | null): string {
  return seconds === null ? "– (no replica configured)" : `${seconds.toFixed(3)} s`;
}

function readsFromText(lag: LagSample): string {
  if (lag.readsFrom.size === 0) return "– (primary)";
  const answers = [...lag.readsFrom.values()].reduce((sum, n) => sum + n, 0);
  return [...lag.readsFrom].map(([where, n]) => `${where} in ${n} of ${answers} answers`).join(", ");
}

function report(input: {
  machine: string;
  seeded: number;
  seedSeconds: number;
  size: string;
  phases: IngestPhase[];
  runs: ReadRun[];
  endpoints: ReadEndpoint[];
}): string {
  const { phases, runs, endpoints } = input;
  const cores = os.cpus().length;
  const perBatch = (phase: IngestPhase, name: string) => {
    const entry = phase.cpu.groups.find(([group]) => group === name);
    return entry ? ((entry[1] / phase.result.batches) * 1000).toFixed(1) : "–";
  };
  // The instances first (A, then B, then both together), then the rest in measuring order.
  const seen = [...new Set(phases.flatMap((phase) => phase.cpu.groups.map(([name]) => name)))];
  const instanceNames = seen.filter((name) => name.startsWith("instance "));
  const groupNames = [...instanceNames, ...seen.filter((name) => !name.startsWith("instance "))];
  const instancesTogether = (phase: IngestPhase) =>
    ((phase.cpu.groups.filter(([name]) => name.startsWith("instance ")).reduce((sum, [, seconds]) => sum + seconds, 0) / phase.result.batches) * 1000).toFixed(1);
  const busyShare = (cpu: CpuUse) => `${((cpu.busy / cpu.wallSeconds / cores) * 100).toFixed(0)}%`;
  const throughput = phases.map((phase) => {
    const { result } = phase;
    return (
      `| ${phase.instances === 1 ? "one instance" : `${phase.instances} instances`} | ${formatCount(result.accepted)} | ${result.seconds.toFixed(1)} | ` +
      `${formatCount(result.accepted / result.seconds)} | ${ms(percentile(result.latencies, 50))} | ${ms(percentile(result.latencies, 99))} | ` +
      `${busyShare(phase.cpu)} | ${phase.lag.replayLag.toFixed(2)} s | ${phase.background.autovacuum} / ${phase.background.checkpoints} |`
    );
  });
  const cpuRows = groupNames.map((name) => `| ${name} | ${phases.map((phase) => perBatch(phase, name)).join(" | ")} |`);
  cpuRows.splice(instanceNames.length, 0, `| the instances together | ${phases.map(instancesTogether).join(" | ")} |`);
  const cpuTotal = `| **all of the machine** | ${phases.map((phase) => ((phase.cpu.busy / phase.result.batches) * 1000).toFixed(1)).join(" | ")} |`;
  const readRows = runs.flatMap((run) =>
    endpoints.map((endpoint, i) => {
      const busy = run.busy[i] ?? [];
      return (
        `| ${endpoint.name} | ${run.readsOn} | ${ms(percentile(run.idle[i] ?? [], 50))} | ${busy.length} | ` +
        `${ms(percentile(busy, 50))} | ${ms(percentile(busy, 95))} | ${ms(percentile(busy, 99))} |`
      );
    }),
  );
  const runRows = runs.map(
    (run) =>
      `| ${run.readsOn} | ${formatCount(run.ingest.accepted / run.ingest.seconds)} | ${ms(percentile(run.ingest.latencies, 50))} | ` +
      `${lagText(readyLagFrom(run.lag, run.readsStarted))} | ${lagText(readyLagFrom(run.lag, 0))} | ${run.lag.replayLag.toFixed(3)} s | ` +
      `${formatCount(run.lag.replayBytes / 1024)} KiB | ${readsFromText(run.lag)} | ${busyShare(run.cpu)} |`,
  );
  const runGroups = [...new Set(runs.flatMap((run) => run.cpu.groups.map(([name]) => name)))];
  const runCpuRows = [
    ...runGroups.map(
      (name) =>
        `| ${name} | ${runs.map((run) => ((run.cpu.groups.find(([group]) => group === name)?.[1] ?? 0) / run.cpu.wallSeconds).toFixed(2)).join(" | ")} |`,
    ),
    `| **all of the machine** | ${runs.map((run) => (run.cpu.busy / run.cpu.wallSeconds).toFixed(2)).join(" | ")} |`,
  ];
  const [one, two] = phases;
  const gain = one && two ? (two.result.accepted / two.result.seconds / (one.result.accepted / one.result.seconds) - 1) * 100 : Number.NaN;
  const endpointList = endpoints.map((endpoint) => `\`GET ${endpoint.path.replace(/from=[^&]+&to=[^&]+/, "from=…&to=…")}\``).join(", ");
  return `## Several instances and a read replica (\`npm run bench:cluster\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${input.machine}; load average ${phases[0]?.load ?? "?"} after the first phase. Everything runs on
this one shared machine: Debian's PostgreSQL primary, a streaming replica of it (pg_basebackup, same
disk), PgBouncer in transaction mode (${SERVER_POOL} server connections for the instances' pools of ${APP_POOL}), the
\`npm start\` processes (DATABASE_URL → PgBouncer), a round-robin proxy (Node, a process of its own) and
the clients (undici, keep-alive). The primary holds ${formatCount(input.seeded)} demo events over ${DAYS} days
(${formatCount(EVENTS_PER_DAY)} a day; seeded in ${input.seedSeconds.toFixed(0)} s, then VACUUM ANALYZE; ${input.size}).

### Ingest through the proxy: one instance, then two

${CLIENTS} concurrent senders, ${formatCount(BATCHES)} batches of ${formatCount(BATCH_SIZE)} demo-like events per phase (fresh ids), every answer a 200.

| app processes | events | seconds | events/s | batch p50 | batch p99 | machine busy (of ${cores} cores) | replica replay lag, max | autovacuums / checkpoints during the phase |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
${throughput.join("\n")}

Two instances: ${Number.isFinite(gain) ? `${gain >= 0 ? "+" : ""}${gain.toFixed(0)}%` : "?"} events/s against one. CPU milliseconds per batch of ${formatCount(BATCH_SIZE)} (from /proc: each process's
user + system time, a server's reaped children included; "other processes" is the machine's busy time
minus all of these, i.e. what else ran on the shared machine meanwhile):

| process | ${phases.map((phase) => (phase.instances === 1 ? "one instance" : `${phase.instances} instances`)).join(" | ")} |
|---|${phases.map(() => "---:").join("|")}|
${cpuRows.join("\n")}
${cpuTotal}

### Dashboard reads while ${CLIENTS} clients ingest, on the primary and on the replica

One reader requests ${endpointList} in turn (the last 30 UTC days, today included; a \`read\` key), one at
a time through the proxy, for ${(READ_MS / 1000).toFixed(0)} s while ${CLIENTS} clients ingest demo-like batches of the last hour
continuously through it; idle: the same reads for ${(IDLE_MS / 1000).toFixed(0)} s just before the ingest starts. Two instances,
started without DATABASE_READ_URL (reads on the primary through PgBouncer), then again with it
pointing at the replica (directly).

| read | reads on | idle p50 | n under ingest | p50 | p95 | p99 |
|---|---|---:|---:|---:|---:|---:|
${readRows.join("\n")}

| reads on | ingest meanwhile, events/s | batch p50 | /api/ready lag_seconds, max while reading | the same, from the ingest's start | pg_stat_replication replay_lag, max | WAL not replayed, max | /api/ready's reads_from | machine busy |
|---|---:|---:|---:|---:|---:|---:|---|---:|
${runRows.join("\n")}

CPU cores kept busy during each run (CPU seconds per second, from /proc as above):

| process | ${runs.map((run) => `reads on the ${run.readsOn.split(" ")[0]}`).join(" | ")} |
|---|${runs.map(() => "---:").join("|")}|
${runCpuRows.join("\n")}

Notes:
- Every process shares the same ${cores} cores: the second instance cannot add CPU that is not there, so
  the question these numbers answer is what the extra process costs or gains when the machine is
  already busy (the instance's JavaScript runs on one core; PostgreSQL, PgBouncer, the proxy and the
  clients take the rest). On a host of its own per instance, or with PostgreSQL elsewhere, the
  result differs.
- The replica shares the disk and the CPU with the primary: it applies the same WAL on the same
  cores, so moving reads to it takes them off the primary's locks and buffers, not off the
  machine. The reads' p99 comes from about ${Math.min(...runs.flatMap((run) => run.busy.map((list) => list.length)))} samples per endpoint and run.
- The phases run one after the other on the same database (one instance first); autovacuum and
  checkpoints are counted per phase because they land where they land. The machine is shared:
  "other processes" and the load averages say how much else ran.`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
