import { Money } from "@/lib/money";
import { CENT_DIGITS, type AllocationRuleSpec, type MonthAllocation } from "./allocate";

/**
 * Closed months. Closing a month freezes its statements (a snapshot, with the rules as they
 * stood); afterwards, a late event or a re-pricing changes the month's live numbers but not
 * the statement. The difference, per team (and for the unallocated line), is booked on the
 * next open month's adjustments line, once: when that month is closed in turn, its snapshot
 * freezes the adjustments it carried, and only a later difference moves on again.
 */

/** A difference booked on a later month's statement; `team` null is the unallocated line. */
export interface AdjustmentLine {
  team: string | null;
  /** The closed month whose numbers changed, "YYYY-MM". */
  for_month: string;
  cost_usd: string;
}

export interface ChargebackSnapshot {
  version: 1;
  month: string;
  allocation: MonthAllocation;
  /** The rules the month was closed with: its live numbers are recomputed with these. */
  rules: AllocationRuleSpec[];
  /** The adjustments the month carried when it was closed. */
  adjustments: AdjustmentLine[];
}

/** A closed month of the chain right before the month being computed, with its numbers now. */
export interface ClosedMonthNow {
  snapshot: ChargebackSnapshot;
  /** The month recomputed from today's spend with the snapshot's rules. */
  live: MonthAllocation;
}

const ZERO = new Money(0);

/** Per team (null: unallocated), the month's total. */
export function totalsByTeam(allocation: MonthAllocation): Map<string | null, Money> {
  const totals = new Map<string | null, Money>();
  for (const statement of allocation.statements) totals.set(statement.team, new Money(statement.total_usd));
  totals.set(null, new Money(allocation.unallocated_usd));
  return totals;
}

/**
 * The adjustments an open month carries: for each closed month of the unbroken run of closed
 * months right before it, now − at close − what later closed months of the run already booked.
 */
export function adjustmentsDue(chain: readonly ClosedMonthNow[]): AdjustmentLine[] {
  const lines: AdjustmentLine[] = [];
  const sorted = [...chain].sort((a, b) => (a.snapshot.month < b.snapshot.month ? -1 : 1));
  for (const { snapshot, live } of sorted) {
    const month = snapshot.month;
    const booked = new Map<string | null, Money>();
    for (const later of sorted) {
      if (later.snapshot.month <= month) continue;
      for (const line of later.snapshot.adjustments) {
        if (line.for_month !== month) continue;
        booked.set(line.team, (booked.get(line.team) ?? ZERO).plus(line.cost_usd));
      }
    }
    const now = totalsByTeam(live);
    const then = totalsByTeam(snapshot.allocation);
    const teams = new Set<string | null>([...now.keys(), ...then.keys(), ...booked.keys()]);
    for (const team of teams) {
      const delta = (now.get(team) ?? ZERO).minus(then.get(team) ?? ZERO).minus(booked.get(team) ?? ZERO);
      if (!delta.isZero()) lines.push({ team, for_month: month, cost_usd: delta.toFixed(CENT_DIGITS) });
    }
  }
  return lines.sort((a, b) => (a.for_month < b.for_month ? -1 : a.for_month > b.for_month ? 1 : (a.team ?? "") < (b.team ?? "") ? -1 : 1));
}

/** The sum of some adjustment lines, as an exact decimal string. */
export function sumAdjustments(lines: readonly AdjustmentLine[]): string {
  return lines.reduce((acc, line) => acc.plus(line.cost_usd), ZERO).toFixed(CENT_DIGITS);
}
