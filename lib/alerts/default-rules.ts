import "server-only";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { iso, withTransaction, type Queryable } from "@/lib/db/sql";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { ensureInAppChannel } from "@/lib/notifications/notifications";

/**
 * The rules every installation has: one per type (DEFAULT_RULES), enabled, budget_id null,
 * created once — a rule that was disabled or re-tuned is never re-created or reset. The
 * evaluator creates the missing ones at the start of every run (./evaluate.ts), and so
 * does GET /api/v1/alert-rules (lib/alerts/rule-store.ts).
 */

/** Serializes creating the default rules (evaluators and GET /api/v1/alert-rules). */
export const DEFAULT_RULES_LOCK = 7_406_103;

export const DEFAULT_RULES: readonly { type: AlertRuleType; name: string }[] = [
  { type: "budget_threshold", name: "Budget thresholds" },
  { type: "budget_forecast", name: "Budget forecast over amount" },
  { type: "spend_spike", name: "Spend spike" },
  { type: "cache_hit_rate_drop", name: "Prompt-cache hit-rate drop" },
  { type: "tokens_per_request_jump", name: "Tokens per request jump" },
  { type: "unpriced_spend", name: "Unpriced spend" },
  { type: "untagged_spend", name: "Untagged spend" },
  { type: "reconciliation_drift", name: "Provider bill drift" },
  { type: "runaway_trace", name: "Runaway trace" },
];

/** Creates the missing default rules (and the built-in in-app channel) inside the caller's transaction. */
export async function insertDefaultRules(db: Queryable, now: Date): Promise<number> {
  await db.query("SELECT pg_advisory_xact_lock($1)", [DEFAULT_RULES_LOCK]);
  await ensureInAppChannel(db, now);
  const result = await db.query(
    `INSERT INTO alert_rules (id, name, type, enabled, params, scope, budget_id, created_at, updated_at)
     SELECT gen_random_uuid(), d.name, d.type::"AlertRuleType", true, '{}'::jsonb, NULL, NULL, $3::timestamptz, $3::timestamptz
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS d(type, name, n)
     WHERE NOT EXISTS (SELECT 1 FROM alert_rules r WHERE r.type = d.type::"AlertRuleType" AND r.budget_id IS NULL)
     ORDER BY d.n`,
    [DEFAULT_RULES.map((r) => r.type), DEFAULT_RULES.map((r) => r.name), iso(now)],
  );
  return result.rowCount ?? 0;
}

/** Creates the default rules that do not exist yet (one per type, budget_id null); answers how many. */
export async function ensureDefaultRules(pool: pg.Pool = getPool(), now: Date = new Date()): Promise<number> {
  return withTransaction(pool, (client) => insertDefaultRules(client, now));
}
