import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateMonth, MATCH_KEYS, type AllocationRuleSpec, type MatchKey, type RuleMatch, type SpendLine } from "@/lib/chargeback/allocate";
import { Money, type MoneyValue } from "@/lib/money";

/**
 * allocateMonth on random months and random rule sets. The test keeps its own model of the
 * documented order and of which rule claims which line, and checks the module against it:
 * nothing lost or doubled, pools, direct spend, shares, precision and signs.
 */

const MONTH = "2026-11";
const ZERO = new Money(0);
const TEAMS = ["a", "b", "c", "d"] as const;
const TWELVE_DECIMALS = /^\d+\.\d{12}$/;

/** A cost as an exact decimal with up to 12 fractional digits: tiny, ordinary or huge. */
const costArb: fc.Arbitrary<string> = fc
  .oneof(
    fc.constant(1n), // 0.000000000001
    fc.constant(0n), // zero-cost lines (a team with only these has no direct spend to weigh)
    fc.bigInt({ min: 0n, max: 1_000_000n }), // below a millionth of a dollar
    fc.bigInt({ min: 0n, max: 10n ** 15n }), // up to $1000
    fc.bigInt({ min: 0n, max: 10n ** 21n }), // up to a billion dollars
    fc.integer({ min: 0, max: 1000 }).map((dollars) => BigInt(dollars) * 10n ** 12n), // whole dollars
  )
  .map((units) => new Money(units.toString()).dividedBy("1e12").toFixed()); // "3.5", "0.000000000001", "12"

const lineArb: fc.Arbitrary<SpendLine> = fc.record({
  team: fc.constantFrom<string | null>(...TEAMS, null),
  feature: fc.constantFrom<string | null>("chat", "search", "batch", null),
  environment: fc.constantFrom<string | null>("prod", "staging", null),
  tenant: fc.constantFrom<string | null>("t1", "t2", null),
  provider: fc.constantFrom("openai", "anthropic"),
  model: fc.constantFrom("gpt-4o", "mini", "claude"),
  cost_usd: costArb,
  requests: fc.nat({ max: 100 }),
});

const matchValueArbs = {
  team: fc.constantFrom<string | null>(...TEAMS, null),
  feature: fc.constantFrom("chat", "search", "batch"),
  environment: fc.constantFrom("prod", "staging"),
  tenant: fc.constantFrom("t1", "t2"),
  provider: fc.constantFrom("openai", "anthropic"),
  model: fc.constantFrom("gpt-4o", "mini", "claude"),
};

/** Mostly one or two keys (so rules do claim lines), sometimes up to all six. */
const matchArb: fc.Arbitrary<RuleMatch> = fc
  .oneof(
    { weight: 4, arbitrary: fc.subarray([...MATCH_KEYS], { minLength: 1, maxLength: 2 }) },
    { weight: 1, arbitrary: fc.subarray([...MATCH_KEYS], { minLength: 1 }) },
  )
  .chain((keys: MatchKey[]) => {
    const model: Partial<Record<MatchKey, fc.Arbitrary<string | null>>> = Object.fromEntries(keys.map((key) => [key, matchValueArbs[key]]));
    return fc.record(model) as fc.Arbitrary<RuleMatch>;
  });

/** 1–4 distinct target teams (some with no spend at all) with percents from basis points summing to exactly 10000. */
const targetsArb = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc
    .tuple(
      fc.uniqueArray(fc.constantFrom(...TEAMS, "e", "f"), { minLength: count, maxLength: count }),
      fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { minLength: count - 1, maxLength: count - 1 }),
    )
    .map(([teams, cuts]) => {
      const bounds = [0, ...[...cuts].sort((x, y) => x - y), 10000];
      return teams.map((team, i) => ({ team, percent: new Money((bounds[i + 1] as number) - (bounds[i] as number)).dividedBy(100).toFixed() }));
    }),
);

type RuleDraft = Omit<AllocationRuleSpec, "id" | "name">;

const ruleDraftArb: fc.Arbitrary<RuleDraft> = fc
  .record({
    match: matchArb,
    method: fc.constantFrom("proportional" as const, "even" as const, "fixed" as const),
    targets: targetsArb,
    effective_from: fc.constantFrom("2026-09", "2026-10", "2026-11", "2026-11", "2026-12"),
    created_at: fc.constantFrom("2026-01-01T00:00:00.000Z", "2026-03-15T08:30:00.000Z", "2026-10-31T23:59:59.999Z"),
  })
  .map((draft) => ({ ...draft, targets: draft.method === "fixed" ? draft.targets : null }));

const monthArb = fc.record({
  lines: fc.array(lineArb, { maxLength: 40, size: "medium" }),
  // Ids drawn in an order unrelated to the array order, so the id tie-break is exercised.
  rules: fc
    .tuple(fc.array(ruleDraftArb, { maxLength: 6, size: "medium" }), fc.uniqueArray(fc.integer({ min: 10, max: 99 }), { minLength: 6, maxLength: 6 }))
    .map(([drafts, ids]) => drafts.map((draft, i): AllocationRuleSpec => ({ ...draft, id: `r${ids[i]}`, name: `rule ${i}` }))),
});

// --- The test's own model of the documented order and of claiming. ---

const KEYS = ["team", "feature", "environment", "tenant", "provider", "model"] as const;

function specificity(match: RuleMatch): number {
  return KEYS.filter((key) => match[key] !== undefined).length;
}

function modelOrder(rules: readonly AllocationRuleSpec[], month: string): AllocationRuleSpec[] {
  const applicable = rules.filter((r) => r.effective_from <= month);
  const before = (x: string, y: string) => (x === y ? 0 : x < y ? -1 : 1);
  return applicable.sort(
    (x, y) =>
      specificity(y.match) - specificity(x.match) ||
      before(x.effective_from, y.effective_from) ||
      before(x.created_at, y.created_at) ||
      before(x.id, y.id),
  );
}

function modelMatches(match: RuleMatch, spend: SpendLine): boolean {
  return KEYS.every((key) => match[key] === undefined || match[key] === spend[key]);
}

const sum = (values: Iterable<MoneyValue>): Money => {
  let acc = ZERO;
  for (const value of values) acc = acc.plus(value);
  return acc;
};

describe("allocateMonth, property: every dollar lands exactly once", () => {
  it("random lines and rules: nothing lost or doubled, pools as claimed, shares exact, 12 decimals, no negatives", () => {
    fc.assert(
      fc.property(monthArb, ({ lines, rules }) => {
        const result = allocateMonth(lines, rules, MONTH);

        // The model: who claims each line; pools, direct spend, untagged spend.
        const order = modelOrder(rules, MONTH);
        const pools = new Map<string, Money>(order.map((r) => [r.id, ZERO]));
        const direct = new Map<string, Money>();
        let untagged = ZERO;
        for (const spend of lines) {
          const claimer = order.find((r) => modelMatches(r.match, spend));
          if (claimer) pools.set(claimer.id, (pools.get(claimer.id) as Money).plus(spend.cost_usd));
          else if (spend.team === null) untagged = untagged.plus(spend.cost_usd);
          else direct.set(spend.team, (direct.get(spend.team) ?? ZERO).plus(spend.cost_usd));
        }
        const withDirect = [...direct.entries()].filter(([, amount]) => amount.gt(0)).sort(([x], [y]) => (x < y ? -1 : 1));

        // Nothing lost or doubled.
        const spendTotal = sum(lines.map((l) => l.cost_usd));
        expect(new Money(result.total_usd).eq(spendTotal)).toBe(true);
        expect(sum(result.statements.map((s) => s.total_usd)).plus(result.unallocated_usd).eq(spendTotal)).toBe(true);
        expect(sum(result.unallocated_lines.map((l) => l.cost_usd)).eq(result.unallocated_usd)).toBe(true);

        // Every rule's pool is the sum of the lines it claimed, in the documented order.
        expect(result.rules.map((r) => r.rule_id)).toEqual(order.map((r) => r.id));
        for (const outcome of result.rules) {
          expect(new Money(outcome.pool_usd).eq(pools.get(outcome.rule_id) as Money)).toBe(true);
        }

        // Untagged spend no rule claimed is the "untagged" line.
        const untaggedLines = result.unallocated_lines.filter((l) => l.reason === "untagged");
        expect(untaggedLines.length).toBe(untagged.isZero() ? 0 : 1);
        expect(sum(untaggedLines.map((l) => l.cost_usd)).eq(untagged)).toBe(true);

        // Direct spend per team is exactly its unclaimed lines.
        for (const statement of result.statements) {
          expect(new Money(statement.direct_usd).eq(direct.get(statement.team) ?? ZERO)).toBe(true);
          expect(sum(statement.direct_lines.map((l) => l.cost_usd)).eq(statement.direct_usd)).toBe(true);
          expect(sum(statement.allocated_lines.map((l) => l.cost_usd)).eq(statement.allocated_usd)).toBe(true);
          expect(new Money(statement.direct_usd).plus(statement.allocated_usd).eq(statement.total_usd)).toBe(true);
        }
        for (const [team, amount] of direct) {
          if (!amount.isZero()) expect(result.statements.some((s) => s.team === team)).toBe(true);
        }

        // Per rule: spread exactly over its recipients, or left unallocated when it has none.
        for (const r of order) {
          const pool = pools.get(r.id) as Money;
          const recipients =
            r.method === "fixed"
              ? (r.targets ?? []).map((t) => ({ team: t.team, weight: new Money(t.percent) }))
              : withDirect.map(([team, amount]) => ({ team, weight: r.method === "even" ? new Money(1) : amount }));
          const shares = result.statements.flatMap((s) => s.allocated_lines.filter((l) => l.rule_id === r.id).map((l) => ({ team: s.team, line: l })));
          const unallocated = result.unallocated_lines.filter((l) => l.rule_id === r.id);
          const outcome = result.rules.find((o) => o.rule_id === r.id);
          if (pool.isZero()) {
            expect(shares).toEqual([]);
            expect(unallocated).toEqual([]);
            expect(outcome?.allocated_usd).toBe("0.000000000000");
          } else if (recipients.length === 0) {
            expect(shares).toEqual([]);
            expect(unallocated).toEqual([{ reason: "no_teams_to_spread_over", rule_id: r.id, rule_name: r.name, cost_usd: pool.toFixed(12) }]);
            expect(outcome?.allocated_usd).toBe("0.000000000000");
          } else {
            expect(unallocated).toEqual([]);
            expect(sum(shares.map((s) => s.line.cost_usd)).eq(pool)).toBe(true);
            expect(outcome?.allocated_usd).toBe(pool.toFixed(12));
            // Each share is the exact share rounded down, and at most one share carries the remainder,
            // below 1e-12 per recipient; the remainder sits on a largest rounded share.
            const weightSum = sum(recipients.map((x) => x.weight));
            const floors = new Map(
              recipients.map((x) => [x.team, pool.times(x.weight).dividedBy(weightSum).toDecimalPlaces(12, Money.ROUND_DOWN)]),
            );
            const maxFloor = [...floors.values()].reduce((m, v) => (v.gt(m) ? v : m), ZERO);
            let bumped = 0;
            for (const { team, line } of shares) {
              expect(floors.has(team)).toBe(true);
              const floor = floors.get(team) as Money;
              const extra = new Money(line.cost_usd).minus(floor);
              expect(extra.gte(0)).toBe(true);
              if (!extra.isZero()) {
                bumped += 1;
                expect(extra.lt(new Money(recipients.length).times("1e-12"))).toBe(true);
                expect(floor.eq(maxFloor)).toBe(true);
              }
              expect(line.pool_usd).toBe(pool.toFixed(12));
              expect(line.method).toBe(r.method);
            }
            expect(bumped).toBeLessThanOrEqual(1);
            // Every recipient with a non-zero share has it on its statement (teams whose total is zero may be left out).
            for (const x of recipients) {
              if (!(floors.get(x.team) as Money).isZero()) expect(shares.some((s) => s.team === x.team)).toBe(true);
            }
          }
        }

        // Precision and sign: every amount is a non-negative 12-decimal string.
        const amounts = [
          result.total_usd,
          result.unallocated_usd,
          ...result.unallocated_lines.map((l) => l.cost_usd),
          ...result.rules.flatMap((o) => [o.pool_usd, o.allocated_usd]),
          ...result.statements.flatMap((s) => [
            s.direct_usd,
            s.allocated_usd,
            s.total_usd,
            ...s.direct_lines.map((l) => l.cost_usd),
            ...s.allocated_lines.flatMap((l) => [l.cost_usd, l.pool_usd]),
          ]),
        ];
        for (const amount of amounts) expect(amount).toMatch(TWELVE_DECIMALS);

        // Statement order: total descending, then slug.
        for (let i = 1; i < result.statements.length; i += 1) {
          const prev = result.statements[i - 1] as (typeof result.statements)[number];
          const cur = result.statements[i] as (typeof result.statements)[number];
          const cmp = new Money(prev.total_usd).comparedTo(cur.total_usd);
          expect(cmp > 0 || (cmp === 0 && prev.team < cur.team)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the outcome does not depend on the order the rules and lines come in", () => {
    fc.assert(
      fc.property(
        monthArb.chain((m) => fc.tuple(fc.constant(m), fc.shuffledSubarray(m.rules, { minLength: m.rules.length }), fc.shuffledSubarray(m.lines, { minLength: m.lines.length }))),
        ([{ lines, rules }, shuffledRules, shuffledLines]) => {
          const a = allocateMonth(lines, rules, MONTH);
          const b = allocateMonth(shuffledLines, shuffledRules, MONTH);
          const totals = (x: typeof a) => x.statements.map((s) => [s.team, s.direct_usd, s.allocated_usd, s.total_usd]);
          expect(totals(b)).toEqual(totals(a));
          expect(b.rules).toEqual(a.rules);
          expect(b.unallocated_usd).toBe(a.unallocated_usd);
        },
      ),
      { numRuns: 200 },
    );
  });
});
