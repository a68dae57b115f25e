import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams, type Queryable } from "@/lib/db/sql";
import { Money } from "@/lib/money";
import type { CapAction } from "@/lib/schemas/budget";
import { HOUR_MS } from "@/lib/time";
import type { BudgetCap } from "./cap";
import { budgetPeriod, budgetScopesSql, IN_BUDGET_SCOPE } from "./status";

/**
 * The capped budgets (not archived, with enforce_at_percent) and each one's spend this month
 * so far, in two small queries over the rollups (rollupWindowSql: whole days from the daily
 * rollups, today from the hourly ones): what the quota snapshot carries.
 */
export async function loadBudgetCaps(db: Queryable, now: Date): Promise<{ cap: BudgetCap; spentUsd: Money }[]> {
  const budgets = await db.query<{
    id: string;
    name: string;
    team: string | null;
    feature: string | null;
    environment: string | null;
    tenant: string | null;
    amount_usd: string;
    enforce_at_percent: number;
    enforce_action: CapAction;
    enforce_models: string[] | null;
  }>(
    `SELECT id::text, name, team, feature, environment, tenant, amount_usd::text, enforce_at_percent,
            enforce_action::text AS enforce_action, enforce_models
     FROM budgets WHERE archived_at IS NULL AND enforce_at_percent IS NOT NULL
     ORDER BY created_at, id`,
  );
  if (budgets.rows.length === 0) return [];
  const caps: BudgetCap[] = budgets.rows.map((row) => ({
    budgetId: row.id,
    name: row.name,
    scope: {
      ...(row.team !== null ? { team: row.team } : {}),
      ...(row.feature !== null ? { feature: row.feature } : {}),
      ...(row.environment !== null ? { environment: row.environment } : {}),
      ...(row.tenant !== null ? { tenant: row.tenant } : {}),
    },
    amountUsd: row.amount_usd,
    atPercent: row.enforce_at_percent,
    action: row.enforce_action,
    models: row.enforce_models ?? [],
  }));
  const from = budgetPeriod(now).start;
  // Through the end of the current hour: every event so far.
  const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS);
  const params = new SqlParams();
  const scopes = budgetScopesSql(caps.map((c) => ({ id: c.budgetId, scope: c.scope })), params);
  const source = rollupWindowSql(from, to, params);
  const spend = await db.query<{ id: string; cost: string | null }>(
    `WITH spend AS (
       SELECT team, feature, environment, tenant, sum(cost_usd) AS cost FROM ${source}
       GROUP BY team, feature, environment, tenant
     )
     SELECT b.id::text AS id, sum(s.cost)::text AS cost
     FROM ${scopes} JOIN spend s ON ${IN_BUDGET_SCOPE}
     GROUP BY b.id`,
    params.values,
  );
  const spent = new Map(spend.rows.map((row) => [row.id, new Money(row.cost ?? "0")]));
  return caps.map((cap) => ({ cap, spentUsd: spent.get(cap.budgetId) ?? new Money(0) }));
}
