import "server-only";
import path from "node:path";
import pg from "pg";
import { type PostgresVersion, parsePostgresVersion } from "./postgres-tools";

/** What backup and restore share: the catalog they read, table order by foreign keys, names, sizes. */

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

export function describeCycle(remaining: readonly string[], dependencies: Map<string, Set<string>>, placed: Set<string>): string {
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

export { formatCount as count } from "@/lib/format";

// ------------------------------------------------------------------ catalog

/** Rows of the public schema's tables; a partitioned table's rows are read through its parent. */
export interface CatalogTable {
  name: string;
  columns: string[];
}

export const MIGRATION_HISTORY_TABLE = "_prisma_migrations";

export async function listTables(client: pg.ClientBase): Promise<CatalogTable[]> {
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

export async function listForeignKeys(client: pg.ClientBase): Promise<ForeignKeyEdge[]> {
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

export async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const exists = await client.query<{ found: boolean }>("SELECT to_regclass($1) IS NOT NULL AS found", [`public.${MIGRATION_HISTORY_TABLE}`]);
  if (!exists.rows[0]?.found) return [];
  const result = await client.query<{ migration_name: string }>(
    `SELECT migration_name FROM ${MIGRATION_HISTORY_TABLE}
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return result.rows.map((row) => row.migration_name);
}

export async function serverVersion(client: pg.ClientBase): Promise<PostgresVersion> {
  const result = await client.query<{ server_version: string }>("SHOW server_version");
  return parsePostgresVersion(result.rows[0]?.server_version ?? "");
}

export async function rowCount(client: pg.ClientBase, table: string): Promise<number> {
  const result = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${quoteIdent(table)}`);
  return Number(result.rows[0]?.n ?? 0);
}

/** The tables (migration history aside) that hold at least one row. */
export async function tablesWithRows(client: pg.ClientBase): Promise<string[]> {
  const withRows: string[] = [];
  for (const { name } of await listTables(client)) {
    const result = await client.query(`SELECT 1 FROM ${quoteIdent(name)} LIMIT 1`);
    if ((result.rowCount ?? 0) > 0) withRows.push(name);
  }
  return withRows;
}

export async function withClient<T>(databaseUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Session settings under which COPY text reads back identically anywhere (what pg_dump sets too). */
export const PORTABLE_TEXT_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO'",
  "SET LOCAL IntervalStyle = 'postgres'",
  "SET LOCAL extra_float_digits = 3",
  "SET LOCAL bytea_output = 'hex'",
  "SET LOCAL statement_timeout = 0",
];
