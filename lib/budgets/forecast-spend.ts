import "server-only";
import type { TeamScope } from "@/lib/auth/permissions";
import { assertFiltersInScope } from "@/lib/analytics/spend";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams, type Queryable } from "@/lib/db/sql";
import { Money } from "@/lib/money";
import {
  forecastFilters,
  FORECAST_FILTER_KEYS,
  type ForecastFilters,
  type ForecastGroupKey,
  type ForecastQuery,
} from "@/lib/schemas/forecast";
import { forecastMonthDays, type DailyCost, type ForecastDay, type MonthForecast } from "./forecast";
import { budgetPeriod, spendWindow } from "./status";
import { DAY_MS } from "@/lib/time";
import { dbOf, nowOf, teamScopeOf, type Ctx } from "@/lib/context";

/**
 * Month-end forecasts of any spend, budget or not: all of it (the caller's teams), one team,
 * one feature, any mix of the spend API's filters, optionally one forecast per group (team,
 * feature, model…). The Overview's forecast card, GET /api/v1/forecast, Showback's Forecast
 * column and the team page read this.
 *
 * The forecaster is the budgets' (forecastMonthDays in ./forecast.ts) on the daily series the
 * budgets read: the same rollup window (spendWindow), the same rule for folded-away groups
 * (a (day, team, feature, environment, tenant) group with zero requests does not exist), so
 * a budget and a forecast of the same scope agree to the last digit. ONE query whatever the
 * number of groups: the series are grouped by day and the group keys in SQL, forecast each in
 * TypeScript. The total's series is the sum of the groups' (the same rows). Team scoping is a
 * WHERE clause from the principal's TeamScope: a lead's "all spend" is their teams' spend.
 */

const SCOPE_TAGS = ["team", "feature", "environment", "tenant"] as const;

export interface SpendForecast {
  /** "YYYY-MM", UTC. */
  month: string;
  periodStart: Date;
  periodEnd: Date;
  now: Date;
  /** Calendar days of the month still to come, today included. */
  daysLeft: number;
  spentUsd: string;
  forecastUsd: string;
  lowUsd: string;
  highUsd: string;
  /** forecastMonthEnd's method: weekday_mean(+trend), recent_mean, today_run_rate, no_history, complete… */
  method: string;
  basisDays: number;
  /** false when forecastMonthEnd had no complete day to learn from (no_history, today_run_rate). */
  enoughHistory: boolean;
  /** One sentence on what the forecast rests on. */
  note: string;
}

export interface SpendForecastDays {
  forecast: SpendForecast;
  /** Every day of the month: cumulative actual (null after today), forecast and range. */
  days: ForecastDay[];
}

export interface GroupForecast {
  /** The group's keys (null: spend without that tag). */
  keys: Partial<Record<ForecastGroupKey, string | null>>;
  forecast: SpendForecast;
}

export interface ForecastSelection {
  now: Date;
  scope: TeamScope;
  filters?: ForecastFilters;
  groupBy?: readonly ForecastGroupKey[];
}

/** What the forecast rests on, for people (the card's footnote, the API's `note`). */
export function forecastNote(method: string, basisDays: number): string {
  if (method === "complete") return "The month has ended: the forecast is what was spent.";
  if (method === "no_history") return "Not enough days yet to forecast: no spend in the last 28 days.";
  if (method === "today_run_rate") return "Not enough days yet to forecast: no complete day of spend, so today's run rate is projected.";
  const trend = method.endsWith("+trend") ? " and the recent trend" : "";
  const days = `${basisDays} day${basisDays === 1 ? "" : "s"}`;
  if (basisDays < 7) return `Under a week of history (${days}): the range is at least half the projection.`;
  if (method.startsWith("weekday_mean_partial")) return `From ${days} of history, by weekday where it has 4 samples${trend}.`;
  if (method.startsWith("weekday_mean")) return `From the last 4 of each weekday${trend}.`;
  return `From the mean of ${days} of history${trend}.`;
}

/** The forecast of one daily series at `now` (the month containing `now`). */
export function spendForecastFromDaily(now: Date, daily: readonly DailyCost[]): SpendForecastDays {
  const period = budgetPeriod(now);
  const result = forecastMonthDays({ monthStart: period.start, monthEnd: period.end, now, daily });
  return { forecast: describe(result.forecast, now), days: result.days };
}

function describe(forecast: MonthForecast, now: Date): SpendForecast {
  const period = budgetPeriod(now);
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return {
    month: period.start.toISOString().slice(0, 7),
    periodStart: period.start,
    periodEnd: period.end,
    now,
    daysLeft: Math.max(0, Math.round((period.end.getTime() - today) / DAY_MS)),
    spentUsd: forecast.actualUsd,
    forecastUsd: forecast.forecastUsd,
    lowUsd: forecast.lowUsd,
    highUsd: forecast.highUsd,
    method: forecast.method,
    basisDays: forecast.basisDays,
    enoughHistory: forecast.basisDays > 0 || forecast.method === "complete",
    note: forecastNote(forecast.method, forecast.basisDays),
  };
}

type SeriesRow = { day: string; cost: string | null } & Record<string, string | null>;

/**
 * The daily spend of the selection over spendWindow(now), in ONE query: the total's series
 * and, with `groupBy`, each group's. Days without spend are absent.
 */
export async function dailySpendSeries(
  db: Queryable,
  selection: ForecastSelection,
): Promise<{ total: DailyCost[]; groups: { keys: GroupForecast["keys"]; daily: DailyCost[] }[] }> {
  const groupBy = [...new Set(selection.groupBy ?? [])];
  const { from, to } = spendWindow(selection.now);
  const params = new SqlParams();
  const source = rollupWindowSql(from, to, params);
  let where = "true";
  for (const key of FORECAST_FILTER_KEYS) {
    const value = selection.filters?.[key];
    if (value !== undefined) where += ` AND ${key} = ${params.add(value)}`;
  }
  where += params.teamScope(selection.scope);

  // Keys come from the FORECAST_GROUP_KEYS whitelist, so quoting them as identifiers is safe.
  const extra = groupBy.filter((key) => !(SCOPE_TAGS as readonly string[]).includes(key)).map((key) => `"${key}"`);
  const keys = groupBy.map((key) => `"${key}"`);
  const result = await db.query<SeriesRow>(
    `
  WITH spend AS (
    SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, team, feature, environment, tenant${extra.map((k) => `, ${k}`).join("")},
           sum(cost_usd) AS cost
    FROM ${source}
    WHERE ${where}
    GROUP BY 1, team, feature, environment, tenant${extra.map((k) => `, ${k}`).join("")}
    HAVING sum(requests) > 0
  )
  SELECT day${keys.map((k) => `, ${k}`).join("")}, sum(cost)::text AS cost
  FROM spend
  GROUP BY day${keys.map((k) => `, ${k}`).join("")}
  ORDER BY day`,
    params.values,
  );

  const totals = new Map<string, Money>();
  const groups = new Map<string, { keys: GroupForecast["keys"]; daily: DailyCost[] }>();
  for (const row of result.rows) {
    const cost = row.cost ?? "0";
    totals.set(row.day, (totals.get(row.day) ?? new Money(0)).plus(cost));
    if (groupBy.length === 0) continue;
    const values = groupBy.map((key) => row[key] ?? null);
    const id = JSON.stringify(values);
    let group = groups.get(id);
    if (!group) {
      group = { keys: Object.fromEntries(groupBy.map((key, i) => [key, values[i] ?? null])), daily: [] };
      groups.set(id, group);
    }
    group.daily.push({ day: row.day, costUsd: cost });
  }
  return {
    total: [...totals.entries()].map(([day, cost]) => ({ day, costUsd: cost.toFixed() })),
    groups: [...groups.values()],
  };
}

/** The month-end forecast of the selection's spend (all of it, or its filters), with its days. */
export async function forecastSpend(db: Queryable, selection: Omit<ForecastSelection, "groupBy">): Promise<SpendForecastDays> {
  const { total } = await dailySpendSeries(db, { ...selection, groupBy: [] });
  return spendForecastFromDaily(selection.now, total);
}

/**
 * The total's forecast and one per group, from one query. Groups: every group with spend in
 * the forecast window (a group that spent last month but nothing yet this month is forecast
 * too), by forecast descending, then keys.
 */
export async function forecastSpendByGroup(
  db: Queryable,
  selection: ForecastSelection,
): Promise<SpendForecastDays & { groups: GroupForecast[] }> {
  const series = await dailySpendSeries(db, selection);
  const total = spendForecastFromDaily(selection.now, series.total);
  const groups = series.groups.map((group) => ({ keys: group.keys, forecast: spendForecastFromDaily(selection.now, group.daily).forecast }));
  const order = selection.groupBy ?? [];
  groups.sort((a, b) => {
    const byForecast = new Money(b.forecast.forecastUsd).comparedTo(a.forecast.forecastUsd);
    if (byForecast !== 0) return byForecast;
    for (const key of order) {
      const x = a.keys[key] ?? null;
      const y = b.keys[key] ?? null;
      if (x === y) continue;
      if (x === null || y === null) return x === null ? 1 : -1;
      return x < y ? -1 : 1;
    }
    return 0;
  });
  return { ...total, groups };
}

// ---------------------------------------------------------------- the API's JSON

// A type alias, not an interface: a group's JSON stays assignable to Record<string, unknown>.
export type ForecastFiguresJson = {
  spent_usd: string;
  forecast_usd: string;
  low_usd: string;
  high_usd: string;
  method: string;
  basis_days: number;
  enough_history: boolean;
};

export interface ForecastDayJson {
  day: string;
  /** null for days after today. */
  actual_cumulative_usd: string | null;
  forecast_cumulative_usd: string;
  low_cumulative_usd: string;
  high_cumulative_usd: string;
}

export type ForecastGroupJson = Partial<Record<ForecastGroupKey, string | null>> & ForecastFiguresJson;

/** GET /api/v1/forecast's answer. Money: decimal strings with 12 decimals. */
export interface ForecastJson extends ForecastFiguresJson {
  currency: "USD";
  /** "YYYY-MM" (UTC). */
  month: string;
  period_start: string;
  period_end: string;
  /** The instant the forecast was computed at. */
  as_of: string;
  /** Calendar days of the month still to come, today included. */
  days_left: number;
  note: string;
  filters: ForecastFilters;
  days: ForecastDayJson[];
  group_by: ForecastGroupKey[];
  /** One per group when group_by is given (else empty). */
  groups: ForecastGroupJson[];
}

function figures(forecast: SpendForecast): ForecastFiguresJson {
  return {
    spent_usd: forecast.spentUsd,
    forecast_usd: forecast.forecastUsd,
    low_usd: forecast.lowUsd,
    high_usd: forecast.highUsd,
    method: forecast.method,
    basis_days: forecast.basisDays,
    enough_history: forecast.enoughHistory,
  };
}

export function forecastJson(
  result: SpendForecastDays & { groups?: GroupForecast[] },
  filters: ForecastFilters,
  groupBy: readonly ForecastGroupKey[] = [],
): ForecastJson {
  const { forecast } = result;
  return {
    currency: "USD",
    month: forecast.month,
    period_start: forecast.periodStart.toISOString(),
    period_end: forecast.periodEnd.toISOString(),
    as_of: forecast.now.toISOString(),
    days_left: forecast.daysLeft,
    ...figures(forecast),
    note: forecast.note,
    filters,
    days: result.days.map((day) => ({
      day: day.day,
      actual_cumulative_usd: day.actualCumulativeUsd,
      forecast_cumulative_usd: day.forecastCumulativeUsd,
      low_cumulative_usd: day.lowCumulativeUsd,
      high_cumulative_usd: day.highCumulativeUsd,
    })),
    group_by: [...groupBy],
    groups: (result.groups ?? []).map((group) => ({ ...group.keys, ...figures(group.forecast) })),
  };
}

/** GET /api/v1/forecast for a parsed query: a `team` filter outside the caller's teams is a 403 naming `team`. */
export async function queryForecast(ctx: Ctx, query: ForecastQuery): Promise<ForecastJson> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const now = nowOf(ctx);
  const filters = forecastFilters(query);
  assertFiltersInScope(filters, scope);
  const groupBy = query.group_by;
  const result = await forecastSpendByGroup(db, { now, scope, filters, groupBy });
  return forecastJson(result, filters, groupBy);
}
