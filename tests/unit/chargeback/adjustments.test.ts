import { describe, expect, it } from "vitest";
import {
  adjustmentsDue,
  sumAdjustments,
  totalsByTeam,
  type AdjustmentLine,
  type ChargebackSnapshot,
  type ClosedMonthNow,
} from "@/lib/chargeback/adjustments";
import { allocateMonth, type AllocationRuleSpec, type SpendLine } from "@/lib/chargeback/allocate";

/**
 * Closed months' adjustments: live − at close − what later closed months already booked, per
 * team and for the unallocated line (team null). Months are built with allocateMonth; every
 * expected difference is worked out by hand.
 */

function line(team: string | null, cost: string, feature = "chat"): SpendLine {
  return { team, feature, environment: "prod", tenant: null, provider: "openai", model: "gpt-4o", cost_usd: cost, requests: 1 };
}

const PLATFORM_PROPORTIONAL: AllocationRuleSpec = {
  id: "r1",
  name: "platform",
  match: { team: "platform" },
  method: "proportional",
  targets: null,
  effective_from: "2026-01",
  created_at: "2026-01-01T00:00:00.000Z",
};

function closed(
  month: string,
  atClose: SpendLine[],
  now: SpendLine[],
  options: { rules?: AllocationRuleSpec[]; adjustments?: AdjustmentLine[] } = {},
): ClosedMonthNow {
  const rules = options.rules ?? [];
  const snapshot: ChargebackSnapshot = {
    version: 1,
    month,
    allocation: allocateMonth(atClose, rules, month),
    rules,
    adjustments: options.adjustments ?? [],
  };
  return { snapshot, live: allocateMonth(now, snapshot.rules, month) };
}

describe("totalsByTeam", () => {
  it("maps each statement's team to its total, and null to the unallocated amount", () => {
    const totals = totalsByTeam(allocateMonth([line("a", "2.5"), line("b", "1"), line(null, "0.25")], [], "2026-10"));
    expect([...totals.entries()].map(([team, amount]) => [team, amount.toFixed(12)])).toEqual([
      ["a", "2.500000000000"],
      ["b", "1.000000000000"],
      [null, "0.250000000000"],
    ]);
  });
});

describe("adjustmentsDue", () => {
  it("one closed month, a late event on one team: that team's difference only", () => {
    const atClose = [line("a", "10"), line("b", "5")];
    const chain = [closed("2026-10", atClose, [...atClose, line("a", "0.25", "late")])];
    expect(adjustmentsDue(chain)).toEqual([{ team: "a", for_month: "2026-10", cost_usd: "0.250000000000" }]);
  });

  it("one closed month with a proportional rule: a late event moves the spread too (differences of both signs)", () => {
    // At close: direct a 1, b 2; platform's 3 spread 1:2 → a 2, b 4.
    // Now: a late $1 on a → direct a 2, b 2; platform's 3 spread 1:1 → a 2 + 1.5 = 3.5, b 2 + 1.5 = 3.5.
    const atClose = [line("platform", "3"), line("a", "1"), line("b", "2")];
    const chain = [closed("2026-10", atClose, [...atClose, line("a", "1", "late")], { rules: [PLATFORM_PROPORTIONAL] })];
    const due = adjustmentsDue(chain);
    expect(due).toEqual([
      { team: "a", for_month: "2026-10", cost_usd: "1.500000000000" },
      { team: "b", for_month: "2026-10", cost_usd: "-0.500000000000" },
    ]);
    // The differences add up to the late spend.
    expect(sumAdjustments(due)).toBe("1.000000000000");
  });

  it("two closed months: what the later snapshot already booked for the earlier month is not due again", () => {
    // September closed at a 10, b 4. Before October closed, $2 of late September spend on a arrived and
    // October's snapshot booked it. Since then, another $0.5 on a for September and a late $1 on b for October.
    const september = closed("2026-09", [line("a", "10"), line("b", "4")], [line("a", "10"), line("a", "2", "late"), line("a", "0.5", "later"), line("b", "4")]);
    const october = closed("2026-10", [line("a", "7")], [line("a", "7"), line("b", "1", "late")], {
      adjustments: [{ team: "a", for_month: "2026-09", cost_usd: "2.000000000000" }],
    });
    const expected = [
      { team: "a", for_month: "2026-09", cost_usd: "0.500000000000" },
      { team: "b", for_month: "2026-10", cost_usd: "1.000000000000" },
    ];
    expect(adjustmentsDue([september, october])).toEqual(expected);
    // The chain's order does not matter.
    expect(adjustmentsDue([october, september])).toEqual(expected);
    expect(sumAdjustments(expected)).toBe("1.500000000000");
  });

  it("two closed months: when the later snapshot booked the whole difference, nothing is due for the earlier month", () => {
    const september = closed("2026-09", [line("a", "10")], [line("a", "10"), line("a", "2", "late")]);
    const october = closed("2026-10", [line("a", "7")], [line("a", "7")], {
      adjustments: [{ team: "a", for_month: "2026-09", cost_usd: "2.000000000000" }],
    });
    expect(adjustmentsDue([september, october])).toEqual([]);
  });

  it("three closed months: bookings for the earliest month in both later snapshots add up", () => {
    // August: a 1 at close, 1.75 now. September booked 0.5 of it, October 0.125 → 0.125 left.
    const august = closed("2026-08", [line("a", "1")], [line("a", "1"), line("a", "0.75", "late")]);
    const september = closed("2026-09", [line("a", "3")], [line("a", "3")], {
      adjustments: [{ team: "a", for_month: "2026-08", cost_usd: "0.500000000000" }],
    });
    const october = closed("2026-10", [line("a", "5")], [line("a", "5")], {
      adjustments: [
        { team: "a", for_month: "2026-08", cost_usd: "0.125000000000" },
        // A booking for another month does not count against August.
        { team: "a", for_month: "2026-09", cost_usd: "0.000000000001" },
      ],
    });
    expect(adjustmentsDue([october, august, september])).toEqual([
      { team: "a", for_month: "2026-08", cost_usd: "0.125000000000" },
      // September is unchanged since its close, but October booked 1e-12 for it: it is taken back.
      { team: "a", for_month: "2026-09", cost_usd: "-0.000000000001" },
    ]);
  });

  it("the unallocated line's difference is booked with team null, before the teams", () => {
    const atClose = [line("a", "2"), line(null, "1")];
    const chain = [closed("2026-10", atClose, [...atClose, line(null, "0.75", "late"), line("b", "0.000000000001")])];
    expect(adjustmentsDue(chain)).toEqual([
      { team: null, for_month: "2026-10", cost_usd: "0.750000000000" },
      { team: "b", for_month: "2026-10", cost_usd: "0.000000000001" },
    ]);
  });

  it("a pool that becomes spreadable moves from the unallocated line to the teams", () => {
    // At close: platform's 3 with no team to spread over → unallocated 3. Now a late $1 on a: a gets 1 + 3 = 4.
    const atClose = [line("platform", "3")];
    const chain = [closed("2026-10", atClose, [...atClose, line("a", "1", "late")], { rules: [PLATFORM_PROPORTIONAL] })];
    expect(adjustmentsDue(chain)).toEqual([
      { team: null, for_month: "2026-10", cost_usd: "-3.000000000000" },
      { team: "a", for_month: "2026-10", cost_usd: "4.000000000000" },
    ]);
  });

  it("a team gone from the live month is credited its whole total back", () => {
    // Re-tagged: b's spend is now a's.
    const chain = [closed("2026-10", [line("a", "1"), line("b", "2.5")], [line("a", "1"), line("a", "2.5")])];
    expect(adjustmentsDue(chain)).toEqual([
      { team: "a", for_month: "2026-10", cost_usd: "2.500000000000" },
      { team: "b", for_month: "2026-10", cost_usd: "-2.500000000000" },
    ]);
  });

  it("no lines when nothing changed, or when there is no closed month", () => {
    const lines = [line("platform", "3"), line("a", "1"), line("b", "2"), line(null, "0.5")];
    expect(adjustmentsDue([closed("2026-09", lines, lines, { rules: [PLATFORM_PROPORTIONAL] }), closed("2026-10", lines, lines)])).toEqual([]);
    expect(adjustmentsDue([])).toEqual([]);
  });
});

describe("sumAdjustments", () => {
  it("sums exactly, to 12 decimals", () => {
    expect(sumAdjustments([])).toBe("0.000000000000");
    expect(
      sumAdjustments([
        { team: "a", for_month: "2026-10", cost_usd: "0.000000000001" },
        { team: null, for_month: "2026-09", cost_usd: "1000000000.000000000002" },
        { team: "b", for_month: "2026-10", cost_usd: "-0.5" },
      ]),
    ).toBe("999999999.500000000003");
  });
});
