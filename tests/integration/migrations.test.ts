import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { applyMigrations, diffSchemas, hasStatements, listMigrations, SCHEMA_PATH, SNAPSHOT_PATH } from "@/lib/db/migrate";
import { createDatabase, databaseUrl, dropDatabase } from "../setup/test-database";

// The offline migration path: Prisma's WASM schema engine, no native binary, no network.
const serverUrl = inject("testServerUrl");
const created: string[] = [];

async function emptyDatabase(): Promise<string> {
  const name = await createDatabase(serverUrl, "burnrate_test_mig");
  created.push(name);
  return databaseUrl(serverUrl, name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of created) await dropDatabase(serverUrl, name);
});

describe("migrations with the WASM schema engine", () => {
  it("applies every migration folder to an empty database and records it like prisma migrate deploy", async () => {
    const url = await emptyDatabase();
    const folders = listMigrations().migrationDirectories.map((d) => d.path);
    expect(folders.length).toBeGreaterThan(0);

    expect(await applyMigrations(url)).toEqual(folders);

    const history = await query<{ migration_name: string; finished: boolean; checksum: string }>(
      url,
      "SELECT migration_name, finished_at IS NOT NULL AS finished, checksum FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(history.map((row) => row.migration_name)).toEqual(folders);
    expect(history.every((row) => row.finished && /^[0-9a-f]{64}$/.test(row.checksum))).toBe(true);

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(["usage_events", "usage_rollup_hourly", "prices", "teams", "users", "api_keys", "audit_log"]),
    );
    // The hand-written part of the first migration is there too.
    const indexes = await query<{ indexname: string }>(url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'");
    expect(indexes.map((i) => i.indexname)).toContain("usage_rollup_hourly_dimensions_key");
    // Ingest's pending rollup rows: no key, no index, no sequence, rows identified whole for logical
    // replication, and the old id column kept (NULL, no default) so that older backups restore.
    const pending = await query<{ indexes: number; identity: string; id_nullable: string; id_default: string | null; sequences: number }>(
      url,
      `SELECT (SELECT count(*)::int FROM pg_indexes WHERE tablename = 'usage_rollup_pending') AS indexes,
              (SELECT relreplident::text FROM pg_class WHERE relname = 'usage_rollup_pending') AS identity,
              c.is_nullable AS id_nullable, c.column_default AS id_default,
              (SELECT count(*)::int FROM pg_class WHERE relkind = 'S' AND relname = 'usage_rollup_pending_id_seq') AS sequences
       FROM information_schema.columns c WHERE c.table_name = 'usage_rollup_pending' AND c.column_name = 'id'`,
    );
    expect(pending).toEqual([{ indexes: 0, identity: "f", id_nullable: "YES", id_default: null, sequences: 0 }]);
  });

  it("is a no-op the second time", async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    expect(await applyMigrations(url)).toEqual([]);
  });

  it("has a migration for every change to schema.prisma", async () => {
    const url = await emptyDatabase();
    const pending = await diffSchemas(url, readFileSync(SNAPSHOT_PATH, "utf8"), readFileSync(SCHEMA_PATH, "utf8"));
    expect(hasStatements(pending), `schema.prisma changed without a migration:\n${pending}`).toBe(false);
  });

  it("runs a migration whole: semicolons in comments and function bodies work, a failure rolls back", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "burnrate-migrations-"));
    const write = (name: string, sql: string) => {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, "migration.sql"), sql);
    };
    write(
      "20260101000000_ok",
      `-- a comment; with a semicolon
CREATE TABLE t_ok (id int);
CREATE FUNCTION f_ok() RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; RETURN 1; END $$;`,
    );
    write("20260102000000_broken", "CREATE TABLE t_half (id int);\nTHIS IS NOT SQL;");
    const url = await emptyDatabase();

    await expect(applyMigrations(url, dir)).rejects.toThrow(/syntax error/);

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_name IN ('t_ok', 't_half')",
    );
    expect(tables.map((t) => t.table_name)).toEqual(["t_ok"]);
    expect(await query<{ v: number }>(url, "SELECT f_ok() AS v")).toEqual([{ v: 1 }]);
  });
});
