import "server-only";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { SchemaEngine as SchemaEngineType, MigrationList } from "@prisma/schema-engine-wasm";

/**
 * Migrations without Prisma's native engine: the CLI downloads that binary from the
 * internet, which fails offline and in air-gapped installs. Prisma's own schema engine
 * compiled to WebAssembly (@prisma/schema-engine-wasm) applies the standard
 * prisma/migrations/<timestamp>_<name>/migration.sql folders through the pg driver
 * adapter and records them in _prisma_migrations, so `prisma migrate deploy` run
 * elsewhere sees the same history. The package's API is internal: versions are
 * pinned exactly and tests/integration/migrations.test.ts covers this path.
 */

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");
export const SCHEMA_PATH = path.resolve(process.cwd(), "prisma/schema.prisma");
/** Copy of the schema as of the latest migration; `migrate create` diffs against it. */
export const SNAPSHOT_PATH = path.join(MIGRATIONS_DIR, "schema.snapshot.prisma");

/**
 * PrismaPg's executeScript splits a migration on every ";" (even inside comments,
 * strings and function bodies) and runs the pieces one by one outside a transaction.
 * Sending the script whole uses PostgreSQL's simple query protocol instead: any valid
 * SQL works, and a failing migration rolls back completely (implicit transaction).
 * Consequence: statements that refuse transactions (CREATE INDEX CONCURRENTLY) need
 * a migration of their own with an explicit COMMIT first.
 */
class WholeScriptPg extends PrismaPg {
  override async connect(): ReturnType<PrismaPg["connect"]> {
    const adapter = await super.connect();
    adapter.executeScript = async (script: string) => {
      try {
        await adapter.underlyingDriver().query(script);
      } catch (error) {
        adapter["onError"](error);
      }
    };
    return adapter;
  }
}

/**
 * Prisma's schema engine serialises migrators with a session-level pg_advisory_lock(72707369)
 * that it never releases (it counts on its connection closing). Through a transaction-pooling
 * PgBouncer that session is a pooled server connection that stays open: the lock outlives the
 * run, and the next migrator on another server connection (another instance starting) waits
 * for it indefinitely. So the engine's lock statement is answered without locking, and
 * withEngine holds the same key as a transaction-level lock on a connection of its own for
 * the engine's whole run: still exclusive against `prisma migrate deploy` elsewhere (same key),
 * and released at COMMIT whatever sits between us and PostgreSQL.
 */
const PRISMA_MIGRATION_LOCK = 72_707_369;
const PRISMA_LOCK_STATEMENT = /^\s*SELECT\s+pg_advisory_lock\(\s*72707369\s*\)\s*;?\s*$/i;

function withoutSessionLock(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (config: unknown, ...rest: unknown[]) => unknown;
  const replaced = (config: unknown, ...rest: unknown[]) => {
    const text = typeof config === "string" ? config : (config as { text?: unknown } | null)?.text;
    if (typeof text !== "string" || !PRISMA_LOCK_STATEMENT.test(text)) return query(config, ...rest);
    const noLock = "SELECT NULL::void AS pg_advisory_lock";
    return query(typeof config === "string" ? noLock : { ...(config as object), text: noLock }, ...rest);
  };
  (pool as unknown as { query: typeof replaced }).query = replaced;
  return pool;
}

type EngineModule = typeof import("@prisma/schema-engine-wasm");
let engineModule: Promise<EngineModule> | undefined;

function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const glue = (await import(gluePath)) as EngineModule & {
      __wbg_set_wasm: (wasm: WebAssembly.Exports) => void;
    };
    const wasmBytes = readFileSync(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(wasmBytes, {
      "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return engineModule;
}

async function withEngine<T>(
  connectionString: string,
  datamodel: string | undefined,
  run: (engine: SchemaEngineType) => Promise<T>,
): Promise<T> {
  // The engine takes the adapter *factory* and never closes what it opens: give it a
  // pool of ours and end that pool afterwards.
  const pool = withoutSessionLock(new pg.Pool({ connectionString, max: 2, idleTimeoutMillis: 500, allowExitOnIdle: true }));
  // The engine's lock, held for its whole run as a transaction-level lock on a connection of our own.
  const lock = new pg.Client({ connectionString });
  lock.on("error", () => {});
  await lock.connect();
  try {
    await lock.query("BEGIN");
    await lock.query("SELECT pg_advisory_xact_lock($1::bigint)", [PRISMA_MIGRATION_LOCK]);
    return await runEngine(pool, datamodel, run);
  } finally {
    await lock.query("COMMIT").catch(() => {});
    await lock.end().catch(() => {});
  }
}

async function runEngine<T>(pool: pg.Pool, datamodel: string | undefined, run: (engine: SchemaEngineType) => Promise<T>): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(new WholeScriptPg(pool));
  const engine = await SchemaEngine.new(
    { datamodels: datamodel === undefined ? undefined : [["schema.prisma", datamodel]] },
    () => {},
    adapterFactory,
  );
  try {
    return await run(engine);
  } finally {
    engine.free();
    await pool.end();
  }
}

export function listMigrations(migrationsDir = MIGRATIONS_DIR): MigrationList {
  const lockPath = path.join(migrationsDir, "migration_lock.toml");
  const directories = existsSync(migrationsDir)
    ? readdirSync(migrationsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort((a, b) => a.localeCompare(b))
    : [];
  return {
    baseDir: migrationsDir,
    // Paths relative to baseDir, as the Prisma CLI passes them: the directory name is
    // the migration name recorded in _prisma_migrations.
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: directories.map((name) => {
      const sqlPath = path.join(migrationsDir, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(sqlPath)
            ? { tag: "ok" as const, value: readFileSync(sqlPath, "utf8") }
            : { tag: "error" as const, value: `missing ${sqlPath}` },
        },
      };
    }),
  };
}

const NO_FILTER = { externalTables: [], externalEnums: [] };

/** Applies every migration not yet recorded in _prisma_migrations; returns their names. */
export async function applyMigrations(connectionString: string, migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  return withEngine(connectionString, undefined, async (engine) => {
    const result = await engine.applyMigrations({
      migrationsList: listMigrations(migrationsDir),
      filters: NO_FILTER,
    });
    return result.appliedMigrationNames;
  });
}

/** SQL that turns a database matching `fromSchema` (null: empty) into one matching `toSchema`. */
export async function diffSchemas(
  connectionString: string,
  fromSchema: string | null,
  toSchema: string,
): Promise<string> {
  return withEngine(connectionString, toSchema, async (engine) => {
    const schemaTarget = (content: string) => ({
      tag: "schemaDatamodel" as const,
      files: [{ path: "schema.prisma", content }],
    });
    const result = await engine.diff({
      from: fromSchema === null ? { tag: "empty" } : schemaTarget(fromSchema),
      to: schemaTarget(toSchema),
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return result.stdout ?? "";
  });
}

export interface CreatedMigration {
  name: string;
  sqlPath: string;
}

/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the
 * schema of the latest migration (kept in schema.snapshot.prisma) to prisma/schema.prisma,
 * then updates the snapshot. Returns null when nothing changed. Hand-written SQL
 * (partial indexes, NULLS NOT DISTINCT) can be appended to the file before committing.
 */
export async function createMigration(
  connectionString: string,
  name: string,
  now = new Date(),
): Promise<CreatedMigration | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("migration name: use lowercase letters, digits and _");
  const previous = existsSync(SNAPSHOT_PATH) ? readFileSync(SNAPSHOT_PATH, "utf8") : null;
  const current = readFileSync(SCHEMA_PATH, "utf8");
  const sql = await diffSchemas(connectionString, previous, current);
  if (!hasStatements(sql)) return null;
  const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  const sqlPath = path.join(dir, "migration.sql");
  writeFileSync(sqlPath, sql);
  writeFileSync(SNAPSHOT_PATH, current);
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  if (!existsSync(lockPath)) {
    writeFileSync(lockPath, '# Please do not edit this file manually\nprovider = "postgresql"\n');
  }
  return { name: `${stamp}_${name}`, sqlPath };
}

/** True when a diff script does more than comment. */
export function hasStatements(sql: string): boolean {
  return sql
    .split("\n")
    .map((line) => line.trim())
    .some((line) => line !== "" && !line.startsWith("--"));
}
