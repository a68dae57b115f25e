import type pg from "pg";
import { GROUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/columns";

/**
 * Ingest's pending rollup rows (usage_rollup_pending: no tag_key for usage_rollup_hourly, a
 * tag_key for usage_rollup_tag_hourly): every batch appends its additions; they are moved into
 * the hourly rollups by the fold (lib/rollups/fold.ts) and by every writer that rewrites hourly
 * rows, before it does.
 */
const MEASURES = ROLLUP_MEASURES.join(", ");

const HOUR_KEY = ["hour", ...GROUP_DIMENSIONS].join(", ");
const TAG_HOUR_KEY = ["tag_key", "hour", "tag_value", ...GROUP_DIMENSIONS].join(", ");

/**
 * Moves the rows of `from` that match `which` into `into`, summed per `key` (its unique key),
 * added to the rows already there; sorted, so two folders lock rows in one order. The fold of
 * every pending table (ingest's, the days') is this statement.
 */
export function foldSql(from: string, which: string, into: string, key: string): string {
  return `
WITH moved AS (
  DELETE FROM ${from} WHERE ${which} RETURNING ${key}, ${MEASURES}
)
INSERT INTO ${into} AS d (${key}, ${MEASURES})
SELECT ${key}, ${ROLLUP_MEASURES.map((m) => `sum(${m})`).join(", ")}
FROM moved
GROUP BY ${key}
ORDER BY ${key}
ON CONFLICT (${key}) DO UPDATE SET ${ROLLUP_MEASURES.map((m) => `${m} = d.${m} + EXCLUDED.${m}`).join(", ")}
RETURNING d.id, d.requests`;
}

const FOLD_HOURLY_SQL = foldSql("usage_rollup_pending", "tag_key IS NULL", "usage_rollup_hourly", HOUR_KEY);
const FOLD_TAG_HOURLY_SQL = foldSql("usage_rollup_pending", "tag_key IS NOT NULL", "usage_rollup_tag_hourly", TAG_HOUR_KEY);

/**
 * Ingest's pending additions moved into the hourly rollups, in the caller's transaction. Writers
 * that rewrite hourly rows (rebuilds, provider renames, restores) call it first, holding
 * PENDING_LOCK_SQL so that no batch adds rows meanwhile.
 */
export async function foldHourlyPending(client: pg.ClientBase): Promise<number> {
  const hourly = await client.query<{ id: string; requests: string }>(FOLD_HOURLY_SQL);
  const tags = await client.query<{ id: string; requests: string }>(FOLD_TAG_HOURLY_SQL);
  // Additions only add requests, so a folded row never drops to zero here.
  return (hourly.rowCount ?? 0) + (tags.rowCount ?? 0);
}

/**
 * Taken by writers that rewrite hourly rows: ingest's pending inserts wait until they commit
 * (an ingest that already added rows is waited for), so rows and events stay in step.
 */
export const PENDING_LOCK_SQL = "LOCK TABLE usage_rollup_pending IN EXCLUSIVE MODE";

