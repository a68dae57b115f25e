import { ensureEventPartitions } from "@/lib/db/partitions";
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants as fsConstants, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, createGzip } from "node:zlib";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { applyMigrations, listMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import {
  BackupReader,
  backupPreamble,
  countRows,
  detectBackupFormat,
  END_OF_TABLE,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  type BackupTable,
} from "@/lib/ops/backup-format";

/**
 * `burnrate backup` and `burnrate restore`.
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

/** A refusal to act (the operator must decide something): the CLI exits with status 2. */
export class RestoreRefusedError extends Error {}

// ------------------------------------------------------------------ versions

export interface PostgresVersion {
  /** 18 for "18.4"; 9.6 for "9.6.24" (before version 10 the major version had two parts). */
  major: number;
  /** The version as printed: "15.18", "17beta1". */
  text: string;
}

const VERSION_PATTERN = /^(?:[\w-]+\s+\([^)]*\)\s+)?((\d+)(?:\.(\d+))?(?:\.\d+)?(?:(?:devel|alpha|beta|rc)\d*)?)(?=\s|$)/i;

/** Reads `pg_dump --version` ("pg_dump (PostgreSQL) 15.18 (Debian …)") or `SHOW server_version` ("18.4", "17beta1"). */
export function parsePostgresVersion(output: string): PostgresVersion {
  const match = VERSION_PATTERN.exec(output.trim());
  if (!match) throw new Error(`cannot read a PostgreSQL version from "${output.trim()}"`);
  const first = Number(match[2]);
  const second = Number(match[3] ?? 0);
  return { major: first < 10 ? Number(`${first}.${second}`) : first, text: match[1] as string };
}

/** pg_dump and pg_restore work with servers up to their own major version, not newer. */
export function toolSupportsServer(tool: PostgresVersion, server: PostgresVersion): boolean {
  return tool.major >= server.major;
}

export type PostgresToolName = "pg_dump" | "pg_restore";

export interface PostgresTool {
  name: PostgresToolName;
  path: string;
  version: PostgresVersion;
}

const TOOL_ENV = { pg_dump: "BURNRATE_PG_DUMP", pg_restore: "BURNRATE_PG_RESTORE" } as const;

/** Why `tool` cannot serve this server (a sentence without a final period), or null when it can. */
export function toolProblem(name: PostgresToolName, tool: PostgresTool | null, server: PostgresVersion): string | null {
  if (!tool) return `no ${name} found (${TOOL_ENV[name]} is unset and there is none on PATH); the server is PostgreSQL ${server.text}`;
  if (toolSupportsServer(tool.version, server)) return null;
  return `${name} ${tool.version.text} (${tool.path}) is older than the PostgreSQL ${server.text} server`;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The tool's path: $BURNRATE_PG_DUMP / $BURNRATE_PG_RESTORE, pg_restore beside $BURNRATE_PG_DUMP, else PATH. */
function locateTool(name: PostgresToolName, env: NodeJS.ProcessEnv): string | null {
  const configured = env[TOOL_ENV[name]];
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`${TOOL_ENV[name]}=${configured} is not an executable file`);
    return configured;
  }
  const besideDump = name === "pg_restore" && env.BURNRATE_PG_DUMP ? path.join(path.dirname(env.BURNRATE_PG_DUMP), "pg_restore") : null;
  if (besideDump && isExecutable(besideDump)) return besideDump;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

export async function findPostgresTool(name: PostgresToolName, env: NodeJS.ProcessEnv = process.env): Promise<PostgresTool | null> {
  const file = locateTool(name, env);
  if (!file) return null;
  const { stdout } = await promisify(execFile)(file, ["--version"], { timeout: 10_000 });
  return { name, path: file, version: parsePostgresVersion(stdout) };
}

// ------------------------------------------------------------------ pure helpers

export interface ForeignKeyEdge {
  /** The referencing table… */
  table: string;
  /** …and the table it references. */
  references: string;
}

/**
 * The tables with every table after the ones it references (self-references ignored,
 * edges to tables not listed too); among tables free to go next, alphabetical order.
 */
export function orderByDependencies(tables: readonly string[], edges: readonly ForeignKeyEdge[]): string[] {
  const listed = new Set(tables);
  const dependencies = new Map<string, Set<string>>(tables.map((table) => [table, new Set<string>()]));
  for (const edge of edges) {
    if (edge.table === edge.references || !listed.has(edge.table) || !listed.has(edge.references)) continue;
    dependencies.get(edge.table)?.add(edge.references);
  }
  const remaining = [...listed].sort();
  const placed = new Set<string>();
  const ordered: string[] = [];
  while (remaining.length > 0) {
    const next = remaining.findIndex((table) => [...(dependencies.get(table) ?? [])].every((d) => placed.has(d)));
    if (next < 0) throw new Error(`foreign keys form a cycle: ${describeCycle(remaining, dependencies, placed)}`);
    const [table] = remaining.splice(next, 1) as [string];
    placed.add(table);
    ordered.push(table);
  }
  return ordered;
}

function describeCycle(remaining: readonly string[], dependencies: Map<string, Set<string>>, placed: Set<string>): string {
  const walk: string[] = [];
  let current = remaining[0] as string;
  while (!walk.includes(current)) {
    walk.push(current);
    current = [...(dependencies.get(current) ?? [])].filter((d) => !placed.has(d)).sort()[0] as string;
  }
  return [...walk.slice(walk.indexOf(current)), current].join(" → ");
}

/** The first foreign key whose referencing table comes before the table it references in `order`, or null. */
export function findOrderConflict(order: readonly string[], edges: readonly ForeignKeyEdge[]): ForeignKeyEdge | null {
  const position = new Map(order.map((table, index) => [table, index]));
  for (const edge of edges) {
    const from = position.get(edge.table);
    const to = position.get(edge.references);
    if (from !== undefined && to !== undefined && edge.table !== edge.references && from < to) return edge;
  }
  return null;
}

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

/** A connection URL as libpq environment variables: the password stays off the command line, URL options libpq does not know stay out. */
export function libpqEnvironment(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = {};
  const host = url.searchParams.get("host") ?? decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1");
  if (host) env.PGHOST = host;
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database) env.PGDATABASE = database;
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function defaultBackupPath(backupDir: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
  return path.join(backupDir, `burnrate-${stamp}.dump`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const count = (n: number) => n.toLocaleString("en-US");

// ------------------------------------------------------------------ catalog

/** Rows of the public schema's tables; a partitioned table's rows are read through its parent. */
interface CatalogTable {
  name: string;
  columns: string[];
}

const MIGRATION_HISTORY_TABLE = "_prisma_migrations";

async function listTables(client: pg.ClientBase): Promise<CatalogTable[]> {
  const result = await client.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> $1
     GROUP BY c.relname
     ORDER BY c.relname`,
    [MIGRATION_HISTORY_TABLE],
  );
  return result.rows;
}

async function listForeignKeys(client: pg.ClientBase): Promise<ForeignKeyEdge[]> {
  // conparentid = 0: the constraint itself, not its clones on partitions.
  const result = await client.query<ForeignKeyEdge>(
    `SELECT src.relname AS table, dst.relname AS references
     FROM pg_constraint k
     JOIN pg_class src ON src.oid = k.conrelid
     JOIN pg_class dst ON dst.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = src.relnamespace
     WHERE k.contype = 'f' AND k.conparentid = 0 AND n.nspname = 'public'`,
  );
  return result.rows;
}

async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const exists = await client.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [`public.${MIGRATION_HISTORY_TABLE}`]);
  if (!exists.rows[0]?.found) return [];
  const result = await client.query<{ migration_name: string }>(
    `SELECT migration_name FROM ${MIGRATION_HISTORY_TABLE}
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return result.rows.map((row) => row.migration_name);
}

async function serverVersion(client: pg.ClientBase): Promise<PostgresVersion> {
  const result = await client.query<{ server_version: string }>("SHOW server_version");
  return parsePostgresVersion(result.rows[0]?.server_version ?? "");
}

async function rowCount(client: pg.ClientBase, table: string): Promise<number> {
  const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(table)}`);
  return Number(result.rows[0]?.n ?? 0);
}

/** The tables (migration history aside) that hold at least one row. */
async function tablesWithRows(client: pg.ClientBase): Promise<string[]> {
  const withRows: string[] = [];
  for (const { name } of await listTables(client)) {
    const result = await client.query(`SELECT 1 FROM ${quoteIdent(name)} LIMIT 1`);
    if ((result.rowCount ?? 0) > 0) withRows.push(name);
  }
  return withRows;
}

async function withClient<T>(databaseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Session settings under which COPY text reads back identically anywhere (what pg_dump sets too). */
const PORTABLE_TEXT_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL extra_float_digits = 3",
  "SET LOCAL bytea_output = 'hex'",
  "SET LOCAL statement_timeout = 0",
];

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
  mkdirSync(path.dirname(out), { recursive: true });
  // Written under another name and renamed when complete: a file at `out` is never half a backup.
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });

  return withClient(options.databaseUrl, async (client) => {
    const server = await serverVersion(client);
    const format = await chooseBackupFormat(choice, server, env, progress);
    try {
      let tables: TableRows[] = [];
      if (format.kind === "pg_dump") await runPgDump(format.tool, options.databaseUrl, partial, progress);
      else tables = await writeBurnrateBackup(client, server, partial, progress);
      renameSync(partial, out);
      return { path: out, format: format.kind, bytes: statSync(out).size, tables };
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
  });
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

/** Runs pg_dump / pg_restore against the database; fails with the end of its error output. */
function runTool(tool: PostgresTool, args: string[], databaseUrl: string, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, {
      env: { ...process.env, ...libpqEnvironment(databaseUrl) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lines: string[] = [];
    let partialLine = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      const text = partialLine + chunk;
      const complete = text.split("\n");
      partialLine = complete.pop() ?? "";
      for (const line of complete) {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        onLine(line);
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const output = [...lines, partialLine].filter(Boolean);
      // With --verbose most of the output is progress; the errors are what matters.
      const errors = output.filter((line) => /\b(?:error|fatal)\b/i.test(line));
      const shown = (errors.length > 0 ? errors : output).slice(-5).join(" | ") || "no error output";
      reject(new Error(`${tool.name} failed (${signal ?? `exit ${code}`}): ${shown}`));
    });
  });
}

async function writeBurnrateBackup(
  client: pg.ClientBase,
  server: PostgresVersion,
  file: string,
  progress: (line: string) => void,
): Promise<TableRows[]> {
  const gzip = createGzip();
  const output: Output = { stream: gzip, failed: pipeline(gzip, createWriteStream(file, { flags: "wx" })) };
  // Observed at once: a write error must not surface as an unhandled rejection.
  output.failed.catch(() => {});
  // No ROLLBACK on failure: the connection may be in the middle of a COPY; closing it
  // (the caller does) ends the read-only transaction just as well.
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
async function write(output: Output, chunk: Buffer): Promise<void> {
  if (!output.stream.write(chunk)) await Promise.race([once(output.stream, "drain"), output.failed]);
}

// ------------------------------------------------------------------ restore

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
    await client.query("BEGIN");
    await client.query("DROP SCHEMA public CASCADE");
    await client.query("CREATE SCHEMA public AUTHORIZATION pg_database_owner");
    await client.query("GRANT USAGE ON SCHEMA public TO PUBLIC");
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
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

    await client.query("BEGIN");
    let triggers: DisabledTriggers;
    try {
      for (const setting of PORTABLE_TEXT_SETTINGS) await client.query(setting);
      triggers = await disableTriggers(client);
      if (triggers.mode === "per-table") {
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
      await triggers.restore();
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
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
