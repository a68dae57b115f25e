import "server-only";
import { getPool } from "@/lib/db";
import type pg from "pg";
import { withTransaction, type Queryable } from "@/lib/db/sql";
import { logger } from "@/lib/log";
import { formatMoney } from "@/lib/format";
import { ensureInAppChannel, inAppChannelEnabled, recordNotification } from "@/lib/notifications/notifications";
import { startOfUtcMonth } from "@/lib/time";

/**
 * Quota checks refused by a budget's cap, counted per budget, team and month. The check's hot
 * path only bumps an in-memory counter (recordCapHit); the counts are added to budget_cap_hits
 * (flushCapHits) 2 s after the first uncounted refusal and at every snapshot load. The first refusal of
 * a team by a budget in a month notifies the team (the in-app channel), linking to a burst
 * request form for the team, so a lead can ask for more straight away.
 */

interface PendingHits {
  budgetId: string;
  team: string;
  month: string;
  hits: number;
  firstAt: Date;
  lastAt: Date;
}

const globalForHits = globalThis as unknown as { burnrateCapHits?: Map<string, PendingHits> };
function pending(): Map<string, PendingHits> {
  globalForHits.burnrateCapHits ??= new Map();
  return globalForHits.burnrateCapHits;
}

const FLUSH_DELAY_MS = 2_000;
const globalForTimer = globalThis as unknown as { burnrateCapHitTimer?: ReturnType<typeof setTimeout> | null };

/** A flush a moment after the first uncounted refusal, so counts and the notification do not wait for the next check. */
function scheduleFlush(): void {
  if (globalForTimer.burnrateCapHitTimer) return;
  const timer = setTimeout(() => {
    globalForTimer.burnrateCapHitTimer = null;
    flushCapHits(getPool()).catch((error: unknown) => logger().warn({ err: error }, "counting budget cap refusals failed; retried at the next flush"));
  }, FLUSH_DELAY_MS);
  timer.unref?.();
  globalForTimer.burnrateCapHitTimer = timer;
}

export function recordCapHit(budgetId: string, team: string, at: Date): void {
  scheduleFlush();
  const month = startOfUtcMonth(at).toISOString().slice(0, 10);
  const key = `${budgetId}/${team}/${month}`;
  const entry = pending().get(key);
  if (entry) {
    entry.hits++;
    if (at > entry.lastAt) entry.lastAt = at;
  } else {
    pending().set(key, { budgetId, team, month, hits: 1, firstAt: at, lastAt: at });
  }
}

/** Adds the counted refusals to budget_cap_hits; a team's first of the month is notified. Answers the rows written. */
export async function flushCapHits(pool: pg.Pool): Promise<number> {
  const entries = [...pending().values()];
  if (entries.length === 0) return 0;
  pending().clear();
  try {
    // One transaction: the counts and the notifications of first refusals commit together, so a
    // failure puts every count back for the next flush without counting any twice.
    return await withTransaction(pool, (db) => writeHits(db, entries));
  } catch (error) {
    for (const entry of entries) {
      const key = `${entry.budgetId}/${entry.team}/${entry.month}`;
      const current = pending().get(key);
      if (current) {
        current.hits += entry.hits;
        if (entry.firstAt < current.firstAt) current.firstAt = entry.firstAt;
        if (entry.lastAt > current.lastAt) current.lastAt = entry.lastAt;
      } else pending().set(key, entry);
    }
    scheduleFlush();
    throw error;
  }
}

async function writeHits(db: Queryable, entries: readonly PendingHits[]): Promise<number> {
  const result = await db.query<{ inserted: boolean; team: string; budget_id: string; name: string; amount_usd: string; enforce_at_percent: number | null; first_at: Date }>(
    `WITH hits AS (
       INSERT INTO budget_cap_hits AS h (id, budget_id, team, month, hits, first_at, last_at)
       SELECT gen_random_uuid(), budget_id, team, month, hits, first_at, last_at
       FROM unnest($1::uuid[], $2::text[], $3::date[], $4::bigint[], $5::timestamptz[], $6::timestamptz[])
            AS t(budget_id, team, month, hits, first_at, last_at)
       WHERE EXISTS (SELECT 1 FROM budgets b WHERE b.id = t.budget_id)
       ON CONFLICT (budget_id, team, month) DO UPDATE SET
         hits = h.hits + EXCLUDED.hits,
         first_at = least(h.first_at, EXCLUDED.first_at),
         last_at = greatest(h.last_at, EXCLUDED.last_at)
       RETURNING (xmax = 0) AS inserted, team, budget_id, first_at
     )
     SELECT hits.inserted, hits.team, hits.budget_id::text, b.name, b.amount_usd::text, b.enforce_at_percent, hits.first_at
     FROM hits JOIN budgets b ON b.id = hits.budget_id`,
    [
      entries.map((e) => e.budgetId),
      entries.map((e) => e.team),
      entries.map((e) => e.month),
      entries.map((e) => e.hits),
      entries.map((e) => e.firstAt.toISOString()),
      entries.map((e) => e.lastAt.toISOString()),
    ],
  );
  const first = result.rows.filter((row) => row.inserted);
  if (first.length > 0) await ensureInAppChannel(db);
  if (first.length > 0 && (await inAppChannelEnabled(db))) {
    for (const row of first) {
      const cap = row.enforce_at_percent === null ? "its cap" : `${row.enforce_at_percent}% of ${formatMoney(row.amount_usd)}`;
      await recordNotification(db, {
        kind: "cap_hit",
        team: row.team,
        title: `Budget cap reached: ${row.name}`,
        message: `The quota check now refuses ${row.team}'s calls: budget ${row.name} reached ${cap}. A team lead can request a burst; finance can raise or lift the cap.`,
        link: `/quotas?burst=${encodeURIComponent(row.team)}`,
        at: new Date(row.first_at),
      });
    }
  }
  return result.rows.length;
}
