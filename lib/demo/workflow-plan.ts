import { Money, type MoneyValue } from "@/lib/money";
import type { BudgetScopeInput } from "@/lib/schemas/budget";
import { DAY_MS, HOUR_MS, startOfUtcDay } from "@/lib/time";

/**
 * What the demo company planned and decided over its 90 days, as data: budgets, quota
 * allocations and burst requests, with the state each should be in at the end of the
 * window. Amounts are worked out from the seeded spend itself (so "over budget" is over
 * whatever day of the month the demo is started on), exactly, in decimal.
 */

export type BudgetTarget = "over" | "at_risk" | "ok";

export interface DemoBudget {
  name: string;
  scope: BudgetScopeInput;
  target: BudgetTarget;
}

export const DEMO_BUDGETS: readonly DemoBudget[] = [
  { name: "All AI spend", scope: {}, target: "ok" },
  { name: "Search", scope: { team: "search" }, target: "at_risk" },
  { name: "Growth", scope: { team: "growth" }, target: "ok" },
  // Support runs hot this month: over its budget, near its quota, a burst request waiting.
  { name: "Customer Support", scope: { team: "support" }, target: "over" },
  { name: "Platform Engineering", scope: { team: "platform" }, target: "ok" },
  { name: "Data Science", scope: { team: "data-science" }, target: "ok" },
  { name: "Code review bot", scope: { feature: "code-review-bot" }, target: "ok" },
  { name: "Globex (tenant)", scope: { tenant: "globex" }, target: "ok" },
];

/** Two significant digits, rounded up or down: 1234.5 → 1300 / 1200; 0.0123 → 0.013 / 0.012. */
export function roundAmount(value: MoneyValue, direction: "up" | "down"): Money {
  const amount = new Money(value);
  if (amount.lte(0)) return new Money(0);
  const step = new Money(10).pow(amount.abs().log(10).floor().minus(1));
  const units = amount.div(step);
  return (direction === "up" ? units.ceil() : units.floor()).times(step);
}

const CENT = new Money("0.01");

/** At least a cent, in whole cents. */
function cents(value: Money, direction: "up" | "down"): Money {
  const rounded = value.div(CENT)[direction === "up" ? "ceil" : "floor"]().times(CENT);
  return Money.max(rounded, CENT);
}

/**
 * A budget amount that puts a scope with `spent` so far and `forecast` (and the range's
 * `high`) at month end in the target state: over (amount < spent), at risk
 * (spent ≤ amount < forecast) or on track (amount ≥ the high end, with room).
 */
export function budgetAmountFor(target: BudgetTarget, spent: MoneyValue, forecast: MoneyValue, high: MoneyValue): string {
  const s = new Money(spent);
  const f = new Money(forecast);
  if (target === "over") {
    const amount = cents(roundAmount(s.times("0.85"), "down"), "down");
    return (amount.lt(s) ? amount : cents(s.times("0.85"), "down")).toFixed(2);
  }
  if (target === "at_risk") {
    const between = s.plus(f.minus(s).times("0.6"));
    const nice = cents(roundAmount(between, "down"), "down");
    if (nice.gte(s) && nice.lt(f)) return nice.toFixed(2);
    return cents(s.plus(f).div(2), "down").toFixed(2);
  }
  return cents(roundAmount(Money.max(new Money(high), f).times("1.2"), "up"), "up").toFixed(2);
}

export type AllocationTarget = "near_limit" | "over_baseline" | "idle" | "roomy";

export const DEMO_ALLOCATIONS: readonly { team: string; target: AllocationTarget }[] = [
  { team: "search", target: "over_baseline" },
  { team: "support", target: "near_limit" },
  { team: "growth", target: "roomy" },
  { team: "platform", target: "roomy" },
  { team: "data-science", target: "roomy" },
  { team: "mobile", target: "idle" },
];

/**
 * A monthly USD baseline: near its limit (about 90% used), over it (80% of what is spent:
 * the team runs on an approved burst), idle (under 10% used: flagged from the 11th), or roomy.
 */
export function allocationAmountFor(target: AllocationTarget, spent: MoneyValue, forecast: MoneyValue): string {
  const s = new Money(spent);
  const f = new Money(forecast);
  switch (target) {
    case "near_limit":
      return cents(roundAmount(s.div("0.9"), "up"), "up").toFixed(2);
    case "over_baseline":
      return cents(roundAmount(s.times("0.8"), "down"), "down").toFixed(2);
    case "idle":
      return cents(roundAmount(Money.max(s.times(25), f.times(3), 50), "up"), "up").toFixed(2);
    case "roomy":
      return cents(roundAmount(Money.max(f.times("1.4"), s.times(2), 10), "up"), "up").toFixed(2);
  }
}

export type BurstOutcome = { kind: "approve"; share?: string } | { kind: "reject" } | { kind: "pending" };

export interface DemoBurst {
  team: "search" | "support";
  /** Filed this long before the end of the window. */
  filedBeforeEndMs: number;
  /** Decided this long after filing (not for pending ones). */
  decidedAfterMs: number;
  /** The window, relative to filing. */
  startsAfterFilingMs: number;
  lengthMs: number;
  /** The amount as a share of the team's spend this month (or, for past ones, its forecast). */
  amountShareOfSpent: string;
  reason: string;
  expectedUsage: string;
  outcome: BurstOutcome;
  comment?: string;
}

/** Two decided in the past, one decided this week and still running, two waiting. */
export const DEMO_BURSTS: readonly DemoBurst[] = [
  {
    team: "support",
    filedBeforeEndMs: 50 * DAY_MS - 10 * HOUR_MS,
    decidedAfterMs: 5 * HOUR_MS,
    startsAfterFilingMs: DAY_MS - 10 * HOUR_MS,
    lengthMs: 14 * DAY_MS,
    amountShareOfSpent: "0.25",
    reason: "Seasonal ticket surge: the autumn release doubles support volume for two weeks.",
    expectedUsage: "About 2x the usual triage and reply-draft calls.",
    outcome: { kind: "approve" },
    comment: "Approved for the surge. Please look at the triage prompt size once it is over.",
  },
  {
    team: "search",
    filedBeforeEndMs: 31 * DAY_MS - 14 * HOUR_MS,
    decidedAfterMs: 20 * HOUR_MS,
    startsAfterFilingMs: DAY_MS,
    lengthMs: 9 * DAY_MS,
    amountShareOfSpent: "0.5",
    reason: "Re-embedding the help-centre corpus after the taxonomy change.",
    expectedUsage: "One-off: 40M embedding tokens over a week.",
    outcome: { kind: "reject" },
    comment: "Rejected: the re-index can run on the batch tier at half the price. Re-file if it cannot.",
  },
  {
    team: "search",
    filedBeforeEndMs: 4 * DAY_MS - 2 * HOUR_MS,
    decidedAfterMs: 3 * HOUR_MS,
    startsAfterFilingMs: 0,
    lengthMs: 16 * DAY_MS,
    amountShareOfSpent: "0.6",
    reason: "Semantic answers rolled out to every tenant; spend runs ahead of the baseline until the cache warms up.",
    expectedUsage: "Roughly 60% over the baseline this month, falling as the cache hit rate recovers.",
    outcome: { kind: "approve", share: "0.4" },
    comment: "Approved at two thirds of the request: the cache-hit fix should cover the rest.",
  },
  {
    team: "support",
    filedBeforeEndMs: 20 * HOUR_MS,
    decidedAfterMs: 0,
    startsAfterFilingMs: HOUR_MS,
    lengthMs: 14 * DAY_MS,
    amountShareOfSpent: "0.5",
    reason: "Holiday campaign follow-ups: triage volume doubles through mid-December.",
    expectedUsage: "About 2x ticket-triage and reply-draft calls for two weeks.",
    outcome: { kind: "pending" },
  },
  {
    team: "search",
    filedBeforeEndMs: 3 * HOUR_MS,
    decidedAfterMs: 0,
    startsAfterFilingMs: DAY_MS,
    lengthMs: 7 * DAY_MS,
    amountShareOfSpent: "0.3",
    reason: "Launch of semantic answers for the Globex tenant next week.",
    expectedUsage: "Globex's traffic is about a quarter of ours; budget for a third to be safe.",
    outcome: { kind: "pending" },
  },
];

/** A burst amount: a share of the team's spend, two significant digits, at least $10. */
export function burstAmountFor(share: string, spent: MoneyValue): string {
  return cents(roundAmount(Money.max(new Money(spent).times(share), 10), "up"), "up").toFixed(2);
}

/**
 * After a week of showback (so spike and cache baselines exist when alerting starts),
 * finance sets the budgets and, the next morning, the admin the allocations.
 */
export function setupTimes(startMs: number, endMs: number): { budgetsAt: Date; allocationsAt: Date } {
  const day = startOfUtcDay(new Date(startMs)).getTime();
  // A short demo window (tests) gets its setup earlier: a quarter of the way in at most.
  const afterDays = Math.min(8, Math.floor((endMs - startMs) / DAY_MS / 4));
  const budgetsAt = day + afterDays * DAY_MS + 10 * HOUR_MS;
  return { budgetsAt: new Date(budgetsAt), allocationsAt: new Date(budgetsAt + 23 * HOUR_MS) };
}
