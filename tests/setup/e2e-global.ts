import { rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { chromiumPath } from "../e2e/browser";
import { startApp } from "./app-process";
import { createDatabase, databaseUrl, dropDatabase } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    appDataDir: string;
    appDatabaseUrl: string;
  }
}

export const E2E_DEMO = { days: 45, eventsPerDay: 1500 };

/**
 * Builds (when needed) and starts the app exactly as `npm start` does, on a fresh data
 * directory with a small demo dataset; the browser tests then drive it in Chromium.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  chromiumPath(); // fail fast, with install instructions, before a long build
  const dataDir = path.resolve(".data/e2e");
  rmSync(dataDir, { recursive: true, force: true });

  const external = process.env.DATABASE_URL;
  const externalDb = external ? await createDatabase(external, "burnrate_e2e") : undefined;
  const env: Record<string, string> = {
    BURNRATE_DATA_DIR: dataDir,
    BURNRATE_DEMO: "1",
    BURNRATE_DEMO_DAYS: String(E2E_DEMO.days),
    BURNRATE_DEMO_EVENTS_PER_DAY: String(E2E_DEMO.eventsPerDay),
    // The alerts test's webhook receiver runs on 127.0.0.1: the outbound guard reaches loopback only when listed.
    BURNRATE_OUTBOUND_ALLOW: "127.0.0.1/32",
  };
  if (external && externalDb) env.DATABASE_URL = databaseUrl(external, externalDb);

  const app = await startApp(env);
  project.provide("baseUrl", app.baseUrl);
  project.provide("appDataDir", dataDir);
  project.provide("appDatabaseUrl", env.DATABASE_URL ?? "");

  return async () => {
    await app.stop("SIGTERM");
    if (external && externalDb) await dropDatabase(external, externalDb);
  };
}
