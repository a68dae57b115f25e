import path from "node:path";
import type { TestProject } from "vitest/node";
import { openDatabase } from "@/lib/db/server";
import { applyMigrations } from "@/lib/db/migrate";
import { databaseUrl, dropDatabase, withAdminClient } from "./test-database";

declare module "vitest" {
  export interface ProvidedContext {
    testServerUrl: string;
    templateDatabase: string;
  }
}

/**
 * Starts the test PostgreSQL (DATABASE_URL's server when set, else an embedded one under
 * .data/test-pg, or BURNRATE_TEST_PG_DIR so that two runs side by side do not share a
 * server) and migrates a template database that each test file clones.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const db = await openDatabase({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.resolve(process.env.BURNRATE_TEST_PG_DIR ?? ".data/test-pg"),
    attachToRunning: false,
  });
  const template = `burnrate_template_${process.pid}`;
  await dropDatabase(db.url, template);
  await withAdminClient(db.url, (client) => client.query(`CREATE DATABASE "${template}"`));
  await applyMigrations(databaseUrl(db.url, template));

  project.provide("testServerUrl", db.url);
  project.provide("templateDatabase", template);

  return async () => {
    await dropDatabase(db.url, template);
    // Databases of files that crashed before their own cleanup.
    await withAdminClient(db.url, async (client) => {
      const leftovers = await client.query<{ datname: string }>(
        "SELECT datname FROM pg_database WHERE datname LIKE 'burnrate_test_%'",
      );
      for (const { datname } of leftovers.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
    await db.stop();
  };
}
