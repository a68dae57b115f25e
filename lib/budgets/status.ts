import type { TeamScope } from "@/lib/auth/permissions";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams, type Queryable } from "@/lib/db/sql";
import { Money, formatUsd, type MoneyValue } from "@/lib/money";
import { HISTORY_DAYS, forecastMonthDays, forecastMonthEnd, type DailyCost, type MonthForecastDays } from "./forecast";
import { DAY_MS, HOUR_MS } from "@/lib/time";

/**
 * Where every budget stands this month: spend so far, the month-end forecast, thresholds
 * crossed. The alert rules and the budgets API both read this.
 *
 * Spend comes from the rollups (rollupWindowSql, lib/db/rollup-sql.ts) in ONE query for any number of
 * budgets: the window's rows are first grouped by day and the four scope tags, then joined
 * to the budgets' scopes (passed in as arrays, so budgets not yet committed work too) —
 * a budget matches a group when each of its non-null tags equals the group's.
 */

export type BudgetStatusKind = "ok" | "at_risk" | "over";

// A type alias, not an interface: it stays assignable to Record<string, string | undefined>.
export type BudgetScope = {
  team?: string;
  feature?: string;
  environment?: string;
  tenant?: string;
};

export interface BudgetStatus {
  budget: {
    id: string;
    name: string;
    scope: BudgetScope;
    period: "month";
    amountUsd: string;
    thresholds: number[];
    archived: boolean;
  };
  periodStart: Date;
  periodEnd: Date;
  spentUsd: string;
  forecast: ReturnType<typeof forecastMonthEnd>;
  /** spent / amount × 100, 2 decimals. */
  percentUsed: string;
  forecastPercent: string;
  /** over: spent > amount; at_risk: forecast > amount. */
  status: BudgetStatusKind;
  /** The thresholds (percent) that spend has reached, ascending. */
  crossedThresholds: number[];
}

export type BudgetRecord = BudgetStatus["budget"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The budget period containing `now`: its UTC calendar month. */
export function budgetPeriod(now: Date): { start: Date; end: Date } {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/**
 * The rollup window a forecast at `now` reads: from the earlier of the month's start and
 * HISTORY_DAYS before today, through the end of the current hour (its events so far).
 */
export function spendWindow(now: Date): { from: Date; to: Date } {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const from = Math.min(budgetPeriod(now).start.getTime(), today - HISTORY_DAYS * DAY_MS);
  return { from: new Date(from), to: new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS) };
}

/** The spend of each budget's scope per UTC day over spendWindow(now), in one query. Days without spend are absent. */
/** The budgets' scopes as rows `b(id, team, feature, environment, tenant)` (null: any), for a FROM clause. */
export function budgetScopesSql(budgets: readonly { id: string; scope: { team?: string; feature?: string; environment?: string; tenant?: string } }[], params: SqlParams): string {
  const columns = [
    params.add(budgets.map((b) => b.id), "uuid[]"),
    params.add(budgets.map((b) => b.scope.team ?? null), "text[]"),
    params.add(budgets.map((b) => b.scope.feature ?? null), "text[]"),
    params.add(budgets.map((b) => b.scope.environment ?? null), "text[]"),
    params.add(budgets.map((b) => b.scope.tenant ?? null), "text[]"),
  ];
  return `unnest(${columns.join(", ")}) AS b(id, team, feature, environment, tenant)`;
}

/** Spend rows `s` inside budget `b`'s scope: every tag the scope names matches. */
export const IN_BUDGET_SCOPE = `(b.team IS NULL OR s.team = b.team) AND (b.feature IS NULL OR s.feature = b.feature)
   AND (b.environment IS NULL OR s.environment = b.environment) AND (b.tenant IS NULL OR s.tenant = b.tenant)`;

export async function dailySpendByBudget(
  db: Queryable,
  now: Date,
  budgets: readonly Pick<BudgetRecord, "id" | "scope">[],
): Promise<Map<string, DailyCost[]>> {
  const byBudget = new Map<string, DailyCost[]>(budgets.map((b) => [b.id, []]));
  if (budgets.length === 0) return byBudget;
  const { from, to } = spendWindow(now);
  const params = new SqlParams();
  const scopes = budgetScopesSql(budgets, params);
  const source = rollupWindowSql(from, to, params);
  const result = await db.query<{ id: string; day: string; cost: string }>(
    `
  WITH spend AS (
    SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, team, feature, environment, tenant,
           sum(cost_usd) AS cost
    FROM ${source}
    GROUP BY 1, team, feature, environment, tenant
    HAVING sum(requests) > 0
  )
  SELECT b.id::text AS id, s.day, sum(s.cost)::text AS cost
  FROM ${scopes}
  JOIN spend s ON ${IN_BUDGET_SCOPE}
  GROUP BY b.id, s.day
  ORDER BY b.id, s.day`,
    params.values,
  );
  for (const row of result.rows) byBudget.get(row.id)?.push({ day: row.day, costUsd: row.cost ?? "0" });
  return byBudget;
}

function percent(part: MoneyValue, whole: MoneyValue): string {
  return new Money(part).times(100).div(whole).toFixed(2);
}

/** The forecast (with its days, for a burn-down chart) of one budget from its daily spend. */
export function budgetForecastDays(now: Date, daily: readonly DailyCost[]): MonthForecastDays {
  const period = budgetPeriod(now);
  return forecastMonthDays({ monthStart: period.start, monthEnd: period.end, now, daily });
}

/** One budget's status from its daily spend (dailySpendByBudget). */
export function statusFromDaily(budget: BudgetRecord, now: Date, daily: readonly DailyCost[]): BudgetStatus {
  const period = budgetPeriod(now);
  const { forecast } = budgetForecastDays(now, daily);
  const amount = new Money(budget.amountUsd);
  const spent = new Money(forecast.actualUsd);
  const projected = new Money(forecast.forecastUsd);
  return {
    budget,
    periodStart: period.start,
    periodEnd: period.end,
    spentUsd: forecast.actualUsd,
    forecast,
    percentUsed: percent(spent, amount),
    forecastPercent: percent(projected, amount),
    status: spent.gt(amount) ? "over" : projected.gt(amount) ? "at_risk" : "ok",
    // spent ≥ amount × t / 100, compared exactly.
    crossedThresholds: budget.thresholds.filter((t) => spent.times(100).gte(amount.times(t))),
  };
}

/** Statuses of budgets already loaded (e.g. inside a write), with one spend query. */
export async function statusesForBudgets(db: Queryable, now: Date, budgets: readonly BudgetRecord[]): Promise<BudgetStatus[]> {
  const daily = await dailySpendByBudget(db, now, budgets);
  return budgets.map((budget) => statusFromDaily(budget, now, daily.get(budget.id) ?? []));
}

interface BudgetRow {
  id: string;
  name: string;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  amount_usd: string;
  thresholds: number[] | null;
  archived: boolean;
}

/** A stored row's scope: only its non-null tags. */
export function scopeOf(row: Pick<BudgetRow, "team" | "feature" | "environment" | "tenant">): BudgetScope {
  const scope: BudgetScope = {};
  if (row.team !== null) scope.team = row.team;
  if (row.feature !== null) scope.feature = row.feature;
  if (row.environment !== null) scope.environment = row.environment;
  if (row.tenant !== null) scope.tenant = row.tenant;
  return scope;
}

/**
 * Where budgets stand at `now`. Without `ids`: every active (not archived) budget; with
 * `ids`: those budgets, archived or not (see `budget.archived`). A team-scoped principal's
 * scope keeps the budgets whose team is one of theirs (org-wide budgets and other teams'
 * are not theirs). Two queries whatever the number of budgets: the budgets, their spend.
 * Ordered by name, then id.
 */
export async function budgetStatuses(
  db: Queryable,
  now: Date,
  scope: TeamScope,
  ids?: string[],
): Promise<BudgetStatus[]> {
  const params = new SqlParams();
  // A string that is not a UUID names no budget (rather than failing the cast).
  const which = ids ? `id = ANY(${params.add(ids.filter((id) => UUID.test(id)), "uuid[]")})` : "archived_at IS NULL";
  const rows = await db.query<BudgetRow>(
    `SELECT id::text AS id, name, team, feature, environment, tenant, amount_usd::text AS amount_usd, thresholds,
            archived_at IS NOT NULL AS archived
     FROM budgets WHERE ${which}${params.teamScope(scope)} ORDER BY name, id`,
    params.values,
  );
  const budgets: BudgetRecord[] = rows.rows.map((row) => ({
    id: row.id,
    name: row.name,
    scope: scopeOf(row),
    period: "month",
    amountUsd: formatUsd(row.amount_usd),
    thresholds: [...(row.thresholds ?? [])].sort((a, b) => a - b),
    archived: row.archived,
  }));
  return statusesForBudgets(db, now, budgets);
}
