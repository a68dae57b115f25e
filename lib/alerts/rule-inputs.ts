import "server-only";
import { tokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import type { HitRatePoint } from "@/lib/analytics/cache-drops";
import { bucketSql, bucketStarts, floorToBucket, rollupFilterSql, rollupWindowSql } from "@/lib/db/rollup-sql";
import { iso, rows, SqlParams, toCount, type Queryable } from "@/lib/db/sql";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { SCOPE_TAGS, type AlertScope, type CacheHitRateDropParams, type RunawayTraceParams, type SpendSpikeParams, type UntaggedSpendParams } from "@/lib/schemas/alerts";
import { BUCKET_MS } from "@/lib/schemas/cache";
import { DAY_MS, HOUR_MS, startOfUtcDay, startOfUtcHour, startOfUtcMonth } from "@/lib/time";
import { normalizeScope, type BudgetInput, type CacheSeriesInput, type DriftDayInput, type RunawayTraceInput, type SpikeInput, type TokensJumpInput } from "@/lib/alerts/rules";

/**
 * What each alert rule type reads before the pure rules (lib/alerts/rules.ts) judge it:
 * spend per hour and day, cache hit rates per bucket, tokens-per-request jumps, unpriced
 * and untagged spend, from the rollups (lib/db/rollup-sql.ts); budgets from
 * lib/budgets/status.ts. Each reader runs inside the evaluator's transaction (./evaluate.ts).
 */

/** A rule as the evaluator loaded it (its params and scope still raw JSON). */
export interface RuleRow {
  id: string;
  type: AlertRuleType;
  params: unknown;
  scope: unknown;
  budget_id: string | null;
  channel_ids: string[];
}

type Filters = { team?: string; feature?: string; environment?: string; tenant?: string };

function scopeFilters(scope: AlertScope): Filters {
  return { ...scope };
}

/** Budget inputs (lib/budgets/status.ts), non-archived. */
export async function budgetInputs(db: Queryable, now: Date): Promise<BudgetInput[]> {
  const { budgetStatuses } = await import("@/lib/budgets/status");
  // The evaluator watches every budget: it acts for the installation, not for a person.
  const statuses = await budgetStatuses(db, now, { kind: "all" });
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
export function budgetsOfRule(rule: Pick<RuleRow, "type" | "budget_id">, scope: AlertScope, budgets: readonly BudgetInput[], ownRules: ReadonlySet<string>): BudgetInput[] {
  if (rule.budget_id) return budgets.filter((b) => b.id === rule.budget_id);
  return budgets.filter(
    (b) =>
      !ownRules.has(`${rule.type}:${b.id}`) &&
      (Object.keys(scope) as (keyof AlertScope)[]).every((tag) => b.scope[tag] === scope[tag]),
  );
}

type SpendRow = { at_ms: string; grp: string | null; cost: string };

export async function spikeInputs(db: Queryable, now: Date, params: SpendSpikeParams, scope: AlertScope): Promise<SpikeInput[]> {
  const inputs: SpikeInput[] = [];
  const hour = startOfUtcHour(now);
  const days = params.baseline_days;
  const group = params.group_by === "team" ? "r.team" : "NULL::text";
  const groupFilter = params.group_by === "team" ? " AND r.team IS NOT NULL" : "";
  const scopeOf = (grp: string | null) => normalizeScope({ ...scope, ...(grp === null ? {} : { team: grp }) });

  const collect = (
    spend: SpendRow[],
    window: "hour" | "day",
    currentStart: number,
    windowEnd: number,
  ) => {
    const byGroup = new Map<string | null, Map<number, string>>();
    for (const row of spend) {
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
    const p = new SqlParams();
    const spend = await rows<SpendRow>(
      db,
      `SELECT (extract(epoch FROM r.hour) * 1000)::bigint::text AS at_ms, ${group} AS grp, sum(r.cost_usd)::text AS cost
       FROM usage_rollup_hourly_all r
       WHERE r.hour = ANY(${p.add(hours, "timestamptz[]")})${groupFilter}${rollupFilterSql(scopeFilters(scope), p)}
       GROUP BY 1, 2`,
      p,
    );
    collect(spend, "hour", current, current + HOUR_MS);
  }

  if (params.windows.includes("day")) {
    const today = startOfUtcDay(now).getTime();
    const hoursIntoDay = (hour.getTime() - today) / HOUR_MS + 1; // through the current hour
    const p = new SqlParams();
    const spend = await rows<SpendRow>(
      db,
      `SELECT (extract(epoch FROM date_trunc('day', r.hour, 'UTC')) * 1000)::bigint::text AS at_ms, ${group} AS grp,
              sum(r.cost_usd)::text AS cost
       FROM usage_rollup_hourly_all r
       WHERE r.hour >= ${p.add(iso(new Date(today - days * DAY_MS)), "timestamptz")} AND r.hour < ${p.add(iso(new Date(today + DAY_MS)), "timestamptz")}
         AND extract(hour FROM r.hour AT TIME ZONE 'UTC') < ${p.add(hoursIntoDay)}${groupFilter}${rollupFilterSql(scopeFilters(scope), p)}
       GROUP BY 1, 2`,
      p,
    );
    collect(spend, "day", today, hour.getTime() + HOUR_MS);
  }
  return inputs;
}

const CACHE_GROUPS: Record<CacheHitRateDropParams["group_by"], { g1: string; g2: string; notNull: string; tag: "feature" | "tenant" | "team" }> = {
  feature: { g1: "r.team", g2: "r.feature", notNull: "r.feature", tag: "feature" },
  tenant: { g1: "NULL::text", g2: "r.tenant", notNull: "r.tenant", tag: "tenant" },
  team: { g1: "r.team", g2: "NULL::text", notNull: "r.team", tag: "team" },
};

export async function cacheInputs(
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
  const p = new SqlParams();
  const buckets = await rows<{ bucket_ms: string; g1: string | null; g2: string | null; requests: string; input: string; read: string }>(
    db,
    `SELECT ${bucketSql(bucket)} AS bucket_ms, ${spec.g1} AS g1, ${spec.g2} AS g2, sum(r.requests)::text AS requests,
            sum(r.input_tokens)::text AS input, sum(r.cache_read_input_tokens)::text AS read
     FROM usage_rollup_hourly_all r
     WHERE r.hour >= ${p.add(iso(new Date(start)), "timestamptz")} AND r.hour < ${p.add(iso(new Date(end)), "timestamptz")} AND ${spec.notNull} IS NOT NULL${rollupFilterSql(scopeFilters(scope), p)}
     GROUP BY 1, 2, 3`,
    p,
  );
  const starts = bucketStarts(start, new Date(end), bucket);
  const index = new Map(starts.map((s, i) => [s, i]));
  const groups = new Map<string, { g1: string | null; g2: string | null; points: HitRatePoint[] }>();
  for (const row of buckets) {
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

/** The jump flag of tokensPerRequestReport per team and feature (features without a team tag are left out). */
export async function tokensInputs(db: Queryable, now: Date, scope: AlertScope): Promise<TokensJumpInput[]> {
  const to = new Date(startOfUtcHour(now).getTime() + HOUR_MS);
  // The report's groups are those with requests in [from, to): the jump's recent 7 days.
  const from = new Date(to.getTime() - 7 * DAY_MS);
  let teams: string[];
  if (scope.team) {
    teams = [scope.team];
  } else {
    const p = new SqlParams();
    const found = await rows<{ team: string }>(
      db,
      `SELECT DISTINCT r.team FROM usage_rollup_hourly_all r
       WHERE r.hour >= ${p.add(iso(new Date(to.getTime() - 35 * DAY_MS)), "timestamptz")} AND r.hour < ${p.add(iso(to), "timestamptz")}
         AND r.team IS NOT NULL AND r.feature IS NOT NULL${rollupFilterSql(scopeFilters(scope), p)}
       ORDER BY r.team`,
      p,
    );
    teams = found.map((row) => row.team);
  }
  const inputs: TokensJumpInput[] = [];
  for (const team of teams) {
    const report = await tokensPerRequestReport(db, { from, to, bucket: "day", group_by: "feature", tag_filters: {}, ...scopeFilters(scope), team }, { kind: "all" });
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

export async function unpricedInputs(db: Queryable, now: Date, scope: AlertScope) {
  const { start, end } = monthToDate(now);
  const p = new SqlParams();
  const unpriced = await rows<{ provider: string; model: string; n: string }>(
    db,
    `SELECT r.provider, r.model, sum(r.unpriced_requests)::text AS n
     FROM ${rollupWindowSql(start, end, p, "r")}
     WHERE true${rollupFilterSql(scopeFilters(scope), p)}
     GROUP BY r.provider, r.model
     HAVING sum(r.unpriced_requests) > 0
     ORDER BY sum(r.unpriced_requests) DESC, r.provider, r.model`,
    p,
  );
  return {
    scope,
    periodStart: start,
    models: unpriced.map((row) => ({ provider: row.provider, model: row.model, unpricedRequests: toCount(row.n) })),
  };
}

export async function untaggedInputs(db: Queryable, now: Date, params: UntaggedSpendParams, scope: AlertScope) {
  const { start, end } = monthToDate(now);
  const p = new SqlParams();
  const [row] = await rows<{ total: string; untagged: string }>(
    db,
    `SELECT coalesce(sum(r.cost_usd), 0)::text AS total,
            coalesce(sum(r.cost_usd) FILTER (WHERE r.${params.tag} IS NULL), 0)::text AS untagged
     FROM ${rollupWindowSql(start, end, p, "r")}
     WHERE true${rollupFilterSql(scopeFilters(scope), p)}`,
    p,
  );
  return { scope, periodStart: start, totalUsd: row?.total ?? "0", untaggedUsd: row?.untagged ?? "0" };
}

/** Provider days of the last 35 (whole UTC days before today) with both costs: what reconciliation.drift compares. */
export async function driftInputs(db: Queryable, now: Date): Promise<DriftDayInput[]> {
  const { compareWindow } = await import("@/lib/reconciliation/reconciliation");
  const today = startOfUtcDay(now);
  const { days } = await compareWindow(db, { from: new Date(today.getTime() - 35 * DAY_MS), to: today });
  return days.flatMap((day) =>
    day.provider_cost_usd === null ? [] : [{ provider: day.provider, day: day.day, providerCostUsd: day.provider_cost_usd, burnrateCostUsd: day.burnrate_cost_usd }],
  );
}

/** Traces with calls in the window whose count or priced cost passes the rule's limits (in SQL: only those come back). */
export async function runawayInputs(db: Queryable, now: Date, params: RunawayTraceParams, scope: AlertScope): Promise<RunawayTraceInput[]> {
  const p = new SqlParams();
  const from = p.add(iso(new Date(now.getTime() - params.window_hours * HOUR_MS)), "timestamptz");
  const to = p.add(iso(now), "timestamptz");
  let where = `e.occurred_at >= ${from} AND e.occurred_at < ${to} AND e.trace_id IS NOT NULL`;
  for (const tag of SCOPE_TAGS) if (scope[tag] !== undefined) where += ` AND e.${tag} = ${p.add(scope[tag])}`;
  const found = await rows<{ trace_id: string; team: string | null; calls: string; cost: string; first_at: Date; last_at: Date }>(
    db,
    `SELECT e.trace_id, mode() WITHIN GROUP (ORDER BY e.team) AS team, count(*)::text AS calls,
            coalesce(sum(e.cost_usd), 0)::text AS cost, min(e.occurred_at) AS first_at, max(e.occurred_at) AS last_at
     FROM usage_events e
     WHERE ${where}
     GROUP BY e.trace_id
     HAVING count(*) > ${p.add(params.max_calls)} OR coalesce(sum(e.cost_usd), 0) > ${p.add(params.max_cost_usd, "numeric")}
     ORDER BY min(e.occurred_at), e.trace_id
     LIMIT 500`,
    p,
  );
  return found.map((row) => ({ traceId: row.trace_id, team: row.team, calls: toCount(row.calls), costUsd: row.cost, firstCallAt: row.first_at, lastCallAt: row.last_at }));
}
