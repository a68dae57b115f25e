import "server-only";
import { Money } from "@/lib/money";
import type { TeamScope } from "@/lib/auth/permissions";
import type { QueryResultRow } from "pg";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { iso, rows, SqlParams, toCount } from "@/lib/db/sql";
import { overviewPeriods, utcDays, type OverviewPeriods } from "./periods";
import { dbOf, nowOf, teamScopeFor, type Ctx } from "@/lib/context";

/**
 * The overview page's figures, from usage_rollup_hourly. Money is summed in SQL as
 * numeric and returned as decimal strings; unpriced requests are counted, never
 * folded into spend as $0.
 */

export interface MonthToDate {
  costUsd: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  unpricedRequests: number;
  /** Distinct provider/model pairs with unpriced requests this month. */
  unpricedModels: number;
  /** Spend of events without a team tag. */
  untaggedCostUsd: string;
}

export interface TeamSpend {
  team: string;
  costUsd: string;
  requests: number;
}

export interface DailySpend {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  costUsd: string;
  requests: number;
  unpricedRequests: number;
}

export interface ModelDaySpend {
  day: string;
  /** "provider/model", or "other" for everything past the top models. */
  model: string;
  costUsd: string;
}

export interface FeatureSpend {
  team: string | null;
  feature: string;
  costUsd: string;
  requests: number;
}

export interface SpendOverview {
  now: Date;
  periods: OverviewPeriods;
  /** Start of the newest hour with any usage, null for an empty installation. */
  latestHour: Date | null;
  monthToDate: MonthToDate;
  lastMonthSamePeriodCostUsd: string;
  lastMonthCostUsd: string;
  lastMonthRequests: number;
  /** The five most expensive tagged teams this month. */
  topTeams: TeamSpend[];
  /** How many tagged teams spent anything this month (to say "top 5 of 12"). */
  teamCount: number;
  daily: DailySpend[];
  /** Daily spend of the last 30 days split by the top models (stacked chart). */
  dailyByModel: ModelDaySpend[];
  /** The models of dailyByModel in stacking order (most expensive first), "other" last if present. */
  models: string[];
  /** The five most expensive tagged features this month. */
  topFeatures: FeatureSpend[];
}

interface TotalsRow {
  mtd_cost: string;
  mtd_requests: string;
  mtd_input_tokens: string;
  mtd_output_tokens: string;
  mtd_unpriced_requests: string;
  mtd_unpriced_models: string;
  mtd_untagged_cost: string;
  last_month_cost: string;
  last_month_requests: string;
}

/**
 * A query over the rollup rows of [from, to) for the caller's teams: `build` gets the
 * FROM source (rollupWindowSql), the WHERE clause, and the statement's SqlParams for any
 * further value.
 */
function windowQuery(
  from: Date,
  to: Date,
  scope: TeamScope,
  build: (source: string, where: string, params: SqlParams) => string,
): { sql: string; params: SqlParams } {
  const params = new SqlParams();
  const source = rollupWindowSql(from, to, params);
  const where = `true${params.teamScope(scope)}`;
  return { sql: build(source, where, params), params };
}

// One scan from the start of last month; FILTER splits it at this month's first hour.
function totalsQuery(periods: OverviewPeriods, scope: TeamScope) {
  return windowQuery(periods.lastMonth.start, periods.monthToDate.end, scope, (source, where, params) => {
    const mtd = `hour >= ${params.add(iso(periods.monthToDate.start), "timestamptz")}`;
    return `
  SELECT
    coalesce(sum(cost_usd) FILTER (WHERE ${mtd}), 0)::text AS mtd_cost,
    coalesce(sum(requests) FILTER (WHERE ${mtd}), 0)::text AS mtd_requests,
    coalesce(sum(input_tokens) FILTER (WHERE ${mtd}), 0)::text AS mtd_input_tokens,
    coalesce(sum(output_tokens) FILTER (WHERE ${mtd}), 0)::text AS mtd_output_tokens,
    coalesce(sum(unpriced_requests) FILTER (WHERE ${mtd}), 0)::text AS mtd_unpriced_requests,
    count(DISTINCT (provider, model)) FILTER (WHERE ${mtd} AND unpriced_requests > 0)::text AS mtd_unpriced_models,
    coalesce(sum(cost_usd) FILTER (WHERE ${mtd} AND team IS NULL), 0)::text AS mtd_untagged_cost,
    coalesce(sum(cost_usd) FILTER (WHERE NOT ${mtd}), 0)::text AS last_month_cost,
    coalesce(sum(requests) FILTER (WHERE NOT ${mtd}), 0)::text AS last_month_requests
  FROM ${source}
  WHERE ${where}`;
  });
}

// Its own window: last month's same period usually ends inside a day.
function samePeriodQuery(periods: OverviewPeriods, scope: TeamScope) {
  const same = periods.lastMonthSamePeriod;
  return windowQuery(same.start, same.end, scope, (source, where) =>
    `SELECT coalesce(sum(cost_usd), 0)::text AS cost FROM ${source} WHERE ${where}`,
  );
}

function topTeamsQuery(periods: OverviewPeriods, scope: TeamScope) {
  return windowQuery(periods.monthToDate.start, periods.monthToDate.end, scope, (source, where) => `
  SELECT team, sum(cost_usd)::text AS cost, sum(requests)::text AS requests,
         count(*) OVER ()::text AS team_count
  FROM ${source}
  WHERE ${where} AND team IS NOT NULL
  GROUP BY team HAVING sum(requests) > 0
  ORDER BY sum(cost_usd) DESC, team LIMIT 5`);
}

function dailyQuery(periods: OverviewPeriods, scope: TeamScope) {
  return windowQuery(periods.last30Days.start, periods.last30Days.end, scope, (source, where) => `
  SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         sum(cost_usd)::text AS cost, sum(requests)::text AS requests,
         sum(unpriced_requests)::text AS unpriced
  FROM ${source}
  WHERE ${where}
  GROUP BY 1`);
}

// Every (day, model) of the window; the top models are picked in code from the same rows.
function dailyByModelQuery(periods: OverviewPeriods, scope: TeamScope) {
  return windowQuery(periods.last30Days.start, periods.last30Days.end, scope, (source, where) => `
  SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, provider || '/' || model AS model,
         sum(cost_usd)::text AS cost
  FROM ${source}
  WHERE ${where}
  GROUP BY 1, 2 HAVING sum(requests) > 0`);
}

function topFeaturesQuery(periods: OverviewPeriods, scope: TeamScope) {
  return windowQuery(periods.monthToDate.start, periods.monthToDate.end, scope, (source, where) => `
  SELECT team, feature, sum(cost_usd)::text AS cost, sum(requests)::text AS requests
  FROM ${source}
  WHERE ${where} AND feature IS NOT NULL
  GROUP BY team, feature HAVING sum(requests) > 0
  ORDER BY sum(cost_usd) DESC, feature LIMIT 5`);
}

export const STACKED_MODELS = 5;

/** Keeps the most expensive models by name and folds the rest into "other", per day. */
export function stackTopModels(rows: ModelDaySpend[], keep = STACKED_MODELS): { models: string[]; rows: ModelDaySpend[] } {
  const totals = new Map<string, Money>();
  for (const row of rows) totals.set(row.model, (totals.get(row.model) ?? new Money(0)).plus(row.costUsd));
  const ranked = [...totals.entries()].sort((a, b) => b[1].comparedTo(a[1]) || a[0].localeCompare(b[0])).map(([m]) => m);
  const top = new Set(ranked.slice(0, keep));
  const folded = new Map<string, Money>();
  for (const row of rows) {
    const model = top.has(row.model) ? row.model : "other";
    const key = `${row.day}\u0000${model}`;
    folded.set(key, (folded.get(key) ?? new Money(0)).plus(row.costUsd));
  }
  const models = [...ranked.slice(0, keep), ...(ranked.length > keep ? ["other"] : [])];
  return {
    models,
    rows: [...folded.entries()].map(([key, cost]) => {
      const [day = "", model = ""] = key.split("\u0000");
      return { day, model, costUsd: cost.toFixed() };
    }),
  };
}

const LATEST_SQL = `SELECT max(hour) AS latest FROM usage_rollup_hourly_all WHERE true`;

/** The overview of the caller's teams (everything for admins and finance), or of one of them (`team`, the team page). */
export async function getSpendOverview(ctx: Ctx, input: { team?: string } = {}): Promise<SpendOverview> {
  const db = dbOf(ctx);
  const now = nowOf(ctx);
  const scope = teamScopeFor(ctx, input.team);
  const periods = overviewPeriods(now);
  const { last30Days } = periods;
  const latestParams = new SqlParams();
  const latestSql = LATEST_SQL + latestParams.teamScope(scope);
  const run = <R extends QueryResultRow>(query: { sql: string; params: SqlParams }) => db.query<R>(query.sql, query.params.values);

  const [latest, totals, samePeriod, teams, daily, byModel, features] = await Promise.all([
    rows<{ latest: Date | null }>(db, latestSql, latestParams),
    run<TotalsRow>(totalsQuery(periods, scope)),
    run<{ cost: string }>(samePeriodQuery(periods, scope)),
    run<{ team: string; cost: string; requests: string; team_count: string }>(topTeamsQuery(periods, scope)),
    run<{ day: string; cost: string; requests: string; unpriced: string }>(dailyQuery(periods, scope)),
    run<{ day: string; model: string; cost: string }>(dailyByModelQuery(periods, scope)),
    run<{ team: string | null; feature: string; cost: string; requests: string }>(topFeaturesQuery(periods, scope)),
  ]);
  const stacked = stackTopModels(byModel.rows.map((row) => ({ day: row.day, model: row.model, costUsd: row.cost })));

  const t = totals.rows[0];
  if (!t) throw new Error("totals query returned no row");
  const byDay = new Map(daily.rows.map((row) => [row.day, row]));

  return {
    now,
    periods,
    latestHour: latest[0]?.latest ?? null,
    monthToDate: {
      costUsd: t.mtd_cost,
      requests: toCount(t.mtd_requests),
      inputTokens: toCount(t.mtd_input_tokens),
      outputTokens: toCount(t.mtd_output_tokens),
      unpricedRequests: toCount(t.mtd_unpriced_requests),
      unpricedModels: toCount(t.mtd_unpriced_models),
      untaggedCostUsd: t.mtd_untagged_cost,
    },
    lastMonthSamePeriodCostUsd: samePeriod.rows[0]?.cost ?? "0",
    lastMonthCostUsd: t.last_month_cost,
    lastMonthRequests: toCount(t.last_month_requests),
    topTeams: teams.rows.map((row) => ({ team: row.team, costUsd: row.cost, requests: toCount(row.requests) })),
    teamCount: toCount(teams.rows[0]?.team_count ?? "0"),
    daily: utcDays(last30Days).map((day) => {
      const row = byDay.get(day);
      return {
        day,
        costUsd: row?.cost ?? "0",
        requests: toCount(row?.requests ?? "0"),
        unpricedRequests: toCount(row?.unpriced ?? "0"),
      };
    }),
    dailyByModel: stacked.rows,
    models: stacked.models,
    topFeatures: features.rows.map((row) => ({
      team: row.team,
      feature: row.feature,
      costUsd: row.cost,
      requests: toCount(row.requests),
    })),
  };
}

export interface WeekTrend {
  /** The 7 complete UTC days before today. */
  lastSevenDaysCostUsd: string;
  /** The 7 days before those. */
  priorSevenDaysCostUsd: string;
  firstDay: string;
  lastDay: string;
}

/** Last 7 complete days against the 7 before them (today is partial, so it is left out). */
export function weekTrend(daily: readonly DailySpend[]): WeekTrend | null {
  const complete = daily.slice(0, -1);
  if (complete.length < 14) return null;
  const sum = (days: readonly DailySpend[]) => days.reduce((total, d) => total.plus(d.costUsd), new Money(0)).toFixed();
  const last = complete.slice(-7);
  return {
    lastSevenDaysCostUsd: sum(last),
    priorSevenDaysCostUsd: sum(complete.slice(-14, -7)),
    firstDay: last[0]?.day ?? "",
    lastDay: last.at(-1)?.day ?? "",
  };
}
