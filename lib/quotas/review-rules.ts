import { Money } from "@/lib/money";
import { formatUnitAmount, type QuotaUnit } from "./standing";

/**
 * The monthly quota review's suggestions — PURE. For the review month M, the facts of
 * M−2, M−1 and M (used = that UTC month's usage of the team, all models; for the current
 * month, so far), checked in this order:
 *
 *  1. raise  — used in M > the baseline (over 100%).
 *  2. cut    — the allocation existed in both M−1 and M, and used < 50% of the baseline in
 *              each. Amount: 120% of the higher of the two months' usage, rounded UP to the
 *              unit (USD: the cent, tokens: the token); null when both months used nothing
 *              (then the reason suggests removing the allocation).
 *  3. raise  — approved bursts (in the allocation's unit) overlapped at least 2 of the 3 months.
 *  4. keep   — otherwise; amount null.
 *
 * A raise's amount: 110% of the larger of (a) the peak monthly usage over M−2..M and (b) the
 * baseline plus the largest approved burst over M−2..M, rounded UP to the unit.
 * Percentages are of the baseline (the allocation's amount now; bursts are not counted in).
 * A month "existed" when the allocation was created before that month ended.
 */

export type SuggestionKind = "cut" | "raise" | "keep";

export interface Suggestion {
  kind: SuggestionKind;
  amount: string | null;
  reason: string;
}

export interface MonthFacts {
  /** "YYYY-MM" */
  month: string;
  /** Was the allocation there (created before the month ended)? */
  existed: boolean;
  used: Money;
  burstsApproved: number;
  burstsRequested: number;
  /** The largest approved burst amount overlapping the month (0 without one). */
  largestApproved: Money;
}

export const CUT_BELOW = "0.5";
export const CUT_HEADROOM = "1.2";
export const RAISE_HEADROOM = "1.1";
export const BURST_MONTHS_FOR_RAISE = 2;

/** Rounds up to what an allocation can hold: cents for USD, whole tokens. */
export function ceilToUnit(value: Money, unit: QuotaUnit): Money {
  return value.toDecimalPlaces(unit === "usd" ? 2 : 0, Money.ROUND_CEIL);
}

/** "31.3%": used / baseline × 100, one decimal, half up. */
function percent(used: Money, baseline: Money): string {
  if (baseline.isZero()) return "n/a";
  return `${used.div(baseline).times(100).toFixed(1, Money.ROUND_HALF_UP)}%`;
}

/** Facts of [M−2, M−1, M], oldest first. */
export function suggestFor(unit: QuotaUnit, baselineValue: string, months: readonly [MonthFacts, MonthFacts, MonthFacts]): Suggestion {
  const baseline = new Money(baselineValue);
  const [, previous, current] = months;
  const first = months[0].month;
  const amount = (value: Money) => formatUnitAmount(ceilToUnit(value, unit), unit);
  const raiseTo = () => {
    const peak = Money.max(...months.map((m) => m.used));
    const largestBurst = Money.max(...months.map((m) => m.largestApproved));
    return amount(Money.max(peak, baseline.plus(largestBurst)).times(RAISE_HEADROOM));
  };

  if (current.existed && current.used.gt(baseline)) {
    return {
      kind: "raise",
      amount: raiseTo(),
      reason: `Used ${percent(current.used, baseline)} of the baseline in ${current.month} (over 100%): raise to 110% of the peak need in ${first}..${current.month}.`,
    };
  }
  const half = baseline.times(CUT_BELOW);
  if (previous.existed && current.existed && previous.used.lt(half) && current.used.lt(half)) {
    const higher = Money.max(previous.used, current.used);
    const both = `${previous.month} (${percent(previous.used, baseline)}) and ${current.month} (${percent(current.used, baseline)})`;
    if (higher.isZero()) {
      return { kind: "cut", amount: null, reason: `Nothing used in ${both}: consider removing the allocation.` };
    }
    return {
      kind: "cut",
      amount: amount(higher.times(CUT_HEADROOM)),
      reason: `Used under 50% of the baseline in both ${both}: cut to 120% of the higher month.`,
    };
  }
  const burstMonths = months.filter((m) => m.burstsApproved > 0).length;
  if (burstMonths >= BURST_MONTHS_FOR_RAISE) {
    return {
      kind: "raise",
      amount: raiseTo(),
      reason: `Needed approved bursts in ${burstMonths} of the 3 months ${first}..${current.month}: raise to 110% of the peak need.`,
    };
  }
  return {
    kind: "keep",
    amount: null,
    reason: current.existed
      ? `Used ${percent(current.used, baseline)} of the baseline in ${current.month}: no change suggested.`
      : `The allocation did not exist in ${current.month}: no change suggested.`,
  };
}
