import "server-only";
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { iso, withTransactionIfUnlocked, type Queryable } from "@/lib/db/sql";
import { publicBaseUrl } from "@/lib/env";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { effectiveParams, type AlertScope } from "@/lib/schemas/alerts";
import { recordAlertEvaluation } from "@/lib/ops/metrics";
import { alertTitle } from "@/lib/alerts/deliver";
import { insertDefaultRules } from "@/lib/alerts/default-rules";
import { recordNotification } from "@/lib/notifications/notifications";
import {
  budgetInputs,
  budgetsOfRule,
  cacheInputs,
  spikeInputs,
  tokensInputs,
  unpricedInputs,
  untaggedInputs,
  driftInputs,
  runawayInputs,
  type RuleRow,
} from "@/lib/alerts/rule-inputs";
import {
  evaluateBudgetForecast,
  evaluateBudgetThreshold,
  evaluateCacheHitRateDrop,
  evaluateSpendSpike,
  evaluateTokensPerRequestJump,
  evaluateUnpricedSpend,
  evaluateUntaggedSpend,
  evaluateReconciliationDrift,
  evaluateRunawayTrace,
  normalizeScope,
  type AlertPayload,
  type BudgetInput,
  type Finding,
  type RuleContext,
} from "@/lib/alerts/rules";

/**
 * evaluateAlerts(db, now): every enabled rule, now. One evaluator at a time across every
 * app instance: the whole run is one transaction holding pg_try_advisory_xact_lock
 * (EVALUATE_LOCK); a second caller returns at once with {fired: [], skipped: true}.
 * Within it, and again by the unique dedupe_key (INSERT … ON CONFLICT DO NOTHING), each
 * finding fires once per period however often and however concurrently it runs.
 *
 * Steps: ensure the default rules exist (./default-rules.ts); gather each rule's inputs
 * (./rule-inputs.ts); run the pure rules (./rules.ts); insert new alerts
 * (state open) and queue one delivery per channel — the rule's linked channels that are
 * enabled, or, for a rule with no channel linked, EVERY enabled channel; resolve the
 * rule's open and acknowledged alerts whose dedupe key is no longer among its findings
 * (the condition cleared, or its period is over). A rule whose inputs fail (its own
 * savepoint) fires and resolves nothing that run and is reported in `errors`.
 * Disabled rules are not evaluated, and their open alerts stay as they are.
 */

export const EVALUATE_LOCK = 7_406_101;

export interface FiredAlert extends AlertPayload {
  /** The alert's id (GET /api/v1/alerts, POST /api/v1/alerts/{id}/acknowledge). */
  id: string;
}

export interface ResolvedAlert {
  id: string;
  type: string;
  scope: AlertScope;
  period_start: string;
  message: string;
  resolved_at: string;
}

export interface EvaluationResult {
  /** True when another evaluator held the lock: nothing was done. */
  skipped: boolean;
  evaluated_at: string;
  /** New alerts, each as its webhook body. */
  fired: FiredAlert[];
  resolved: ResolvedAlert[];
  errors: { rule_id: string; type: AlertRuleType; message: string }[];
}

export interface EvaluateOptions {
  /** Links in messages; default: NEXTAUTH_URL, else http://localhost:$PORT. */
  baseUrl?: string;
  /** Evaluate only rules of these types (the demo's replay runs cheap rules more often); default: every rule. */
  ruleTypes?: readonly AlertRuleType[];
}

// ------------------------------------------------------------------ rules and channels

interface ChannelRef {
  id: string;
  type: string;
}

async function enabledRules(db: Queryable): Promise<RuleRow[]> {
  const result = await db.query<RuleRow>(
    `SELECT r.id, r.type::text AS type, r.params, r.scope, r.budget_id::text AS budget_id,
            coalesce(array_agg(l."A"::text ORDER BY l."A") FILTER (WHERE l."A" IS NOT NULL), '{}') AS channel_ids
     FROM alert_rules r
     LEFT JOIN "_AlertChannelToAlertRule" l ON l."B" = r.id
     WHERE r.enabled
     GROUP BY r.id
     ORDER BY r.created_at, r.id`,
  );
  return result.rows;
}

// ------------------------------------------------------------------ one rule

interface RuleRun {
  rule: RuleRow;
  findings: Finding[];
}

async function runRule(
  db: Queryable,
  rule: RuleRow,
  now: Date,
  baseUrl: string,
  budgets: () => Promise<BudgetInput[]>,
  ownBudgetRules: ReadonlySet<string>,
): Promise<Finding[]> {
  const ctx: RuleContext = { ruleId: rule.id, baseUrl, now };
  const scope = normalizeScope(rule.scope as Record<string, string> | null);
  switch (rule.type) {
    case "budget_threshold":
      return evaluateBudgetThreshold(ctx, effectiveParams("budget_threshold", rule.params), budgetsOfRule(rule, scope, await budgets(), ownBudgetRules));
    case "budget_forecast":
      return evaluateBudgetForecast(ctx, effectiveParams("budget_forecast", rule.params), budgetsOfRule(rule, scope, await budgets(), ownBudgetRules));
    case "spend_spike": {
      const params = effectiveParams("spend_spike", rule.params);
      return evaluateSpendSpike(ctx, params, await spikeInputs(db, now, params, scope));
    }
    case "cache_hit_rate_drop": {
      const params = effectiveParams("cache_hit_rate_drop", rule.params);
      const { groups, bucketMs } = await cacheInputs(db, now, params, scope);
      return evaluateCacheHitRateDrop(ctx, params, groups, bucketMs);
    }
    case "tokens_per_request_jump":
      return evaluateTokensPerRequestJump(ctx, effectiveParams("tokens_per_request_jump", rule.params), await tokensInputs(db, now, scope));
    case "unpriced_spend":
      return evaluateUnpricedSpend(ctx, effectiveParams("unpriced_spend", rule.params), await unpricedInputs(db, now, scope));
    case "untagged_spend": {
      const params = effectiveParams("untagged_spend", rule.params);
      return evaluateUntaggedSpend(ctx, params, await untaggedInputs(db, now, params, scope));
    }
    case "runaway_trace": {
      const params = effectiveParams("runaway_trace", rule.params);
      return evaluateRunawayTrace(ctx, params, await runawayInputs(db, now, params, scope));
    }
    case "reconciliation_drift":
      return evaluateReconciliationDrift(ctx, effectiveParams("reconciliation_drift", rule.params), await driftInputs(db, now));
  }
}

// ------------------------------------------------------------------ writing

async function insertAlert(db: Queryable, rule: RuleRow, finding: Finding, now: Date): Promise<FiredAlert | null> {
  const id = randomUUID();
  const payload: FiredAlert = { id, ...finding.payload };
  const inserted = await db.query<{ id: string }>(
    `INSERT INTO alert_events (id, rule_id, budget_id, type, dedupe_key, state, scope, period_start, message, payload, fired_at)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4, $5, 'open', $6::jsonb, $7::timestamptz, $8, $9::jsonb, $10::timestamptz)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [
      id,
      rule.id,
      finding.budgetId,
      finding.type,
      finding.dedupeKey,
      JSON.stringify(finding.scope),
      iso(finding.periodStart),
      finding.message,
      JSON.stringify(payload),
      iso(now),
    ],
  );
  return inserted.rowCount ? payload : null;
}

/**
 * One delivery per channel: queued for the sender (lib/alerts/deliver.ts), except the
 * built-in in-app channel, which is delivered here, in the same transaction, as a
 * notification dated when the alert fired.
 */
async function enqueueDeliveries(db: Queryable, alert: FiredAlert, channels: readonly ChannelRef[], now: Date): Promise<void> {
  if (channels.length === 0) return;
  const queued = channels.filter((c) => c.type !== "in_app").map((c) => c.id);
  const inApp = channels.filter((c) => c.type === "in_app").map((c) => c.id);
  if (queued.length > 0) {
    await db.query(
      `INSERT INTO alert_deliveries (id, alert_event_id, channel_id, status, attempts, next_attempt_at, created_at)
       SELECT gen_random_uuid(), $1::uuid, c, 'pending', 0, $3::timestamptz, $3::timestamptz FROM unnest($2::uuid[]) AS c`,
      [alert.id, queued, iso(now)],
    );
  }
  if (inApp.length > 0) {
    await db.query(
      `INSERT INTO alert_deliveries (id, alert_event_id, channel_id, status, attempts, created_at, delivered_at)
       SELECT gen_random_uuid(), $1::uuid, c, 'delivered', 1, $3::timestamptz, $3::timestamptz FROM unnest($2::uuid[]) AS c`,
      [alert.id, inApp, iso(now)],
    );
    await recordNotification(db, {
      kind: "alert",
      team: alert.scope.team ?? null,
      title: alertTitle(alert.type),
      message: alert.message,
      link: `/alerts?id=${alert.id}`,
      alertEventId: alert.id,
      at: now,
    });
  }
}

async function resolveCleared(db: Queryable, rule: RuleRow, keys: readonly string[], now: Date): Promise<ResolvedAlert[]> {
  const result = await db.query<{ id: string; type: string; scope: AlertScope; period_start: Date; message: string }>(
    `UPDATE alert_events SET state = 'resolved', resolved_at = $3::timestamptz
     WHERE rule_id = $1::uuid AND state IN ('open', 'acknowledged') AND dedupe_key <> ALL($2::text[])
     RETURNING id::text, type, scope, period_start, message`,
    [rule.id, keys, iso(now)],
  );
  return result.rows.map((row) => ({
    id: row.id,
    type: row.type,
    scope: row.scope,
    period_start: row.period_start.toISOString(),
    message: row.message,
    resolved_at: now.toISOString(),
  }));
}

// ------------------------------------------------------------------ the run

export async function evaluateAlerts(
  pool: pg.Pool = getPool(),
  now: Date = new Date(),
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  let result: EvaluationResult;
  try {
    result = await evaluateUnderLock(pool, now, options);
  } catch (error) {
    recordAlertEvaluation("error");
    throw error;
  }
  if (!result.skipped) recordAlertEvaluation(result.errors.length ? "error" : "ok", result);
  return result;
}

async function evaluateUnderLock(pool: pg.Pool, now: Date, options: EvaluateOptions): Promise<EvaluationResult> {
  const baseUrl = (options.baseUrl ?? publicBaseUrl()).replace(/\/+$/, "");
  const result: EvaluationResult = { skipped: false, evaluated_at: now.toISOString(), fired: [], resolved: [], errors: [] };
  const run = await withTransactionIfUnlocked(pool, EVALUATE_LOCK, async (client) => {
    await insertDefaultRules(client, now);
    const only = options.ruleTypes ? new Set(options.ruleTypes) : null;
    const rules = (await enabledRules(client)).filter((rule) => !only || only.has(rule.type));
    const channels = await client.query<ChannelRef>("SELECT id::text, type::text AS type FROM alert_channels WHERE enabled ORDER BY created_at, id");
    const enabledChannels = channels.rows;
    const enabledById = new Map(enabledChannels.map((channel) => [channel.id, channel]));
    const ownBudgetRules = new Set(rules.filter((r) => r.budget_id).map((r) => `${r.type}:${r.budget_id}`));

    let budgetCache: Promise<BudgetInput[]> | undefined;
    const budgets = () => (budgetCache ??= budgetInputs(client, now));

    const runs: RuleRun[] = [];
    for (const [index, rule] of rules.entries()) {
      const savepoint = `alert_rule_${index}`;
      await client.query(`SAVEPOINT ${savepoint}`);
      try {
        const findings = await runRule(client, rule, now, baseUrl, budgets, ownBudgetRules);
        await client.query(`RELEASE SAVEPOINT ${savepoint}`);
        runs.push({ rule, findings });
      } catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${savepoint}`);
        if (rule.type === "budget_threshold" || rule.type === "budget_forecast") budgetCache = undefined;
        result.errors.push({ rule_id: rule.id, type: rule.type, message: error instanceof Error ? error.message : String(error) });
      }
    }

    for (const { rule, findings } of runs) {
      const ruleChannels =
        rule.channel_ids.length > 0 ? rule.channel_ids.flatMap((id) => enabledById.get(id) ?? []) : enabledChannels;
      const keys = new Set<string>();
      for (const finding of findings) {
        if (keys.has(finding.dedupeKey)) continue;
        keys.add(finding.dedupeKey);
        const fired = await insertAlert(client, rule, finding, now);
        if (!fired) continue;
        await enqueueDeliveries(client, fired, ruleChannels, now);
        result.fired.push(fired);
      }
      result.resolved.push(...(await resolveCleared(client, rule, [...keys], now)));
    }
  });
  return run.ran ? result : { ...result, skipped: true };
}
