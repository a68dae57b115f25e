import { describe, expect, it } from "vitest";
import {
  allocateMonth,
  matchKeyCount,
  orderRules,
  ruleAppliesTo,
  ruleMatches,
  splitExactly,
  type AllocationMethod,
  type AllocationRuleSpec,
  type AllocationTarget,
  type MonthAllocation,
  type RuleMatch,
  type SpendLine,
} from "@/lib/chargeback/allocate";
import { Money } from "@/lib/money";

/**
 * allocateMonth on hand-built months. Every expected figure is worked out by hand in the
 * comments; money is asserted as the exact 12-decimal strings the statements carry.
 */

const MONTH = "2026-11";

function line(team: string | null, cost: string, extra: Partial<SpendLine> = {}): SpendLine {
  return { team, feature: "chat", environment: "prod", tenant: null, provider: "openai", model: "gpt-4o", cost_usd: cost, requests: 1, ...extra };
}

function rule(
  id: string,
  match: RuleMatch,
  method: AllocationMethod,
  options: { targets?: AllocationTarget[]; effective_from?: string; created_at?: string; name?: string } = {},
): AllocationRuleSpec {
  return {
    id,
    name: options.name ?? `rule ${id}`,
    match,
    method,
    targets: options.targets ?? null,
    effective_from: options.effective_from ?? "2026-01",
    created_at: options.created_at ?? "2026-01-01T00:00:00.000Z",
  };
}

/** The month's invariant: rows + unallocated = the month's spend = the lines' costs, exactly. */
function expectNothingLostOrDoubled(result: MonthAllocation, lines: readonly SpendLine[]): void {
  const rows = result.statements.reduce((acc, s) => acc.plus(s.total_usd), new Money(0));
  const spend = lines.reduce((acc, l) => acc.plus(l.cost_usd), new Money(0));
  expect(rows.plus(result.unallocated_usd).eq(result.total_usd)).toBe(true);
  expect(new Money(result.total_usd).eq(spend)).toBe(true);
  const unallocated = result.unallocated_lines.reduce((acc, l) => acc.plus(l.cost_usd), new Money(0));
  expect(unallocated.eq(result.unallocated_usd)).toBe(true);
}

/** Per team: [direct, allocated, total], in statement order. */
function summary(result: MonthAllocation): [string, string, string, string][] {
  return result.statements.map((s) => [s.team, s.direct_usd, s.allocated_usd, s.total_usd]);
}

describe("splitExactly", () => {
  it("$10 over 1:1:1: 3.333333333333 three times, the 1e-12 remainder on the first of equals", () => {
    expect(splitExactly("10", [1, 1, 1]).map((s) => s.toFixed(12))).toEqual(["3.333333333334", "3.333333333333", "3.333333333333"]);
  });

  it("$1 over 1:2: 0.333333333333 + 0.666666666666, the remainder on the larger share", () => {
    expect(splitExactly("1", ["1", "2"]).map((s) => s.toFixed(12))).toEqual(["0.333333333333", "0.666666666667"]);
  });

  it("$10 over 1:2:4: 10/7 does not terminate; shares rounded down, 2e-12 to the largest", () => {
    // 1.428571428571|428…, 2.857142857142|857…, 5.714285714285|714… → sum 9.999999999998.
    expect(splitExactly("10", ["1", "2", "4"]).map((s) => s.toFixed(12))).toEqual(["1.428571428571", "2.857142857142", "5.714285714287"]);
  });

  it("a pool of 1e-11 by 33.3/33.3/33.4: every share rounds down to 3e-12, the remainder to the first of the equal shares", () => {
    // 3.33e-12, 3.33e-12, 3.34e-12 → 3e-12 each (sum 9e-12); the rounded shares are equal, so the first takes 1e-12.
    expect(splitExactly("0.00000000001", ["33.3", "33.3", "33.4"]).map((s) => s.toFixed(12))).toEqual([
      "0.000000000004",
      "0.000000000003",
      "0.000000000003",
    ]);
  });

  it("an exact split has no remainder", () => {
    expect(splitExactly("7", ["33.3", "33.3", "33.4"]).map((s) => s.toFixed(12))).toEqual(["2.331000000000", "2.331000000000", "2.338000000000"]);
  });

  it("refuses no weights and weights summing to zero", () => {
    expect(() => splitExactly("1", [])).toThrow(RangeError);
    expect(() => splitExactly("1", [0, 0])).toThrow(RangeError);
  });
});

describe("ruleMatches, matchKeyCount, ruleAppliesTo, orderRules", () => {
  it("absent keys match anything; team null matches only untagged spend", () => {
    expect(ruleMatches({ feature: "chat" }, line("a", "1"))).toBe(true);
    expect(ruleMatches({ feature: "chat" }, line(null, "1"))).toBe(true);
    expect(ruleMatches({ feature: "search" }, line("a", "1"))).toBe(false);
    expect(ruleMatches({ team: null }, line(null, "1"))).toBe(true);
    expect(ruleMatches({ team: null }, line("a", "1"))).toBe(false);
    expect(ruleMatches({ team: "a", model: "gpt-4o" }, line("a", "1"))).toBe(true);
    expect(ruleMatches({ team: "a", model: "mini" }, line("a", "1"))).toBe(false);
    expect(ruleMatches({ team: undefined, provider: "openai" }, line(null, "1"))).toBe(true);
    expect(ruleMatches({ tenant: "t1" }, line("a", "1", { tenant: null }))).toBe(false);
  });

  it("counts team null as a key and an undefined key as none", () => {
    expect(matchKeyCount({ team: null })).toBe(1);
    expect(matchKeyCount({ team: undefined, feature: "chat" })).toBe(1);
    expect(matchKeyCount({ team: "a", feature: "chat", environment: "prod", tenant: "t", provider: "openai", model: "m" })).toBe(6);
  });

  it("a rule applies from its effective month on", () => {
    expect(ruleAppliesTo({ effective_from: "2026-12" }, "2026-11")).toBe(false);
    expect(ruleAppliesTo({ effective_from: "2026-11" }, "2026-11")).toBe(true);
    expect(ruleAppliesTo({ effective_from: "2025-12" }, "2026-11")).toBe(true);
  });

  it("orders most specific first, then earlier effective_from, earlier creation, then id", () => {
    const rules = [
      rule("z", { team: "a" }, "even", { effective_from: "2026-03", created_at: "2026-03-01T00:00:00.000Z" }),
      rule("y", { team: "a" }, "even", { effective_from: "2026-03", created_at: "2026-02-01T00:00:00.000Z" }),
      rule("b", { team: "a" }, "even", { effective_from: "2026-03", created_at: "2026-02-01T00:00:00.000Z" }),
      rule("x", { team: "a" }, "even", { effective_from: "2026-02", created_at: "2026-09-01T00:00:00.000Z" }),
      rule("w", { team: "a", feature: "chat" }, "even", { effective_from: "2026-10", created_at: "2026-10-01T00:00:00.000Z" }),
      rule("v", { team: null, feature: "chat", model: "m" }, "even", { effective_from: "2026-10" }),
    ];
    expect(orderRules(rules).map((r) => r.id)).toEqual(["v", "w", "x", "b", "y", "z"]);
    // Pure: the input is not reordered.
    expect(rules.map((r) => r.id)).toEqual(["z", "y", "b", "x", "w", "v"]);
  });
});

describe("allocateMonth: each method alone", () => {
  it("proportional: $10 over direct spend 5:5:5 (1:1:1) is 3.333333333333 each, the 1e-12 remainder on the first", () => {
    const lines = [line("a", "5"), line("b", "5"), line("c", "5"), line("platform", "10")];
    const result = allocateMonth(lines, [rule("r1", { team: "platform" }, "proportional", { name: "platform" })], MONTH);
    expect(result.total_usd).toBe("25.000000000000");
    expect(result.unallocated_usd).toBe("0.000000000000");
    expect(result.unallocated_lines).toEqual([]);
    expect(summary(result)).toEqual([
      ["a", "5.000000000000", "3.333333333334", "8.333333333334"],
      ["b", "5.000000000000", "3.333333333333", "8.333333333333"],
      ["c", "5.000000000000", "3.333333333333", "8.333333333333"],
    ]);
    expect(result.statements[0]?.allocated_lines).toEqual([
      {
        rule_id: "r1",
        rule_name: "platform",
        method: "proportional",
        pool_usd: "10.000000000000",
        share_percent: "33.3333",
        cost_usd: "3.333333333334",
      },
    ]);
    // The platform team's spend was claimed: it is nobody's direct spend, so platform has no statement.
    expect(result.statements.map((s) => s.team)).not.toContain("platform");
    expect(result.rules).toEqual([{ rule_id: "r1", rule_name: "platform", pool_usd: "10.000000000000", allocated_usd: "10.000000000000" }]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("proportional with uneven weights 1:2:4: $10 × 1/7, 2/7, 4/7 rounded down, 2e-12 to the largest", () => {
    const lines = [line("a", "1"), line("b", "2"), line("c", "4"), line("shared", "10")];
    const result = allocateMonth(lines, [rule("r1", { team: "shared" }, "proportional")], MONTH);
    expect(result.total_usd).toBe("17.000000000000");
    expect(summary(result)).toEqual([
      ["c", "4.000000000000", "5.714285714287", "9.714285714287"],
      ["b", "2.000000000000", "2.857142857142", "4.857142857142"],
      ["a", "1.000000000000", "1.428571428571", "2.428571428571"],
    ]);
    expect(result.statements.map((s) => s.allocated_lines[0]?.share_percent)).toEqual(["57.1429", "28.5714", "14.2857"]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("even: a $1 pool over three teams with direct spend 1, 7, 2 is a third each whatever the direct spend", () => {
    // Claimed: a's 0.6 and b's 0.4 of search (pool 1). Direct: a 1, b 7, c 2. 1/3 → 0.333333333333 ×3, +1e-12 on a (first slug).
    const lines = [
      line("a", "1"),
      line("b", "7"),
      line("c", "2"),
      line("a", "0.6", { feature: "search" }),
      line("b", "0.4", { feature: "search" }),
    ];
    const result = allocateMonth(lines, [rule("r1", { feature: "search" }, "even")], MONTH);
    expect(result.total_usd).toBe("11.000000000000");
    expect(summary(result)).toEqual([
      ["b", "7.000000000000", "0.333333333333", "7.333333333333"],
      ["c", "2.000000000000", "0.333333333333", "2.333333333333"],
      ["a", "1.000000000000", "0.333333333334", "1.333333333334"],
    ]);
    expect(result.statements.map((s) => s.allocated_lines[0]?.share_percent)).toEqual(["33.3333", "33.3333", "33.3333"]);
    // a's search spend was claimed: only its chat line is direct.
    expect(result.statements[2]?.direct_lines).toEqual([{ feature: "chat", provider: "openai", model: "gpt-4o", cost_usd: "1.000000000000", requests: 1 }]);
    expect(result.rules).toEqual([{ rule_id: "r1", rule_name: "rule r1", pool_usd: "1.000000000000", allocated_usd: "1.000000000000" }]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("fixed 33.3/33.3/33.4 of $10.000000000001: 3.33, 3.33, 3.34 and the 1e-12 remainder on the largest (33.4) share", () => {
    // 10.000000000001 × 0.333 = 3.330000000000333 → 3.330000000000; × 0.334 = 3.340000000000334 → 3.340000000000.
    const lines = [line("x", "1"), line("y", "2"), line("platform", "10.000000000001")];
    const targets = [
      { team: "x", percent: "33.3" },
      { team: "y", percent: "33.3" },
      { team: "z", percent: "33.4" },
    ];
    const result = allocateMonth(lines, [rule("r1", { team: "platform" }, "fixed", { targets })], MONTH);
    expect(result.total_usd).toBe("13.000000000001");
    expect(summary(result)).toEqual([
      ["y", "2.000000000000", "3.330000000000", "5.330000000000"],
      ["x", "1.000000000000", "3.330000000000", "4.330000000000"],
      // z has no direct spend and still receives its 33.4%.
      ["z", "0.000000000000", "3.340000000001", "3.340000000001"],
    ]);
    expect(result.statements.map((s) => s.allocated_lines[0]?.share_percent)).toEqual(["33.3000", "33.3000", "33.4000"]);
    expect(result.statements[2]?.direct_lines).toEqual([]);
    expectNothingLostOrDoubled(result, lines);
  });
});

describe("allocateMonth: rules together", () => {
  it("a specific rule claims before a general one, whatever order the rules come in", () => {
    // S (team+feature, 2 keys) claims platform/search 4 → 100% to search-team.
    // G (team, 1 key) claims the rest of platform, 6 → even over a and b (the teams with direct spend) → 3 each.
    const lines = [line("platform", "6"), line("platform", "4", { feature: "search" }), line("a", "1"), line("b", "3")];
    const general = rule("g", { team: "platform" }, "even", { created_at: "2025-01-01T00:00:00.000Z" });
    const specific = rule("s", { team: "platform", feature: "search" }, "fixed", {
      targets: [{ team: "search-team", percent: "100" }],
      created_at: "2026-06-01T00:00:00.000Z",
    });
    for (const rules of [
      [general, specific],
      [specific, general],
    ]) {
      const result = allocateMonth(lines, rules, MONTH);
      expect(summary(result)).toEqual([
        ["b", "3.000000000000", "3.000000000000", "6.000000000000"],
        ["a", "1.000000000000", "3.000000000000", "4.000000000000"],
        ["search-team", "0.000000000000", "4.000000000000", "4.000000000000"],
      ]);
      expect(result.rules.map((r) => [r.rule_id, r.pool_usd, r.allocated_usd])).toEqual([
        ["s", "4.000000000000", "4.000000000000"],
        ["g", "6.000000000000", "6.000000000000"],
      ]);
      expectNothingLostOrDoubled(result, lines);
    }
  });

  it("two rules that both match a line: only the first in the order claims it", () => {
    // L1 (a, search, gpt-4o, 2) matches R1 {feature: search} and R2 {model: gpt-4o}; L2 (b, chat, gpt-4o, 3) only R2.
    const lines = [
      line("a", "2", { feature: "search", model: "gpt-4o" }),
      line("b", "3", { feature: "chat", model: "gpt-4o" }),
      line("a", "1", { model: "mini" }),
      line("b", "3", { model: "mini" }),
    ];
    const r1 = rule("r1", { feature: "search" }, "fixed", { targets: [{ team: "c", percent: "100" }], created_at: "2026-01-01T00:00:00.000Z" });
    const r2 = rule("r2", { model: "gpt-4o" }, "even", { created_at: "2026-02-01T00:00:00.000Z" });

    // Same specificity and effective month: the earlier creation (r1) claims L1 → c 2; r2 has 3 → 1.5 each to a and b.
    const first = allocateMonth(lines, [r2, r1], MONTH);
    expect(first.rules.map((r) => [r.rule_id, r.pool_usd])).toEqual([
      ["r1", "2.000000000000"],
      ["r2", "3.000000000000"],
    ]);
    expect(summary(first)).toEqual([
      ["b", "3.000000000000", "1.500000000000", "4.500000000000"],
      ["a", "1.000000000000", "1.500000000000", "2.500000000000"],
      ["c", "0.000000000000", "2.000000000000", "2.000000000000"],
    ]);
    expectNothingLostOrDoubled(first, lines);

    // r2 effective earlier: it now comes first and claims L1 too (pool 5 → 2.5 each); r1's pool is empty, c gets nothing.
    const second = allocateMonth(lines, [r1, { ...r2, effective_from: "2025-06" }], MONTH);
    expect(second.rules).toEqual([
      { rule_id: "r2", rule_name: "rule r2", pool_usd: "5.000000000000", allocated_usd: "5.000000000000" },
      { rule_id: "r1", rule_name: "rule r1", pool_usd: "0.000000000000", allocated_usd: "0.000000000000" },
    ]);
    expect(summary(second)).toEqual([
      ["b", "3.000000000000", "2.500000000000", "5.500000000000"],
      ["a", "1.000000000000", "2.500000000000", "3.500000000000"],
    ]);
    expect(second.unallocated_lines).toEqual([]);
    expectNothingLostOrDoubled(second, lines);

    // Everything equal but the id: "r1" < "r2".
    const third = allocateMonth(lines, [r2, { ...r1, created_at: r2.created_at }], MONTH);
    expect(third.rules.map((r) => [r.rule_id, r.pool_usd])).toEqual([
      ["r1", "2.000000000000"],
      ["r2", "3.000000000000"],
    ]);
  });

  it("untagged spend matched by team: null is spread; untagged spend no rule matches stays unallocated", () => {
    // Pool: the untagged batch line, 6 → proportional over a 1, b 2 → 2 and 4. The untagged 0.5 of "other" is unallocated.
    const lines = [line(null, "6", { feature: "batch" }), line(null, "0.5", { feature: "other" }), line("a", "1"), line("b", "2")];
    const result = allocateMonth(lines, [rule("r1", { team: null, feature: "batch" }, "proportional")], MONTH);
    expect(result.total_usd).toBe("9.500000000000");
    expect(summary(result)).toEqual([
      ["b", "2.000000000000", "4.000000000000", "6.000000000000"],
      ["a", "1.000000000000", "2.000000000000", "3.000000000000"],
    ]);
    expect(result.unallocated_usd).toBe("0.500000000000");
    expect(result.unallocated_lines).toEqual([{ reason: "untagged", rule_id: null, rule_name: null, cost_usd: "0.500000000000" }]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("a rule not yet effective for the month claims nothing: its lines stay direct (and untagged ones unallocated)", () => {
    const lines = [line("platform", "10"), line("a", "1"), line(null, "2")];
    const rules = [
      rule("later", { team: "platform" }, "even", { effective_from: "2026-12" }),
      rule("untagged-later", { team: null }, "even", { effective_from: "2027-01" }),
    ];
    const result = allocateMonth(lines, rules, MONTH);
    expect(result.rules).toEqual([]);
    expect(summary(result)).toEqual([
      ["platform", "10.000000000000", "0.000000000000", "10.000000000000"],
      ["a", "1.000000000000", "0.000000000000", "1.000000000000"],
    ]);
    expect(result.unallocated_lines).toEqual([{ reason: "untagged", rule_id: null, rule_name: null, cost_usd: "2.000000000000" }]);
    expectNothingLostOrDoubled(result, lines);

    // From its effective month on, the rule claims platform's 10 (even over a alone: platform has no direct spend left).
    const december = allocateMonth(lines, rules, "2026-12");
    expect(summary(december)).toEqual([["a", "1.000000000000", "10.000000000000", "11.000000000000"]]);
    expectNothingLostOrDoubled(december, lines);
  });

  it("a fixed target with no direct spend receives its percent and gets a statement", () => {
    const lines = [line("a", "3"), line(null, "1.5")];
    const result = allocateMonth(
      lines,
      [
        rule("r1", { team: null }, "fixed", {
          targets: [
            { team: "newteam", percent: "60" },
            { team: "a", percent: "40" },
          ],
        }),
      ],
      MONTH,
    );
    expect(summary(result)).toEqual([
      ["a", "3.000000000000", "0.600000000000", "3.600000000000"],
      ["newteam", "0.000000000000", "0.900000000000", "0.900000000000"],
    ]);
    expect(result.statements[1]?.allocated_lines).toEqual([
      { rule_id: "r1", rule_name: "rule r1", method: "fixed", pool_usd: "1.500000000000", share_percent: "60.0000", cost_usd: "0.900000000000" },
    ]);
    expect(result.unallocated_usd).toBe("0.000000000000");
    expectNothingLostOrDoubled(result, lines);
  });

  it("proportional and even with no team having direct spend: the pools stay unallocated (no_teams_to_spread_over)", () => {
    const lines = [line("platform", "5"), line("ops", "0.25"), line(null, "2")];
    const rules = [
      rule("p", { team: "platform" }, "proportional", { name: "platform" }),
      rule("e", { team: "ops" }, "even", { name: "ops", created_at: "2026-02-01T00:00:00.000Z" }),
    ];
    const result = allocateMonth(lines, rules, MONTH);
    expect(result.statements).toEqual([]);
    expect(result.total_usd).toBe("7.250000000000");
    expect(result.unallocated_usd).toBe("7.250000000000");
    expect(result.unallocated_lines).toEqual([
      { reason: "untagged", rule_id: null, rule_name: null, cost_usd: "2.000000000000" },
      { reason: "no_teams_to_spread_over", rule_id: "p", rule_name: "platform", cost_usd: "5.000000000000" },
      { reason: "no_teams_to_spread_over", rule_id: "e", rule_name: "ops", cost_usd: "0.250000000000" },
    ]);
    expect(result.rules).toEqual([
      { rule_id: "p", rule_name: "platform", pool_usd: "5.000000000000", allocated_usd: "0.000000000000" },
      { rule_id: "e", rule_name: "ops", pool_usd: "0.250000000000", allocated_usd: "0.000000000000" },
    ]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("weights are direct spend only: a team's allocated money does not weigh in another rule's proportional split", () => {
    // Fixed gives x 100 of platform's 100; proportional spreads ops' 9 over direct spend x 1 : y 2 → 3 and 6 (not 101 : 2).
    const lines = [line("platform", "100"), line("ops", "9"), line("x", "1"), line("y", "2")];
    const rules = [
      rule("f", { team: "platform" }, "fixed", { targets: [{ team: "x", percent: "100" }] }),
      rule("p", { team: "ops" }, "proportional", { created_at: "2026-02-01T00:00:00.000Z" }),
    ];
    const result = allocateMonth(lines, rules, MONTH);
    expect(summary(result)).toEqual([
      ["x", "1.000000000000", "103.000000000000", "104.000000000000"],
      ["y", "2.000000000000", "6.000000000000", "8.000000000000"],
    ]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("a team whose spend costs nothing has no direct spend: even and proportional rules pass it over", () => {
    const lines = [line("a", "1"), line("b", "3"), line("free", "0", { requests: 9 }), line("platform", "2"), line("ops", "4")];
    const rules = [rule("e", { team: "platform" }, "even"), rule("p", { team: "ops" }, "proportional", { created_at: "2026-02-01T00:00:00.000Z" })];
    const result = allocateMonth(lines, rules, MONTH);
    // even: 2 → 1 each to a and b; proportional: 4 by 1:3 → 1 and 3. "free" keeps its zero statement (it has a direct line).
    expect(summary(result)).toEqual([
      ["b", "3.000000000000", "4.000000000000", "7.000000000000"],
      ["a", "1.000000000000", "2.000000000000", "3.000000000000"],
      ["free", "0.000000000000", "0.000000000000", "0.000000000000"],
    ]);
    expect(result.statements[2]?.allocated_lines).toEqual([]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("tiny and large amounts: 1e-12 over three teams, and a billion-dollar pool, stay exact", () => {
    const lines = [line("a", "1000000000.000000000001"), line("b", "0.000000000001"), line("c", "0.000000000002"), line("shared", "0.000000000001")];
    const result = allocateMonth(lines, [rule("r1", { team: "shared" }, "even")], MONTH);
    // 1e-12 / 3 rounds down to 0 for everybody; the remainder goes to the first of the equal (zero) shares, a.
    expect(summary(result)).toEqual([
      ["a", "1000000000.000000000001", "0.000000000001", "1000000000.000000000002"],
      ["c", "0.000000000002", "0.000000000000", "0.000000000002"],
      ["b", "0.000000000001", "0.000000000000", "0.000000000001"],
    ]);
    expectNothingLostOrDoubled(result, lines);
  });
});

describe("allocateMonth: statements", () => {
  it("groups a team's direct lines by (feature, provider, model) across environments and tenants, largest first", () => {
    const lines = [
      line("a", "1.5", { environment: "prod", tenant: "t1", requests: 2 }),
      line("a", "0.25", { environment: "staging", tenant: "t2", requests: 3 }),
      line("a", "4", { model: "gpt-4o-mini", environment: null }),
      line("a", "0.25", { feature: "search", tenant: "t9" }),
      line("a", "0.25", { feature: null, provider: "anthropic", model: "claude" }),
      line("a", "0", { feature: null, provider: "anthropic", model: "claude", environment: "dev", requests: 4 }),
    ];
    const result = allocateMonth(lines, [], MONTH);
    expect(result.statements).toHaveLength(1);
    expect(result.statements[0]?.direct_lines).toEqual([
      { feature: "chat", provider: "openai", model: "gpt-4o-mini", cost_usd: "4.000000000000", requests: 1 },
      { feature: "chat", provider: "openai", model: "gpt-4o", cost_usd: "1.750000000000", requests: 5 },
      // Equal costs: ordered by the key ["search","openai","gpt-4o"] < [null,"anthropic","claude"] as JSON text.
      { feature: "search", provider: "openai", model: "gpt-4o", cost_usd: "0.250000000000", requests: 1 },
      { feature: null, provider: "anthropic", model: "claude", cost_usd: "0.250000000000", requests: 5 },
    ]);
    expect(result.statements[0]?.direct_usd).toBe("6.250000000000");
    expect(result.statements[0]?.total_usd).toBe("6.250000000000");
    expectNothingLostOrDoubled(result, lines);
  });

  it("orders statements by total, largest first, then by slug; a team with only zero-cost spend still has a statement", () => {
    const lines = [line("m", "2"), line("b", "5"), line("k", "2"), line("a", "0.5"), line("zero", "0", { requests: 7 }), line("c", "5")];
    const result = allocateMonth(lines, [], MONTH);
    expect(result.statements.map((s) => [s.team, s.total_usd])).toEqual([
      ["b", "5.000000000000"],
      ["c", "5.000000000000"],
      ["k", "2.000000000000"],
      ["m", "2.000000000000"],
      ["a", "0.500000000000"],
      ["zero", "0.000000000000"],
    ]);
    expectNothingLostOrDoubled(result, lines);
  });

  it("an empty month: all zeros, nothing listed", () => {
    expect(allocateMonth([], [rule("r1", { team: null }, "even")], MONTH)).toEqual({
      total_usd: "0.000000000000",
      unallocated_usd: "0.000000000000",
      unallocated_lines: [],
      rules: [{ rule_id: "r1", rule_name: "rule r1", pool_usd: "0.000000000000", allocated_usd: "0.000000000000" }],
      statements: [],
    });
  });
});
