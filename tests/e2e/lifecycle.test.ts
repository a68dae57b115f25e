import { execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startApp, type AppProcess } from "../setup/app-process";

// `npm start` twice on one data directory, stopped by Ctrl-C and by SIGKILL.
const dataDir = path.resolve(".data/e2e-lifecycle");
const env = {
  BURNRATE_DATA_DIR: dataDir,
  BURNRATE_DEMO: "1",
  BURNRATE_DEMO_DAYS: "2",
  BURNRATE_DEMO_EVENTS_PER_DAY: "300",
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
