import { Money, type MoneyValue } from "@/lib/money";
import type { CapAction } from "@/lib/schemas/budget";

/**
 * Budget caps (contract: "Budget caps"): whether a budget's cap refuses a quota check. Pure:
 * the quota snapshot (lib/quotas/cache.ts) carries each capped budget and its spend this
 * month; the check (lib/quotas/standing.ts) asks here.
 *
 * A cap covers a check when every tag of the budget's scope equals the check's (a budget with
 * no scope covers every team; one scoped to a feature covers checks that name that feature);
 * a "deny_models" cap covers only checks for one of its models. It is reached when this
 * month's spend is at or over at_percent of the amount.
 */

export interface BudgetCap {
  budgetId: string;
  name: string;
  scope: { team?: string; feature?: string; environment?: string; tenant?: string };
  amountUsd: string;
  atPercent: number;
  action: CapAction;
  models: readonly string[];
}

export interface CapRequest {
  team: string;
  feature?: string;
  environment?: string;
  tenant?: string;
  model?: string;
}

export function capCovers(cap: BudgetCap, request: CapRequest): boolean {
  const { scope } = cap;
  if (scope.team !== undefined && scope.team !== request.team) return false;
  if (scope.feature !== undefined && scope.feature !== request.feature) return false;
  if (scope.environment !== undefined && scope.environment !== request.environment) return false;
  if (scope.tenant !== undefined && scope.tenant !== request.tenant) return false;
  if (cap.action === "deny_models") return request.model !== undefined && cap.models.includes(request.model);
  return true;
}

/** spent ≥ amount × at_percent / 100, exactly. */
export function capReached(cap: Pick<BudgetCap, "amountUsd" | "atPercent">, spentUsd: MoneyValue): boolean {
  return new Money(spentUsd).times(100).gte(new Money(cap.amountUsd).times(cap.atPercent));
}

/** The cap's limit in USD (amount × at_percent / 100), rounded up to 12 decimals: a spend of 12 decimals reaches the cap exactly when it reaches this figure. */
export function capLimitUsd(cap: Pick<BudgetCap, "amountUsd" | "atPercent">): Money {
  return new Money(cap.amountUsd).times(cap.atPercent).div(100).toDecimalPlaces(12, Money.ROUND_UP);
}

/** Whole percent of the amount spent, rounded down (104.9% reads "104%"). */
export function percentOfAmount(cap: Pick<BudgetCap, "amountUsd">, spentUsd: MoneyValue): number {
  const amount = new Money(cap.amountUsd);
  if (amount.lte(0)) return 0;
  return new Money(spentUsd).times(100).div(amount).floor().toNumber();
}

/** The check's reason: "budget Search LLM at 104% (cap 100%)". */
export function capReason(cap: Pick<BudgetCap, "name" | "amountUsd" | "atPercent">, spentUsd: MoneyValue): string {
  return `budget ${cap.name} at ${percentOfAmount(cap, spentUsd)}% (cap ${cap.atPercent}%)`;
}

/** The first cap, in the given order, that covers the request and is reached; null when none. */
export function refusingCap<C extends { cap: BudgetCap; spentUsd: MoneyValue }>(caps: readonly C[], request: CapRequest): C | null {
  return caps.find((entry) => capCovers(entry.cap, request) && capReached(entry.cap, entry.spentUsd)) ?? null;
}
