import { randomUUID } from "node:crypto";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { bucketSql, bucketStarts, floorToBucket, rollupFilterSql } from "@/lib/analytics/cache";
import type { HitRatePoint } from "@/lib/analytics/cache-drops";
import { iso, toCount, type Queryable } from "@/lib/analytics/sql";
import { getTokensPerRequest } from "@/lib/analytics/tokens-per-request";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { rollupWindowSql } from "@/lib/rollups/window-source";
import {
  effectiveParams,
  type AlertScope,
  type CacheHitRateDropParams,
  type SpendSpikeParams,
  type UntaggedSpendParams,
} from "@/lib/schemas/alerts";
import { BUCKET_MS } from "@/lib/schemas/cache";
import { recordAlertEvaluation } from "@/lib/ops/metrics";
import { alertTitle } from "@/lib/alerts/deliver";
import { ensureInAppChannel, recordNotification } from "@/lib/notifications/notifications";
import {
  evaluateBudgetForecast,
  evaluateBudgetThreshold,
  evaluateCacheHitRateDrop,
  evaluateSpendSpike,
  evaluateTokensPerRequestJump,
  evaluateUnpricedSpend,
  evaluateUntaggedSpend,
  normalizeScope,
  startOfUtcDay,
  startOfUtcHour,
  startOfUtcMonth,
  type AlertPayload,
  type BudgetInput,
  type CacheSeriesInput,
  type Finding,
  type RuleContext,
  type SpikeInput,
  type TokensJumpInput,
} from "@/lib/alerts/rules";

/**
 * evaluateAlerts(db, now): every enabled rule, now. One evaluator at a time across every
 * app instance: the whole run is one transaction holding pg_try_advisory_xact_lock
 * (EVALUATE_LOCK); a second caller returns at once with {fired: [], skipped: true}.
 * Within it, and again by the unique dedupe_key (INSERT … ON CONFLICT DO NOTHING), each
 * finding fires once per period however often and however concurrently it runs.
 *
 * Steps: ensure the default rules exist (DEFAULT_RULES: one per type, enabled, created
 * once — a rule that was disabled or re-tuned is never re-created or reset); gather each
 * rule's inputs from the rollups (lib/rollups/window-source.ts, the analytics modules,
 * lib/budgets/status.ts); run the pure rules (lib/alerts/rules.ts); insert new alerts
 * (state open) and queue one delivery per channel — the rule's linked channels that are
 * enabled, or, for a rule with no channel linked, EVERY enabled channel; resolve the
 * rule's open and acknowledged alerts whose dedupe key is no longer among its findings
 * (the condition cleared, or its period is over). A rule whose inputs fail (its own
 * savepoint) fires and resolves nothing that run and is reported in `errors`.
 * Disabled rules are not evaluated, and their open alerts stay as they are.
 */

export const EVALUATE_LOCK = 7_406_101;
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
];

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

/** The dashboard's public URL (scripts/start.ts sets NEXTAUTH_URL), without a trailing slash. */
export function publicBaseUrl(env: Record<string, string | undefined> = process.env): string {
  const url = env.NEXTAUTH_URL || `http://localhost:${env.PORT || "3000"}`;
  return url.replace(/\/+$/, "");
}

// ------------------------------------------------------------------ default rules

/** Creates the missing default rules (and the built-in in-app channel) inside the caller's transaction. */
async function insertDefaultRules(db: Queryable, now: Date): Promise<number> {
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
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const created = await insertDefaultRules(client, now);
    await client.query("COMMIT");
    return created;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

// ------------------------------------------------------------------ rules and channels

interface ChannelRef {
  id: string;
  type: string;
}

interface RuleRow {
  id: string;
  type: AlertRuleType;
  params: unknown;
  scope: unknown;
  budget_id: string | null;
  channel_ids: string[];
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

// ------------------------------------------------------------------ inputs

type Filters = { team?: string; feature?: string; environment?: string; tenant?: string };

function scopeFilters(scope: AlertScope): Filters {
  return { ...scope };
}

/** Budget inputs (lib/budgets/status.ts), non-archived. */
async function budgetInputs(db: Queryable, now: Date): Promise<BudgetInput[]> {
  const { budgetStatuses } = await import("@/lib/budgets/status");
  const statuses = await budgetStatuses(db, now);
  return statuses
    .filter((status) => !status.budget.archived)
    .map((status) => ({
      id: status.budget.id,
      name: status.budget.name,
      scope: normalizeScope(status.budget.scope),
      amountUsd: status.budget.amountUsd,
      thresholds: status.budget.thresholds,
      spentUsd: status.spentUsd,
      forecastUsd: status.forecast.forecastUsd,
      basisDays: status.forecast.basisDays,
      periodStart: status.periodStart,
    }));
}

/** The budgets a rule watches: its own budget, or (budget_id null) every budget in its scope without a rule of its own. */
function budgetsOfRule(rule: RuleRow, scope: AlertScope, budgets: readonly BudgetInput[], ownRules: ReadonlySet<string>): BudgetInput[] {
  if (rule.budget_id) return budgets.filter((b) => b.id === rule.budget_id);
  return budgets.filter(
    (b) =>
      !ownRules.has(`${rule.type}:${b.id}`) &&
      (Object.keys(scope) as (keyof AlertScope)[]).every((tag) => b.scope[tag] === scope[tag]),
  );
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

async function spikeInputs(db: Queryable, now: Date, params: SpendSpikeParams, scope: AlertScope): Promise<SpikeInput[]> {
  const inputs: SpikeInput[] = [];
  const hour = startOfUtcHour(now);
  const days = params.baseline_days;
  const group = params.group_by === "team" ? "r.team" : "NULL::text";
  const groupFilter = params.group_by === "team" ? " AND r.team IS NOT NULL" : "";
  const scopeOf = (grp: string | null) => normalizeScope({ ...scope, ...(grp === null ? {} : { team: grp }) });

  const collect = (
    rows: { at_ms: string; grp: string | null; cost: string }[],
    window: "hour" | "day",
    currentStart: number,
    windowEnd: number,
  ) => {
    const byGroup = new Map<string | null, Map<number, string>>();
    for (const row of rows) {
      let costs = byGroup.get(row.grp);
      if (!costs) byGroup.set(row.grp, (costs = new Map()));
      costs.set(Number(row.at_ms), row.cost);
    }
    for (const [grp, costs] of byGroup) {
      const actual = costs.get(currentStart);
      if (actual === undefined) continue; // nothing spent in the window: no spike
      inputs.push({
        scope: scopeOf(grp),
        window,
        windowStart: new Date(currentStart),
        windowEnd: new Date(windowEnd),
        actualUsd: actual,
        baselineUsd: Array.from({ length: days }, (_, k) => costs.get(currentStart - (k + 1) * DAY_MS) ?? "0"),
      });
    }
  };

  if (params.windows.includes("hour")) {
    const current = hour.getTime() - HOUR_MS;
    const hours = Array.from({ length: days + 1 }, (_, k) => new Date(current - k * DAY_MS).toISOString());
    const filters = rollupFilterSql(scopeFilters(scope), 2);
    const rows = await db.query<{ at_ms: string; grp: string | null; cost: string }>(
      `SELECT (extract(epoch FROM r.hour) * 1000)::bigint::text AS at_ms, ${group} AS grp, sum(r.cost_usd)::text AS cost
       FROM usage_rollup_hourly r
       WHERE r.hour = ANY($1::timestamptz[])${groupFilter}${filters.sql}
       GROUP BY 1, 2`,
      [hours, ...filters.params],
    );
    collect(rows.rows, "hour", current, current + HOUR_MS);
  }

  if (params.windows.includes("day")) {
    const today = startOfUtcDay(now).getTime();
    const hoursIntoDay = (hour.getTime() - today) / HOUR_MS + 1; // through the current hour
    const filters = rollupFilterSql(scopeFilters(scope), 4);
    const rows = await db.query<{ at_ms: string; grp: string | null; cost: string }>(
      `SELECT (extract(epoch FROM date_trunc('day', r.hour, 'UTC')) * 1000)::bigint::text AS at_ms, ${group} AS grp,
              sum(r.cost_usd)::text AS cost
       FROM usage_rollup_hourly r
       WHERE r.hour >= $1::timestamptz AND r.hour < $2::timestamptz
         AND extract(hour FROM r.hour AT TIME ZONE 'UTC') < $3${groupFilter}${filters.sql}
       GROUP BY 1, 2`,
      [iso(new Date(today - days * DAY_MS)), iso(new Date(today + DAY_MS)), hoursIntoDay, ...filters.params],
    );
    collect(rows.rows, "day", today, hour.getTime() + HOUR_MS);
  }
  return inputs;
}

const CACHE_GROUPS: Record<CacheHitRateDropParams["group_by"], { g1: string; g2: string; notNull: string; tag: "feature" | "tenant" | "team" }> = {
  feature: { g1: "r.team", g2: "r.feature", notNull: "r.feature", tag: "feature" },
  tenant: { g1: "NULL::text", g2: "r.tenant", notNull: "r.tenant", tag: "tenant" },
  team: { g1: "r.team", g2: "NULL::text", notNull: "r.team", tag: "team" },
};

async function cacheInputs(
  db: Queryable,
  now: Date,
  params: CacheHitRateDropParams,
  scope: AlertScope,
): Promise<{ groups: CacheSeriesInput[]; bucketMs: number }> {
  const bucket = params.bucket;
  const bucketMs = BUCKET_MS[bucket];
  const end = floorToBucket(now, bucket); // complete buckets only
  const start = end - params.lookback_days * DAY_MS;
  const spec = CACHE_GROUPS[params.group_by];
  const filters = rollupFilterSql(scopeFilters(scope), 3);
  const rows = await db.query<{ bucket_ms: string; g1: string | null; g2: string | null; requests: string; input: string; read: string }>(
    `SELECT ${bucketSql(bucket)} AS bucket_ms, ${spec.g1} AS g1, ${spec.g2} AS g2, sum(r.requests)::text AS requests,
            sum(r.input_tokens)::text AS input, sum(r.cache_read_input_tokens)::text AS read
     FROM usage_rollup_hourly r
     WHERE r.hour >= $1::timestamptz AND r.hour < $2::timestamptz AND ${spec.notNull} IS NOT NULL${filters.sql}
     GROUP BY 1, 2, 3`,
    [iso(new Date(start)), iso(new Date(end)), ...filters.params],
  );
  const starts = bucketStarts(start, new Date(end), bucket);
  const index = new Map(starts.map((s, i) => [s, i]));
  const groups = new Map<string, { g1: string | null; g2: string | null; points: HitRatePoint[] }>();
  for (const row of rows.rows) {
    const i = index.get(Number(row.bucket_ms));
    if (i === undefined) continue;
    const id = JSON.stringify([row.g1, row.g2]);
    let entry = groups.get(id);
    if (!entry) {
      entry = {
        g1: row.g1,
        g2: row.g2,
        points: starts.map((s) => ({ bucket: new Date(s).toISOString(), requests: 0, inputTokens: 0, cacheReadInputTokens: 0 })),
      };
      groups.set(id, entry);
    }
    entry.points[i] = { bucket: new Date(starts[i] as number).toISOString(), requests: toCount(row.requests), inputTokens: toCount(row.input), cacheReadInputTokens: toCount(row.read) };
  }
  return {
    bucketMs,
    groups: [...groups.values()].map((entry) => ({
      scope: normalizeScope({
        ...scope,
        ...(params.group_by === "feature" ? { team: entry.g1, feature: entry.g2 } : {}),
        ...(params.group_by === "tenant" ? { tenant: entry.g2 } : {}),
        ...(params.group_by === "team" ? { team: entry.g1 } : {}),
      }),
      points: entry.points,
    })),
  };
}

/** The jump flag of getTokensPerRequest per team and feature (features without a team tag are left out). */
async function tokensInputs(db: Queryable, now: Date, scope: AlertScope): Promise<TokensJumpInput[]> {
  const to = new Date(startOfUtcHour(now).getTime() + HOUR_MS);
  // The report's groups are those with requests in [from, to): the jump's recent 7 days.
  const from = new Date(to.getTime() - 7 * DAY_MS);
  let teams: string[];
  if (scope.team) {
    teams = [scope.team];
  } else {
    const filters = rollupFilterSql(scopeFilters(scope), 3);
    const rows = await db.query<{ team: string }>(
      `SELECT DISTINCT r.team FROM usage_rollup_hourly r
       WHERE r.hour >= $1::timestamptz AND r.hour < $2::timestamptz AND r.team IS NOT NULL AND r.feature IS NOT NULL${filters.sql}
       ORDER BY r.team`,
      [iso(new Date(to.getTime() - 35 * DAY_MS)), iso(to), ...filters.params],
    );
    teams = rows.rows.map((row) => row.team);
  }
  const inputs: TokensJumpInput[] = [];
  for (const team of teams) {
    const report = await getTokensPerRequest({ from, to, bucket: "day", group_by: "feature", ...scopeFilters(scope), team }, { db });
    for (const group of report.groups) {
      if (group.key === null) continue;
      inputs.push({ scope: normalizeScope({ ...scope, team, feature: group.key }), jump: group.jump });
    }
  }
  return inputs;
}

/** This month through the current hour. */
function monthToDate(now: Date): { start: Date; end: Date } {
  return { start: startOfUtcMonth(now), end: new Date(startOfUtcHour(now).getTime() + HOUR_MS) };
}

async function unpricedInputs(db: Queryable, now: Date, scope: AlertScope) {
  const { start, end } = monthToDate(now);
  const params: unknown[] = [];
  const source = rollupWindowSql(start, end, params, "r");
  const filters = rollupFilterSql(scopeFilters(scope), params.length + 1);
  const rows = await db.query<{ provider: string; model: string; n: string }>(
    `SELECT r.provider, r.model, sum(r.unpriced_requests)::text AS n
     FROM ${source}
     WHERE true${filters.sql}
     GROUP BY r.provider, r.model
     HAVING sum(r.unpriced_requests) > 0
     ORDER BY sum(r.unpriced_requests) DESC, r.provider, r.model`,
    [...params, ...filters.params],
  );
  return {
    scope,
    periodStart: start,
    models: rows.rows.map((row) => ({ provider: row.provider, model: row.model, unpricedRequests: toCount(row.n) })),
  };
}

async function untaggedInputs(db: Queryable, now: Date, params: UntaggedSpendParams, scope: AlertScope) {
  const { start, end } = monthToDate(now);
  const values: unknown[] = [];
  const source = rollupWindowSql(start, end, values, "r");
  const filters = rollupFilterSql(scopeFilters(scope), values.length + 1);
  const rows = await db.query<{ total: string; untagged: string }>(
    `SELECT coalesce(sum(r.cost_usd), 0)::text AS total,
            coalesce(sum(r.cost_usd) FILTER (WHERE r.${params.tag} IS NULL), 0)::text AS untagged
     FROM ${source}
     WHERE true${filters.sql}`,
    [...values, ...filters.params],
  );
  const row = rows.rows[0];
  return { scope, periodStart: start, totalUsd: row?.total ?? "0", untaggedUsd: row?.untagged ?? "0" };
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
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const lock = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [EVALUATE_LOCK]);
    if (!lock.rows[0]?.locked) {
      await client.query("ROLLBACK");
      return { ...result, skipped: true };
    }
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
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
