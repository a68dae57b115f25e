import "server-only";
import type pg from "pg";
import { INGEST_SOURCES, type IngestSource } from "@/lib/ingestion/ingest-events";
import { HOUR_MS } from "@/lib/time";
import { dbOf, nowOf, type Ctx } from "@/lib/context";

/**
 * What each receiver took lately, from ingest_receipts (one row per stored batch, written in
 * the batch's own transaction): the Connect page's "last event received" and "events in the
 * last hour", so a person wiring up a sender watches the data arrive.
 */
export interface SourceActivity {
  source: IngestSource;
  /** When the latest batch with a new event was committed; null: never (or before the prune kept it). */
  last_received_at: string | null;
  events_last_hour: number;
}

const KEEP_MS = 24 * HOUR_MS;

/** GET /api/v1/integrations/activity: each receiver's last arrival and its events in the last hour. */
export async function listIngestActivity(ctx: Ctx): Promise<SourceActivity[]> {
  const db = dbOf(ctx);
  const now = nowOf(ctx);
  const result = await db.query<{ source: string; last_received_at: Date | null; events_last_hour: string }>(
    `SELECT s.source,
            (SELECT max(received_at) FROM ingest_receipts r WHERE r.source = s.source) AS last_received_at,
            (SELECT coalesce(sum(events), 0) FROM ingest_receipts r
              WHERE r.source = s.source AND received_at > $2::timestamptz AND received_at <= $3::timestamptz)::text AS events_last_hour
     FROM unnest($1::text[]) AS s(source)`,
    [INGEST_SOURCES, new Date(now.getTime() - HOUR_MS).toISOString(), now.toISOString()],
  );
  const bySource = new Map(result.rows.map((row) => [row.source, row]));
  return INGEST_SOURCES.map((source) => {
    const row = bySource.get(source);
    return {
      source,
      last_received_at: row?.last_received_at?.toISOString() ?? null,
      events_last_hour: Number(row?.events_last_hour ?? 0),
    };
  });
}

/** Drops receipts older than a day, except each source's latest (its "last event received"). */
export async function pruneIngestReceipts(db: pg.Pool | pg.ClientBase, now = new Date()): Promise<number> {
  const result = await db.query(
    `DELETE FROM ingest_receipts
     WHERE received_at < $1::timestamptz
       AND id NOT IN (SELECT max(id) FROM ingest_receipts GROUP BY source)`,
    [new Date(now.getTime() - KEEP_MS).toISOString()],
  );
  return result.rowCount ?? 0;
}
