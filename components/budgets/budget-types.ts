import type { BudgetView } from "@/lib/budgets/budgets";

/**
 * The budget API's JSON, as the backend defines it (type-only: nothing of lib/budgets reaches
 * the browser bundle). The pages' names for them are aliases here.
 */
export type { BudgetView as BudgetJson, BurndownView as BurndownJson } from "@/lib/budgets/budgets";

export function scopeLabel(scope: BudgetView["scope"]): string {
  const parts = (["team", "feature", "environment", "tenant"] as const).flatMap((key) => (scope[key] ? [`${key} ${scope[key]}`] : []));
  return parts.length ? parts.join(" · ") : "whole organisation";
}
