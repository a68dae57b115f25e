/**
 * The several-instances topology of docs/SCALING.md, as drill:cluster and bench:cluster start
 * it on one machine: a Debian PostgreSQL primary migrated directly (not through PgBouncer),
 * PgBouncer in front of it (scripts/cluster/debian-postgres.ts), N app processes started one
 * after the other as `npm start` runs them, sharing one set of secrets, and a round-robin HTTP
 * proxy in front of them (in this process, or in a Node process of its own so that its CPU can
 * be told apart from its callers').
 *
 *   const primary = await startDebianPrimary({ dir });
 *   await migrateDirectly(primary);
 *   const bouncer = await startPgBouncer(primary, { dir: bouncerDir, poolMode: "transaction" });
 *   const secrets = clusterSecrets();
 *   const env = (name: string) => instanceEnv({ databaseUrl: bouncer.url, secrets, dataDir: `${root}/app-${name}`, poolSize: 10 });
 *   const apps: AppProcess[] = [];
 *   await startInstances(apps, ["A", "B"], (name) => env(name.toLowerCase()));
 *   const proxy = await startProxy(apps.map((app) => app.baseUrl));
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { freePort, startApp, type AppProcess } from "../../tests/setup/app-process";
import type { DebianPostgres } from "./debian-postgres";

// ------------------------------------------------------------------ the database

/** Applies the migrations straight to the primary (its own url, not PgBouncer's); the names applied. */
export async function migrateDirectly(primary: DebianPostgres): Promise<string[]> {
  const { applyMigrations } = await import("@/lib/db/migrate");
  return applyMigrations(primary.url);
}

// ------------------------------------------------------------------ the instances

/** A fresh random secret (32 bytes, base64url). */
export function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

export interface ClusterSecrets {
  BURNRATE_SESSION_SECRET: string;
  BURNRATE_KEY_HASH_SECRET: string;
  BURNRATE_WEBHOOK_SECRET: string;
  BURNRATE_CONNECTION_SECRET: string;
}

/** The secrets every instance of one installation shares (sessions, key hashes, webhook and connection sealing). */
export function clusterSecrets(): ClusterSecrets {
  return {
    BURNRATE_SESSION_SECRET: newSecret(),
    BURNRATE_KEY_HASH_SECRET: newSecret(),
    BURNRATE_WEBHOOK_SECRET: newSecret(),
    BURNRATE_CONNECTION_SECRET: newSecret(),
  };
}

/** One instance's environment: the shared secrets, its database url (PgBouncer's), its own data directory, no demo data. */
export function instanceEnv(opts: {
  databaseUrl: string;
  secrets: ClusterSecrets;
  dataDir: string;
  poolSize: number;
  extra?: Record<string, string>;
}): Record<string, string> {
  return {
    ...opts.secrets,
    DATABASE_URL: opts.databaseUrl,
    BURNRATE_DATA_DIR: opts.dataDir,
    BURNRATE_DEMO: "0",
    BURNRATE_DB_POOL_SIZE: String(opts.poolSize),
    ...opts.extra,
  };
}

/**
 * Starts one instance per name, one after the other (they share the .next build: the first
 * builds when the sources changed), each pushed onto `apps` once ready, so a caller that
 * stops `apps` on failure stops the ones already started.
 */
export async function startInstances(
  apps: AppProcess[],
  names: string[],
  envOf: (name: string) => Record<string, string>,
  onReady?: (app: AppProcess, name: string) => void,
): Promise<AppProcess[]> {
  const started: AppProcess[] = [];
  for (const name of names) {
    const app = await startApp(envOf(name));
    apps.push(app);
    started.push(app);
    onReady?.(app, name);
  }
  return started;
}

// ------------------------------------------------------------------ the round-robin proxy

export interface Proxy {
  url: string;
  targets: string[];
  /** Requests sent to each target index, and 502s answered for it. */
  sent: number[];
  badGateway: number[];
  close: () => Promise<void>;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/** Each request to the next target in turn; bodies streamed both ways; 502 (Retry-After: 1) when the target cannot be reached. */
export async function startProxy(targets: string[]): Promise<Proxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const proxy: Proxy = { url: "", targets, sent: targets.map(() => 0), badGateway: targets.map(() => 0), close: async () => {} };
  let next = 0;
  const server = http.createServer((request, response) => {
    const index = next++ % proxy.targets.length;
    const target = new URL(proxy.targets[index] ?? "");
    proxy.sent[index] = (proxy.sent[index] ?? 0) + 1;
    const upstream = http.request(
      {
        host: "127.0.0.1",
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...withoutHopByHop(request.headers), host: target.host },
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, withoutHopByHop(answer.headers));
        answer.pipe(response);
        answer.on("error", () => response.destroy());
      },
    );
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (!response.headersSent) {
        proxy.badGateway[index] = (proxy.badGateway[index] ?? 0) + 1;
        const body = JSON.stringify({ error: { code: "unavailable", message: `instance ${index} unreachable (${error.code ?? error.message})`, details: [] } });
        response.writeHead(502, { "content-type": "application/json", "retry-after": "1", "content-length": Buffer.byteLength(body) });
        response.end(body);
      } else {
        response.destroy();
      }
    });
    request.on("error", () => upstream.destroy());
    request.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    agent.destroy();
  };
  return proxy;
}

export interface ProxyProcess {
  url: string;
  /** The proxy's own Node process: its CPU is read from /proc/<pid>. */
  pid: number;
  child: ChildProcess;
  close: () => Promise<void>;
}

/** The same proxy (startProxy, fixed targets) in a Node process of its own; killed when this process exits. */
export async function startProxyProcess(targets: string[], timeoutMs = 30_000): Promise<ProxyProcess> {
  const program = `
    const { startProxy } = await import(process.argv[1]);
    const proxy = await startProxy(JSON.parse(process.argv[2]));
    process.on("SIGTERM", () => void proxy.close().then(() => process.exit(0)));
    process.stdout.write("proxy ready on " + proxy.url + "\\n");`;
  const child = spawn(
    process.execPath,
    ["--import", path.resolve("scripts/node-hooks.mjs"), "--input-type=module", "-e", program, import.meta.url, JSON.stringify(targets)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy process did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /proxy ready on (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the proxy process exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    child,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      process.removeListener("exit", kill);
    },
  };
}
