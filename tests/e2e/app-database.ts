import { inject } from "vitest";
import pg from "pg";
import { openDatabase } from "@/lib/db/server";

/** The e2e app's own database, to compute what the pages must show independently of them. */
export async function queryAppDatabase<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const db = await openDatabase({
    databaseUrl: inject("appDatabaseUrl") || undefined,
    dataDir: inject("appDataDir"),
    attachToRunning: true,
  });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
    await db.stop();
  }
}
