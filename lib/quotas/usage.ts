import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams, type Queryable } from "@/lib/db/sql";
import { Money } from "@/lib/money";
import type { TeamUsage } from "./standing";

/**
 * Quota usage from the rollups (rollupWindowSql, lib/db/rollup-sql.ts: exact rows of an hour-aligned
 * window; a month so far = its whole days from the daily rollups + today's hourly rows).
 * Spend is the sum of cost_usd (priced events; unpriced ones are not counted as $0, they
 * are simply not spend yet — re-pricing adds them), tokens are input + output tokens.
 * Scoping is in SQL: only the teams asked for are read.
 */

export interface UsageTotals {
  costUsd: Money;
  tokens: Money;
}

function emptyTeam(): TeamUsage {
  return { costUsd: new Money(0), tokens: new Money(0), byModel: new Map() };
}

/** Each team's usage in [from, to) (hour-aligned), in total and per model. Teams without usage are absent. */
export async function usageByTeam(db: Queryable, window: { from: Date; to: Date }, teams: readonly string[]): Promise<Map<string, TeamUsage>> {
  const byTeam = new Map<string, TeamUsage>();
  if (teams.length === 0 || window.to.getTime() <= window.from.getTime()) return byTeam;
  const params = new SqlParams();
  const source = rollupWindowSql(window.from, window.to, params);
  const result = await db.query<{ team: string; model: string; cost: string | null; tokens: string | null }>(
    `SELECT team, model, sum(cost_usd)::text AS cost, sum(input_tokens + output_tokens)::text AS tokens
     FROM ${source}
     WHERE team = ANY(${params.add([...teams], "text[]")})
     GROUP BY team, model
     HAVING sum(requests) > 0`,
    params.values,
  );
  for (const row of result.rows) {
    const usage = byTeam.get(row.team) ?? emptyTeam();
    const totals = { costUsd: new Money(row.cost ?? "0"), tokens: new Money(row.tokens ?? "0") };
    usage.byModel.set(row.model, totals);
    usage.costUsd = usage.costUsd.plus(totals.costUsd);
    usage.tokens = usage.tokens.plus(totals.tokens);
    byTeam.set(row.team, usage);
  }
  return byTeam;
}

/** Each team's usage per UTC month ("YYYY-MM") in [from, to), over all models. */
export async function monthlyUsageByTeam(
  db: Queryable,
  window: { from: Date; to: Date },
  teams: readonly string[],
): Promise<Map<string, Map<string, UsageTotals>>> {
  const byTeam = new Map<string, Map<string, UsageTotals>>();
  if (teams.length === 0 || window.to.getTime() <= window.from.getTime()) return byTeam;
  const params = new SqlParams();
  const source = rollupWindowSql(window.from, window.to, params);
  const result = await db.query<{ team: string; month: string; cost: string | null; tokens: string | null }>(
    `SELECT team, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
            sum(cost_usd)::text AS cost, sum(input_tokens + output_tokens)::text AS tokens
     FROM ${source}
     WHERE team = ANY(${params.add([...teams], "text[]")})
     GROUP BY team, 2
     HAVING sum(requests) > 0`,
    params.values,
  );
  for (const row of result.rows) {
    const months = byTeam.get(row.team) ?? new Map<string, UsageTotals>();
    months.set(row.month, { costUsd: new Money(row.cost ?? "0"), tokens: new Money(row.tokens ?? "0") });
    byTeam.set(row.team, months);
  }
  return byTeam;
}

/** One allocation's used amount from usageByTeam: the team's total, or one model's. */
export function usedFrom(usage: Map<string, TeamUsage>, team: string, model: string | null, unit: "usd" | "tokens"): Money {
  const teamUsage = usage.get(team);
  const totals = teamUsage && (model === null ? teamUsage : teamUsage.byModel.get(model));
  if (!totals) return new Money(0);
  return unit === "usd" ? totals.costUsd : totals.tokens;
}
