import "server-only";
import type pg from "pg";
import { withTransactionIfUnlocked } from "@/lib/db/sql";
import { recordRollupFold } from "@/lib/ops/metrics";
import { GROUP_DIMENSIONS } from "@/lib/rollups/columns";
import { foldHourlyPending, foldSql } from "@/lib/rollups/pending";

/**
 * The rollups' pending deltas, folded in. Ingest appends its additions to
 * usage_rollup_pending (hourly and tag rollup rows alike): plain inserts, so
 * concurrent batches never wait on each other's rollup rows. The fold moves them into the
 * hourly rows first. usage_rollup_daily is kept by triggers on usage_rollup_hourly (see the
 * daily_rollups migration): every change lands as a delta row in usage_rollup_daily_pending,
 * which the fold then moves into the daily rows. Readers sum each table with its pending rows
 * (the *_all views), so folding changes no answer, only how fast it comes.
 *
 * The tag rollups' days (usage_rollup_tag_daily, kept the same way by triggers on
 * usage_rollup_tag_hourly) are folded in the same transaction.
 *
 * One folder at a time across every app instance (a transaction-level advisory lock);
 * a second caller returns at once.
 */
const FOLD_LOCK = 7_406_002;
const KEY = ["day", ...GROUP_DIMENSIONS].join(", ");
const FOLD_SQL = foldSql("usage_rollup_daily_pending", "true", "usage_rollup_daily", KEY);
// The tag rollups' days, the same way (usage_rollup_tag_daily_pending → usage_rollup_tag_daily).
const TAG_KEY_COLUMNS = ["tag_key", "day", "tag_value", ...GROUP_DIMENSIONS].join(", ");
const FOLD_TAGS_SQL = foldSql("usage_rollup_tag_daily_pending", "true", "usage_rollup_tag_daily", TAG_KEY_COLUMNS);

const FOLD_WORK_MEM_SQL = "SET LOCAL work_mem = '32MB'";

export interface FoldResult {
  folded: boolean;
  /** Hourly and daily rows written. */
  rows: number;
}

/** Folds every pending table: ingest's additions into the hours, then the hours' changes into the days. */
export async function foldRollups(pool: pg.Pool): Promise<FoldResult> {
  let folded: Awaited<ReturnType<typeof foldOnce>>;
  try {
    folded = await foldOnce(pool);
  } catch (error) {
    recordRollupFold("error");
    throw error;
  }
  if (folded.ran) recordRollupFold("folded");
  return folded.ran ? { folded: true, rows: folded.value } : { folded: false, rows: 0 };
}

/** One fold in one transaction; `{ ran: false }` when another instance holds the lock. */
function foldOnce(pool: pg.Pool) {
  return withTransactionIfUnlocked(pool, FOLD_LOCK, async (client) => {
    // Room to group a fold's pending rows in a hash table: with the default 4 MB the planner sorts
    // the tag rows (tens of thousands under load, 11 text keys) before grouping them, a quarter of
    // the fold's time (EXPLAIN ANALYZE of 50 bench:ingest batches: 120 → 93 ms for the tag rows).
    await client.query(FOLD_WORK_MEM_SQL);
    const hourly = await foldHourlyPending(client);
    const result = await client.query<{ id: string; requests: string }>(FOLD_SQL);
    // A day-group whose events were all deleted or moved (a rebuild) is gone, not a row of zeros.
    const empty = result.rows.filter((row) => row.requests === "0").map((row) => row.id);
    if (empty.length > 0) await client.query("DELETE FROM usage_rollup_daily WHERE id = ANY($1::bigint[])", [empty]);
    const tags = await client.query<{ id: string; requests: string }>(FOLD_TAGS_SQL);
    const emptyTags = tags.rows.filter((row) => row.requests === "0").map((row) => row.id);
    if (emptyTags.length > 0) await client.query("DELETE FROM usage_rollup_tag_daily WHERE id = ANY($1::bigint[])", [emptyTags]);
    return hourly + (result.rowCount ?? 0) + (tags.rowCount ?? 0);
  });
}
