import "server-only";
import { once } from "node:events";
import { chmodSync, closeSync, createWriteStream, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { backupPreamble, END_OF_TABLE, BACKUP_FORMAT_VERSION, type BackupManifest, type BackupTable } from "@/lib/ops/backup-format";
import { type PostgresTool, type PostgresVersion, findPostgresTool, runTool, toolProblem } from "./postgres-tools";
import { PORTABLE_TEXT_SETTINGS, appliedMigrations, count, defaultBackupPath, listForeignKeys, listTables, orderByDependencies, quoteIdent, rowCount, serverVersion, withClient } from "./backup-catalog";

/**
 * `burnrate backup` (its counterpart, `burnrate restore`, is lib/ops/restore.ts).
 *
 * pg_dump is the better backup (one standard file that also carries the schema), but it
 * refuses a server newer than itself, and the embedded server is usually newer than any
 * pg_dump the system has (or there is none). Then the backup is Burnrate's own format
 * (lib/ops/backup-format.ts): every table's rows as COPY text, read in one snapshot, and
 * restored onto a schema built by this version's migrations, so the file never has to
 * describe the schema. Restores go into an empty database, or one emptied with --force.
 */

export type BackupFormat = "pg_dump" | "burnrate";
export type BackupFormatChoice = BackupFormat | "auto";

// Defined in ./backup-format.ts (restore and the catalog throw it too); re-exported for the CLI, which imports it from here.

// ------------------------------------------------------------------ backup

export interface BackupOptions {
  databaseUrl: string;
  /** Where to write; default <backupDir>/burnrate-<UTC timestamp>.dump. */
  out?: string;
  backupDir: string;
  format?: BackupFormatChoice;
  /** Where BURNRATE_PG_DUMP and PATH are read. */
  env?: NodeJS.ProcessEnv;
  now?: Date;
  onProgress?: (line: string) => void;
}

export interface TableRows {
  name: string;
  rows: number;
}

export interface BackupResult {
  path: string;
  format: BackupFormat;
  bytes: number;
  /** Burnrate format only (pg_dump reports no counts). */
  tables: TableRows[];
}

export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const progress = options.onProgress ?? (() => {});
  const choice = options.format ?? "auto";
  const env = options.env ?? process.env;
  const out = path.resolve(options.out ?? defaultBackupPath(options.backupDir, options.now ?? new Date()));
  prepareBackupFolder(path.dirname(out), path.resolve(options.backupDir));
  // Written under another name and renamed when complete: a file at `out` is never half a backup.
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });

  return withClient(options.databaseUrl, async (client) => {
    const server = await serverVersion(client);
    const format = await chooseBackupFormat(choice, server, env, progress);
    try {
      // Created empty and private before anything is written (pg_dump keeps the mode of a file it truncates).
      closeSync(openSync(partial, "wx", BACKUP_FILE_MODE));
      chmodSync(partial, BACKUP_FILE_MODE);
      let tables: TableRows[] = [];
      if (format.kind === "pg_dump") await runPgDump(format.tool, options.databaseUrl, partial, progress);
      else tables = await writeBurnrateBackup(client, server, partial, progress);
      chmodSync(partial, BACKUP_FILE_MODE);
      renameSync(partial, out);
      return { path: out, format: format.kind, bytes: statSync(out).size, tables };
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
  });
}

/**
 * A backup holds password hashes, key hashes and webhook secrets: the file is the owner's
 * alone (0600), and so is the backups folder (0700), tightened when it already exists.
 * A folder named with --out elsewhere is created 0700 when missing but never changed
 * when it exists (it may be /tmp or a home directory).
 */
export const BACKUP_FILE_MODE = 0o600;
export const BACKUP_DIR_MODE = 0o700;

function prepareBackupFolder(folder: string, backupDir: string): void {
  mkdirSync(folder, { recursive: true, mode: BACKUP_DIR_MODE });
  if (folder === backupDir && (statSync(folder).mode & 0o777) !== BACKUP_DIR_MODE) chmodSync(folder, BACKUP_DIR_MODE);
}

type ChosenFormat = { kind: "pg_dump"; tool: PostgresTool } | { kind: "burnrate" };

async function chooseBackupFormat(
  choice: BackupFormatChoice,
  server: PostgresVersion,
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
): Promise<ChosenFormat> {
  if (choice === "burnrate") return { kind: "burnrate" };
  const tool = await findPostgresTool("pg_dump", env);
  const problem = toolProblem("pg_dump", tool, server);
  if (tool && !problem) return { kind: "pg_dump", tool };
  if (choice === "pg_dump") {
    throw new Error(
      `--format pg_dump: ${problem}. Install pg_dump ${Math.floor(server.major)} or newer and set BURNRATE_PG_DUMP to it, ` +
        "or use --format burnrate (or auto).",
    );
  }
  progress(`Writing Burnrate's portable format: ${problem}.`);
  return { kind: "burnrate" };
}

function runPgDump(tool: PostgresTool, databaseUrl: string, file: string, progress: (line: string) => void): Promise<void> {
  const args = ["--format=custom", "--no-owner", "--no-privileges", "--verbose", `--file=${file}`];
  return runTool(tool, args, databaseUrl, (line) => {
    const table = /dumping contents of table "?([^"\s]+)"?/.exec(line);
    if (table) progress(`${table[1]}: dumping`);
  });
}

/**
 * The Burnrate-format backup (lib/ops/backup-format.ts): every table's rows as COPY text,
 * all read in one REPEATABLE READ snapshot on the caller's connection.
 */
async function writeBurnrateBackup(
  client: pg.ClientBase,
  server: PostgresVersion,
  file: string,
  progress: (line: string) => void,
): Promise<TableRows[]> {
  const gzip = createGzip();
  const output: Output = { stream: gzip, failed: pipeline(gzip, createWriteStream(file, { flags: "w", mode: BACKUP_FILE_MODE })) };
  // Observed at once: a write error must not surface as an unhandled rejection.
  output.failed.catch(() => {});
  // Not inTransaction (lib/db/sql.ts): no ROLLBACK on failure, as the connection may be in
  // the middle of a COPY; closing it (the caller does) ends the read-only transaction just as well.
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    for (const setting of PORTABLE_TEXT_SETTINGS) await client.query(setting);
    const manifest = await describeForBackup(client, server);
    await write(output, backupPreamble(manifest));
    for (const table of manifest.tables) {
      const rows = await copyTableOut(client, table, output);
      if (rows !== table.rows) throw new Error(`${table.name}: counted ${table.rows} rows but copied ${rows}`);
      progress(`${table.name}: ${count(rows)} rows`);
    }
    await client.query("COMMIT");
    gzip.end();
    await output.failed;
    return manifest.tables.map(({ name, rows }) => ({ name, rows }));
  } catch (error) {
    gzip.destroy();
    await output.failed.catch(() => {});
    throw error;
  }
}

/** The compressing stream, and the promise of its pipeline to the file (rejected when writing fails). */
interface Output {
  stream: Writable;
  failed: Promise<void>;
}

/** Inside the backup's snapshot: what is there, in dependency order, with row counts of that same snapshot. */
async function describeForBackup(client: pg.ClientBase, server: PostgresVersion): Promise<BackupManifest> {
  const catalog = await listTables(client);
  const columns = new Map(catalog.map((table) => [table.name, table.columns]));
  const order = orderByDependencies(catalog.map((table) => table.name), await listForeignKeys(client));
  if (order.length > 0) {
    // What pg_dump does too: no one can drop or alter a table while it is being read.
    await client.query(`LOCK TABLE ${order.map(quoteIdent).join(", ")} IN ACCESS SHARE MODE`);
  }
  const tables: BackupTable[] = [];
  for (const name of order) {
    const table: BackupTable = { name, columns: columns.get(name) ?? [], rows: await rowCount(client, name) };
    if (name === "usage_events") table.occurredAt = await occurredAtRange(client);
    tables.push(table);
  }
  return {
    format: "burnrate-backup",
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    serverVersion: server.text,
    migrations: await appliedMigrations(client),
    tables,
  };
}

async function occurredAtRange(client: pg.ClientBase): Promise<{ min: string; max: string } | null> {
  const result = await client.query<{ min: Date | null; max: Date | null }>(
    "SELECT min(occurred_at) AS min, max(occurred_at) AS max FROM usage_events",
  );
  const { min, max } = result.rows[0] ?? { min: null, max: null };
  return min && max ? { min: min.toISOString(), max: max.toISOString() } : null;
}

async function copyTableOut(client: pg.ClientBase, table: BackupTable, output: Output): Promise<number> {
  // COPY (SELECT …): a partitioned table cannot be the source of COPY … TO itself.
  const columns = table.columns.map(quoteIdent).join(", ");
  const source = client.query(copyTo(`COPY (SELECT ${columns} FROM ${quoteIdent(table.name)}) TO STDOUT`));
  for await (const chunk of source) await write(output, chunk as Buffer);
  await write(output, END_OF_TABLE);
  return source.rowCount;
}

/** Writes with backpressure; a stream that has failed never drains, so its failure ends the wait. */
export async function write(output: Output, chunk: Buffer): Promise<void> {
  if (!output.stream.write(chunk)) await Promise.race([once(output.stream, "drain"), output.failed]);
}
