import "server-only";
import { ensureEventPartitions } from "@/lib/db/partitions";
import { createReadStream, existsSync, openSync, readSync, closeSync } from "node:fs";
import { finished } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { applyMigrations, listMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { inTransaction } from "@/lib/db/sql";
import { RETRY_ERROR_COST_COLUMNS, recountRetryErrorCosts } from "@/lib/rollups/rebuild";
import { rebuildTagRollupsIn } from "@/lib/rollups/tag-rollups";
import { BackupReader, countRows, detectBackupFormat, RestoreRefusedError, type BackupManifest, type BackupTable } from "@/lib/ops/backup-format";
import { findPostgresTool, libpqEnvironment, runTool, toolProblem } from "./postgres-tools";
import { PORTABLE_TEXT_SETTINGS, appliedMigrations, count, findOrderConflict, listForeignKeys, listTables, quoteIdent, rowCount, serverVersion, tablesWithRows, withClient } from "./backup-catalog";
import type { BackupFormat, TableRows } from "./backup";

/** `burnrate restore`: a Burnrate-format backup onto this version's migrated schema, or a pg_dump archive through pg_restore. */

// ------------------------------------------------------------------ restore

/**
 * The code's migrations still to apply after a backup's, which must be a prefix of them:
 * a backup from a newer (or diverged) version has tables or columns this one lacks.
 */
export function migrationsAfter(backup: readonly string[], code: readonly string[]): string[] {
  const unknown = backup.filter((name) => !code.includes(name));
  if (unknown.length > 0) {
    throw new RestoreRefusedError(
      `the backup comes from a newer Burnrate: its migration${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} ` +
        `${unknown.length > 1 ? "are" : "is"} not in this version; upgrade Burnrate, then restore`,
    );
  }
  const differs = backup.findIndex((name, index) => code[index] !== name);
  if (differs >= 0) {
    throw new RestoreRefusedError(
      `the backup's migration history differs from this version's at #${differs + 1} ` +
        `(backup: ${backup[differs]}, this version: ${code[differs]})`,
    );
  }
  return code.slice(backup.length);
}

export interface RestoreOptions {
  databaseUrl: string;
  file: string;
  /** Replace what the database holds (drops and recreates the public schema). */
  force?: boolean;
  /** Where BURNRATE_PG_RESTORE, BURNRATE_PG_DUMP and PATH are read. */
  env?: NodeJS.ProcessEnv;
  migrationsDir?: string;
  onProgress?: (line: string) => void;
}

export interface RestoreResult {
  format: BackupFormat;
  tables: TableRows[];
  /** This version's migrations applied on top of the backup's. */
  migrationsApplied: string[];
  /** Burnrate format: how triggers were kept from firing on the restored rows (see disableTriggers). */
  triggersOff?: TriggerSwitch;
}

export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const format = detectBackupFormat(readHead(options.file));
  if (format === "pg_dump") return restorePgDump(options);
  if (format === "burnrate") return restoreBurnrate(options);
  throw new Error(
    `${options.file} is neither a Burnrate backup nor a pg_dump custom-format archive ` +
      "(a plain-SQL pg_dump is restored with psql)",
  );
}

function readHead(file: string): Buffer {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(4096);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** A streaming reader over the file's decompressed contents, and a way to close it early. */
function openBackup(file: string): { reader: BackupReader; close: () => void } {
  const input = createReadStream(file);
  // Bigger chunks than zlib's 16 KB default: fewer, fuller CopyData messages.
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  input.on("error", (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  return {
    reader: new BackupReader(gunzip),
    close: () => {
      input.destroy();
      gunzip.destroy();
    },
  };
}

async function readBackupManifest(file: string): Promise<BackupManifest> {
  const backup = openBackup(file);
  try {
    return await backup.reader.readManifest();
  } finally {
    backup.close();
  }
}

/** Reads the whole file and checks every table's row count, before anything is dropped for it. */
export async function verifyBackupFile(file: string): Promise<BackupManifest> {
  const backup = openBackup(file);
  try {
    const manifest = await backup.reader.readManifest();
    for (const table of manifest.tables) {
      let rows = 0;
      for await (const chunk of backup.reader.tableData(table.name)) rows += countRows(chunk);
      if (rows !== table.rows) throw new Error(`the backup is damaged: table ${table.name} has ${rows} rows, its manifest says ${table.rows}`);
    }
    await backup.reader.expectEnd();
    return manifest;
  } finally {
    backup.close();
  }
}

interface ClearTargetOptions {
  force: boolean;
  /** Drop the schema even when its tables are all empty (pg_restore creates them itself). */
  dropEmptySchema: boolean;
  /** Runs just before anything is dropped: the last chance to find the backup unusable. */
  beforeDropping: () => Promise<void>;
  progress: (line: string) => void;
}

/**
 * The target must hold no data, or --force must say it may go: then the public schema is
 * dropped and recreated the way PostgreSQL creates it.
 */
async function clearTarget(client: pg.ClientBase, options: ClearTargetOptions): Promise<void> {
  const others = await client.query<{ n: string }>(
    "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
  );
  if (Number(others.rows[0]?.n) > 0) {
    options.progress(`Warning: ${others.rows[0]?.n} other connection(s) to this database; stop the app before restoring.`);
  }
  const withRows = await tablesWithRows(client);
  if (withRows.length > 0 && !options.force) {
    throw new RestoreRefusedError(
      `the database already holds data (${withRows.slice(0, 5).join(", ")}${withRows.length > 5 ? ", …" : ""}); ` +
        "a restore replaces everything: pass --force to drop it first",
    );
  }
  const emptySchemaToDrop = options.dropEmptySchema && (await publicSchemaHasObjects(client));
  if (withRows.length === 0 && !emptySchemaToDrop) return;
  await options.beforeDropping();
  options.progress(withRows.length > 0 ? "Dropping the existing data (--force)…" : "Dropping the existing (empty) schema…");
  try {
    await inTransaction(client, async () => {
      await client.query("DROP SCHEMA public CASCADE");
      await client.query("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
      await client.query("GRANT USAGE ON SCHEMA public TO PUBLIC");
    });
  } catch (error) {
    throw new Error(`cannot replace the public schema: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Anything at all in the public schema: every object there (table, type, function…) depends on it. */
async function publicSchemaHasObjects(client: pg.ClientBase): Promise<boolean> {
  const result = await client.query<{ found: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_depend
       WHERE refclassid = 'pg_namespace'::regclass AND refobjid = 'public'::regnamespace AND deptype = 'n'
     ) AS found`,
  );
  return result.rows[0]?.found ?? false;
}

async function restoreBurnrate(options: RestoreOptions): Promise<RestoreResult> {
  const progress = options.onProgress ?? (() => {});
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const manifest = await readBackupManifest(options.file);
  const codeMigrations = listMigrations(migrationsDir).migrationDirectories.map((directory) => directory.path);
  const newer = migrationsAfter(manifest.migrations, codeMigrations);
  if (newer.length > 0) progress(`The backup predates ${newer.length} of this version's migrations; they are applied first.`);

  const migrationsApplied = await withClient(options.databaseUrl, async (client) => {
    await clearTarget(client, {
      force: options.force ?? false,
      dropEmptySchema: false,
      beforeDropping: async () => {
        await verifyBackupFile(options.file);
      },
      progress,
    });
    return applyMigrations(options.databaseUrl, migrationsDir);
  });

  const loaded = await withClient(options.databaseUrl, (client) => loadBackup(client, options.file, progress));
  return { format: "burnrate", tables: loaded.tables, migrationsApplied, triggersOff: loaded.triggersOff };
}

/** Every table's rows in one transaction with triggers off, sequences set past the restored ids. */
async function loadBackup(
  client: pg.ClientBase,
  file: string,
  progress: (line: string) => void,
): Promise<{ tables: TableRows[]; triggersOff: TriggerSwitch }> {
  const target = new Map((await listTables(client)).map((table) => [table.name, table.columns]));
  const backup = openBackup(file);
  try {
    const manifest = await backup.reader.readManifest();
    checkTablesExist(manifest, target);
    const leftEmpty = [...target.keys()].filter((name) => !manifest.tables.some((table) => table.name === name));
    if (leftEmpty.length > 0) progress(`Not in the backup (left empty): ${leftEmpty.join(", ")}`);

    const triggers = await inTransaction(client, async () => {
      for (const setting of PORTABLE_TEXT_SETTINGS) await client.query(setting);
      const disabled = await disableTriggers(client);
      if (disabled.mode === "per-table") {
        // Foreign keys are still checked then: the file's order must suit this schema.
        const conflict = findOrderConflict(manifest.tables.map((table) => table.name), await listForeignKeys(client));
        if (conflict) throw new Error(`the backup lists ${conflict.table} before ${conflict.references}, which it references`);
      }
      await prepareTablesForRestore(client, manifest);
      for (const table of manifest.tables) {
        const rows = await copyTableIn(client, table, backup.reader.tableData(table.name));
        if (rows !== table.rows) throw new Error(`${table.name}: the backup lists ${table.rows} rows but holds ${rows}`);
        progress(`${table.name}: ${count(rows)} rows`);
      }
      await backup.reader.expectEnd();
      await resetSequences(client);
      for (const table of manifest.tables) {
        const stored = await rowCount(client, table.name);
        if (stored !== table.rows) throw new Error(`${table.name}: ${stored} rows after the restore, the backup has ${table.rows}`);
      }
      await disabled.restore();
      return disabled;
    });
    // A backup older than the rollups' retry and error costs: recounted from the restored
    // events (triggers on again, so the daily rollups follow) rather than left at 0.
    const hourly = manifest.tables.find((table) => table.name === "usage_rollup_hourly");
    if (hourly && RETRY_ERROR_COST_COLUMNS.some((column) => !hourly.columns.includes(column))) {
      const recounted = await recountRetryErrorCosts(client);
      progress(`usage_rollup_hourly: retry and error costs recounted from the events (${count(recounted)} rows)`);
    }
    // A backup older than the tag rollups: recomputed from the restored events' extra tags.
    if (!manifest.tables.some((table) => table.name === "usage_rollup_tag_hourly")) {
      const rebuilt = await rebuildTagRollupsIn(client);
      progress(`usage_rollup_tag_hourly: recomputed from the events' extra tags (${count(rebuilt.rows)} rows)`);
    }
    // Fresh tables have no planner statistics until autovacuum comes round.
    await client.query("ANALYZE");
    return { tables: manifest.tables.map(({ name, rows }) => ({ name, rows })), triggersOff: triggers.mode };
  } finally {
    backup.close();
  }
}

function checkTablesExist(manifest: BackupManifest, target: Map<string, string[]>): void {
  for (const table of manifest.tables) {
    const columns = target.get(table.name);
    if (!columns) throw new Error(`the backup has table ${table.name}, which this version's schema does not`);
    const missing = table.columns.filter((column) => !columns.includes(column));
    if (missing.length > 0) throw new Error(`the backup has ${table.name}.${missing.join(", ")}, which this version's schema does not`);
  }
}

/**
 * The one place where tables are made ready for the backup's rows, called inside the
 * restore's transaction after migrations and before the first COPY: the monthly
 * partitions of usage_events that its events need (lib/db/partitions.ts), from the
 * manifest's first and last occurred_at.
 */
export async function prepareTablesForRestore(client: pg.ClientBase, manifest: BackupManifest): Promise<void> {
  const range = manifest.tables.find((table) => table.name === "usage_events")?.occurredAt;
  if (range) await ensureEventPartitions(client, new Date(range.min), new Date(range.max));
}

export type TriggerSwitch = "replica" | "per-table";

interface DisabledTriggers {
  mode: TriggerSwitch;
  /** Turns them back on (per-table mode; replica mode ends with the transaction). */
  restore: () => Promise<void>;
}

/**
 * Restored rows must not fire triggers: the ones on usage_rollup_hourly would append every
 * restored rollup row to usage_rollup_daily_pending once more. Replica mode switches off
 * every trigger (foreign-key checks too) for this transaction, but takes a superuser;
 * otherwise the owner's ALTER TABLE … DISABLE TRIGGER USER, undone before commit.
 */
async function disableTriggers(client: pg.ClientBase): Promise<DisabledTriggers> {
  await client.query("SAVEPOINT disable_triggers");
  try {
    await client.query("SET LOCAL session_replication_role = replica");
    await client.query("RELEASE SAVEPOINT disable_triggers");
    return { mode: "replica", restore: async () => {} };
  } catch (error) {
    if ((error as { code?: string }).code !== "42501") throw error;
    await client.query("ROLLBACK TO SAVEPOINT disable_triggers");
    await client.query("RELEASE SAVEPOINT disable_triggers");
  }
  const result = await client.query<{ name: string }>(
    `SELECT DISTINCT c.relname AS name
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND NOT t.tgisinternal AND NOT c.relispartition
     ORDER BY 1`,
  );
  const tables = result.rows.map((row) => quoteIdent(row.name));
  for (const table of tables) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
  return {
    mode: "per-table",
    restore: async () => {
      for (const table of tables) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    },
  };
}

async function copyTableIn(client: pg.ClientBase, table: BackupTable, data: AsyncIterable<Buffer>): Promise<number> {
  const columns = table.columns.map(quoteIdent).join(", ");
  const stream = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${columns}) FROM STDIN`));
  let serverError: unknown = null;
  const failed = new Promise<never>((_resolve, reject) => {
    stream.on("error", (error) => {
      serverError ??= error;
      reject(error);
    });
  });
  failed.catch(() => {});
  try {
    for await (const chunk of data) {
      // One chunk in flight at a time: pg-copy-streams 7 flushes queued chunks through its
      // connection, which it has dropped once the server failed the COPY (a TypeError then
      // instead of the server's message).
      await Promise.race([new Promise<void>((resolve) => stream.write(chunk, () => resolve())), failed]);
    }
    stream.end();
    await Promise.race([finished(stream), failed]);
    return stream.rowCount;
  } catch (error) {
    if (serverError) {
      const message = serverError instanceof Error ? serverError.message : String(serverError);
      throw new Error(`restoring ${table.name}: ${message}`, { cause: serverError });
    }
    // The input failed (a damaged file): CopyFail takes the connection out of COPY mode
    // so that the transaction can roll back.
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    await finished(stream).catch(() => {});
    throw error;
  }
}

/** Every sequence owned by a column (serial, identity) continues after the column's largest value. */
async function resetSequences(client: pg.ClientBase): Promise<void> {
  const result = await client.query<{ sequence: string; table: string; column: string }>(
    `SELECT format('%I.%I', sn.nspname, s.relname) AS sequence, format('%I', t.relname) AS table, format('%I', a.attname) AS column
     FROM pg_class s
     JOIN pg_namespace sn ON sn.oid = s.relnamespace
     JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
     JOIN pg_class t ON t.oid = d.refobjid
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S' AND sn.nspname = 'public'`,
  );
  for (const { sequence, table, column } of result.rows) {
    // is_called = false on an empty table: the next value is then 1 itself.
    await client.query(`SELECT setval($1::regclass, coalesce(max(${column}), 1), max(${column}) IS NOT NULL) FROM ${table}`, [sequence]);
  }
}

async function restorePgDump(options: RestoreOptions): Promise<RestoreResult> {
  const progress = options.onProgress ?? (() => {});
  const env = options.env ?? process.env;
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  return withClient(options.databaseUrl, async (client) => {
    const server = await serverVersion(client);
    const tool = await findPostgresTool("pg_restore", env);
    const problem = toolProblem("pg_restore", tool, server);
    if (!tool || problem) {
      throw new Error(
        `${options.file} is a pg_dump archive, but ${problem}. Install pg_restore ${Math.floor(server.major)} or newer ` +
          "and set BURNRATE_PG_RESTORE to it.",
      );
    }
    // pg_restore creates every table itself, so even an empty migrated schema has to go.
    await clearTarget(client, {
      force: options.force ?? false,
      dropEmptySchema: true,
      beforeDropping: () => runTool(tool, ["--list", options.file], options.databaseUrl, () => {}),
      progress,
    });
    const database = libpqEnvironment(options.databaseUrl).PGDATABASE ?? "";
    const args = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", `--dbname=${database}`, options.file];
    await runTool(tool, args, options.databaseUrl, () => {});

    const restoredMigrations = await appliedMigrations(client);
    const codeMigrations = listMigrations(migrationsDir).migrationDirectories.map((directory) => directory.path);
    let migrationsApplied: string[] = [];
    try {
      migrationsAfter(restoredMigrations, codeMigrations);
      migrationsApplied = await applyMigrations(options.databaseUrl, migrationsDir);
    } catch (error) {
      if (!(error instanceof RestoreRefusedError)) throw error;
      progress(`Warning: restored, but not migrated: ${error.message}.`);
    }
    const tables: TableRows[] = [];
    for (const { name } of await listTables(client)) {
      const rows = await rowCount(client, name);
      tables.push({ name, rows });
      progress(`${name}: ${count(rows)} rows`);
    }
    return { format: "pg_dump", tables, migrationsApplied };
  });
}
