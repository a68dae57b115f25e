import type pg from "pg";

/**
 * Loading millions of rows into an empty table is several times faster without its
 * indexes and foreign keys: maintaining five B-trees and a foreign-key lookup row by
 * row costs more than the COPY itself, while building each index once at the end is a
 * single sort. So, inside the loading transaction: drop them, load, recreate them from
 * their exact catalog definitions. All of it is transactional DDL: if anything fails,
 * the rollback restores the table as it was.
 *
 * Only for empty tables (rebuilding big existing indexes would cost more than it saves),
 * and never for tables other rows reference (their keys cannot be dropped).
 */

export type BulkTable = "usage_events" | "outcomes" | "usage_rollup_hourly";

export interface BulkLoad {
  /** Options for the COPY that loads the table. */
  copyOptions: string;
  /** Recreates what was dropped; call before committing. */
  restore(): Promise<void>;
}

/**
 * When `table` is empty: locks it and drops its keys and indexes until restore().
 * Returns null when the table must be loaded as it is. The ACCESS EXCLUSIVE lock keeps
 * everyone out of the table until commit; as it was empty, there is nothing to miss.
 */
export async function beginBulkLoad(client: pg.ClientBase, table: BulkTable): Promise<BulkLoad | null> {
  // Dropping indexes needs table ownership, which a DATABASE_URL role may lack: then
  // the load simply runs the slower way.
  await client.query("SAVEPOINT bulk_load");
  try {
    const bulk = await prepare(client, table);
    await client.query("RELEASE SAVEPOINT bulk_load");
    return bulk;
  } catch {
    await client.query("ROLLBACK TO SAVEPOINT bulk_load");
    await client.query("RELEASE SAVEPOINT bulk_load");
    return null;
  }
}

async function prepare(client: pg.ClientBase, table: BulkTable): Promise<BulkLoad | null> {
  const has = await client.query("SELECT 1 FROM " + table + " LIMIT 1");
  if ((has.rowCount ?? 0) > 0) return null;
  const referenced = await client.query("SELECT 1 FROM pg_constraint WHERE confrelid = $1::regclass LIMIT 1", [table]);
  if ((referenced.rowCount ?? 0) > 0) return null;

  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  // Checked again under the lock: someone may have written between the first look and it.
  const stillEmpty = await client.query("SELECT 1 FROM " + table + " LIMIT 1");
  if ((stillEmpty.rowCount ?? 0) > 0) return null;

  const constraints = await client.query<{ drop_sql: string; add_sql: string; contype: string }>(
    `SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname) AS drop_sql,
            format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS add_sql,
            contype::text AS contype
     FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype IN ('p', 'u', 'f')
     ORDER BY conname`,
    [table],
  );
  const indexes = await client.query<{ drop_sql: string; add_sql: string }>(
    `SELECT format('DROP INDEX %s', x.indexrelid::regclass) AS drop_sql, pg_get_indexdef(x.indexrelid) AS add_sql
     FROM pg_index x
     WHERE x.indrelid = $1::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
     ORDER BY x.indexrelid::regclass::text`,
    [table],
  );

  const foreignKeys = constraints.rows.filter((c) => c.contype === "f");
  const keys = constraints.rows.filter((c) => c.contype !== "f");
  for (const fk of foreignKeys) await client.query(fk.drop_sql);
  for (const index of indexes.rows) await client.query(index.drop_sql);
  for (const key of keys) await client.query(key.drop_sql);
  // Truncating (an empty table) lets COPY … WITH (FREEZE) write rows already frozen and
  // all-visible: no hint-bit writes (with WAL, as checksums are on) on the first reads,
  // no big vacuum afterwards, index-only scans from the start.
  await client.query(`TRUNCATE ${table}`);
  // COPY … FREEZE is refused for a partitioned table (usage_events): its rows land in partitions.
  const kind = await client.query<{ relkind: string }>("SELECT relkind::text FROM pg_class WHERE oid = $1::regclass", [table]);

  return {
    copyOptions: kind.rows[0]?.relkind === "p" ? "" : "WITH (FREEZE)",
    async restore() {
      for (const key of keys) await client.query(key.add_sql);
      // A partitioned table's index definition reads "ON ONLY parent" (the parent alone, left
      // invalid); recreated without ONLY it is built on every partition.
      for (const index of indexes.rows) await client.query(index.add_sql.replace(" ON ONLY ", " ON "));
      for (const fk of foreignKeys) await client.query(fk.add_sql);
    },
  };
}
