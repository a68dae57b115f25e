/** GET /api/v1/budgets entries as the page uses them (contract fields plus Burnrate's extensions). */
export interface BudgetJson {
  id: string;
  name: string;
  scope: { team?: string | null; feature?: string | null; environment?: string | null; tenant?: string | null };
  period: "month";
  amount_usd: string;
  thresholds: number[];
  spent_usd: string;
  forecast_usd: string;
  forecast_low_usd?: string;
  forecast_high_usd?: string;
  status?: "ok" | "at_risk" | "over";
  percent_used?: string;
  crossed_thresholds?: number[];
  period_start?: string;
  period_end?: string;
}

export interface BurndownJson {
  days: Array<{
    day: string;
    actual_cumulative_usd: string | null;
    forecast_cumulative_usd: string | null;
    low_cumulative_usd: string | null;
    high_cumulative_usd: string | null;
    budget_usd: string;
  }>;
}

export function scopeLabel(scope: BudgetJson["scope"]): string {
  const parts = (["team", "feature", "environment", "tenant"] as const).flatMap((key) => (scope[key] ? [`${key} ${scope[key]}`] : []));
  return parts.length ? parts.join(" · ") : "whole organisation";
}
