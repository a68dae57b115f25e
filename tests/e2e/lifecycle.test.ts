import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { openDatabase } from "@/lib/db/server";
import { afterAll, describe, expect, it } from "vitest";
import { startApp, type AppProcess } from "../setup/app-process";

// `npm start` twice on one data directory, stopped by Ctrl-C and by SIGKILL.
const dataDir = path.resolve(".data/e2e-lifecycle");
const env = {
  BURNRATE_DATA_DIR: dataDir,
  BURNRATE_DEMO: "1",
  BURNRATE_DEMO_DAYS: "2",
  BURNRATE_DEMO_EVENTS_PER_DAY: "300",
  // This test scrapes /api/metrics from here.
  BURNRATE_METRICS_ALLOW: "127.0.0.1",
};
const running: AppProcess[] = [];

function postgresProcessesFor(dir: string): string[] {
  const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return ps.split("\n").filter((line) => line.includes("postgres") && line.includes(path.join(dir, "pg")));
}

async function start(): Promise<AppProcess> {
  const app = await startApp(env);
  running.push(app);
  return app;
}

afterAll(async () => {
  for (const app of running) await app.stop("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.env.DATABASE_URL)("npm start lifecycle (embedded PostgreSQL)", () => {
  it("first start migrates and seeds; Ctrl-C stops app and database cleanly", async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const app = await start();
    expect(app.output()).toMatch(/Applied migrations: \d{14}_init/);
    expect(app.output()).toMatch(/Seeded [\d,]+ events/);
    expect(app.output()).toContain("Demo accounts");
    expect((await fetch(`${app.baseUrl}/`)).status).toBe(200);
    // The fold ran at start (and every 2 s since), and the metrics say so.
    const scrape = await (await fetch(`${app.baseUrl}/api/metrics`)).text();
    const folded = /^burnrate_rollup_folds_total\{outcome="folded"\} (\d+)$/m.exec(scrape);
    expect(Number(folded?.[1])).toBeGreaterThanOrEqual(1);
    expect(scrape).toMatch(/^burnrate_rollup_folds_total\{outcome="error"\} 0$/m);

    expect(await app.stop("SIGINT")).toBe(0);
    expect(app.output()).toContain("Stopped.");
    expect(postgresProcessesFor(dataDir)).toEqual([]);
    expect(existsSync(path.join(dataDir, "pg", "postmaster.pid"))).toBe(false);
    expect(existsSync(path.join(dataDir, "burnrate.pid"))).toBe(false);
  });

  it("second start reuses the data: no migration, no reseed, no rebuild", async () => {
    const app = await start();
    expect(app.output()).toContain("Database schema is up to date.");
    expect(app.output()).not.toMatch(/Seeded/);
    expect(app.output()).toContain("Production build is up to date.");
    expect((await fetch(`${app.baseUrl}/`)).status).toBe(200);
    expect(await app.stop("SIGTERM")).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });

  it("SIGTERM: an in-flight request finishes and is stored, new connections are refused, exit 0", async () => {
    const app = await start();
    const created = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", "key", "create", "--name", "shutdown", "--scope", "ingest"], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    expect(created.status).toBe(0);
    const key = created.stdout.trimEnd().split("\n").at(-1) as string;
    const id = `shutdown-${Date.now()}`;
    const body = JSON.stringify({ events: [{ id, timestamp: new Date().toISOString(), provider: "openai", model: "gpt-4o-mini", usage: { input_tokens: 10, output_tokens: 1 } }] });
    const url = new URL(`${app.baseUrl}/api/v1/events`);

    // Headers and half the body now; the rest after SIGTERM has begun the shutdown.
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
        (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on("error", reject);
      request.write(body.slice(0, 20));
      setTimeout(() => {
        app.child.kill("SIGTERM");
        setTimeout(() => request.end(body.slice(20)), 1_000);
      }, 300);
    });
    // While it drains, the listener is closed: a new connection is refused.
    await new Promise((resolve) => setTimeout(resolve, 800));
    await expect(fetch(`${app.baseUrl}/api/health`)).rejects.toThrow();
    const { status, text } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ accepted: 1 });
    expect(await app.stop()).toBe(0);
    expect(app.output()).toContain("Stopped.");
    expect(postgresProcessesFor(dataDir)).toEqual([]);

    // Committed before the answer: there after the restart of the database.
    const db = await openDatabase({ dataDir, attachToRunning: true });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      expect((await client.query("SELECT id FROM usage_events WHERE id = $1", [id])).rows).toEqual([{ id }]);
    } finally {
      await client.end();
      await db.stop();
    }
  });

  it("recovers from a killed run: the orphaned database is stopped and started again", async () => {
    const killed = await start();
    killed.child.kill("SIGKILL");
    await killed.stop();
    expect(postgresProcessesFor(dataDir).length).toBeGreaterThan(0); // left behind by SIGKILL

    const app = await start();
    expect((await fetch(`${app.baseUrl}/`)).status).toBe(200);
    expect(await app.stop("SIGINT")).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });
});
