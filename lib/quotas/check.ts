import "server-only";
import { canActOnTeam, type Principal } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/http/errors";
import { recordQuotaCheck } from "@/lib/ops/metrics";
import type { QuotaCheckInput } from "@/lib/schemas/quota";
import { expireBursts } from "./bursts";
import { flushCapHits, recordCapHit } from "./cap-hits";
import { getPool } from "@/lib/db";
import { loadQuotaSnapshot, processQuotaCache, type QuotaCache } from "./cache";
import { evaluateCheck, type CheckResult } from "./standing";
import { dbOf, nowOf, type Ctx } from "@/lib/context";

/**
 * POST /api/v1/quota/check — the gateway asks before each model call, so it must be fast:
 * a check is answered from an in-memory snapshot (per app process) of every allocation,
 * the approved bursts that have not ended, and this period's used spend/tokens per team
 * and model, and is usually no database round trip at all.
 *
 * Staleness rule:
 * - A snapshot older than QUOTA_CACHE_REFRESH_MS (2 s) is refreshed in the background
 *   while checks keep reading it; one older than QUOTA_CACHE_MAX_AGE_MS (5 s) is never
 *   used (the check waits for the fresh one). So `used` lags the ingested events by at most
 *   5 s (plus the ingestion's own commit), from whichever instance they were sent to.
 * - Allocation and burst writes through this process (POST/PATCH/DELETE allocations,
 *   approve/cancel) invalidate the snapshot: the next check reads the new state. Writes
 *   through another app instance are seen within 5 s.
 * - Burst windows are evaluated at the check's own time, to the millisecond: a burst starts
 *   and stops counting exactly at starts_at and ends_at, whatever the snapshot's age.
 * - At a month boundary a snapshot of the previous month is never used.
 * Loads are single-flight: 200 concurrent checks on a cold or stale cache cause one load.
 * The refresh also sweeps expired pending requests (expireBursts) at most once a minute.
 */

const SWEEP_INTERVAL_MS = 60_000;
const globalForSweep = globalThis as unknown as { burnrateQuotaSweptAt?: number };

/** The expiry sweep, piggybacking on snapshot loads: at most once a minute per process. */
function sweepExpired(now: Date): Promise<unknown> {
  // Refusals by budget caps counted since the last load (lib/quotas/cap-hits.ts).
  const flushed = flushCapHits(getPool());
  const last = globalForSweep.burnrateQuotaSweptAt ?? 0;
  if (Date.now() - last < SWEEP_INTERVAL_MS) return flushed;
  globalForSweep.burnrateQuotaSweptAt = Date.now();
  return Promise.all([flushed, expireBursts({ now })]);
}

/** The process's check cache (with the expiry sweep on its loads). */
export function quotaCache(): QuotaCache {
  return processQuotaCache({ onLoad: sweepExpired });
}

/**
 * The contract's check for a principal holding usage:ingest. A key bound to one team may
 * check only that team (403 otherwise).
 */
export async function checkQuota(ctx: Ctx, input: QuotaCheckInput): Promise<CheckResult> {
  assertMayCheck(ctx.principal, input);
  const now = nowOf(ctx);
  // The process's snapshot answers for the present; an explicit instant (ctx.now) is read from the database as of then.
  const snapshot = ctx.now === undefined ? await quotaCache().get(now) : await loadQuotaSnapshot(dbOf(ctx), now);
  const answer = evaluateCheck(snapshot, input, now);
  recordQuotaCheck(answer);
  if (answer.budget_id !== null) recordCapHit(answer.budget_id, input.team, now);
  return answer;
}

/**
 * The same check answered synchronously when the process's snapshot is fresh enough, else
 * null (then call checkQuota): the custom server's hot path (lib/quotas/check-server.ts).
 */
export function checkQuotaFromCache(ctx: Ctx, input: QuotaCheckInput): CheckResult | null {
  assertMayCheck(ctx.principal, input);
  const now = nowOf(ctx);
  const snapshot = quotaCache().peek(now);
  if (!snapshot) return null;
  const answer = evaluateCheck(snapshot, input, now);
  recordQuotaCheck(answer);
  if (answer.budget_id !== null) recordCapHit(answer.budget_id, input.team, now);
  return answer;
}

function assertMayCheck(principal: Principal, input: QuotaCheckInput): void {
  if (!canActOnTeam(principal, "usage:ingest", input.team)) {
    throw new ApiError("forbidden", "This API key is bound to another team.");
  }
}
