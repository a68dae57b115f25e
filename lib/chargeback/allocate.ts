import { Money, type MoneyValue } from "@/lib/money";

/**
 * Chargeback's arithmetic: a month's spend lines, claimed by allocation rules and spread over
 * teams, so that every dollar of the month lands on exactly one team or on the unallocated
 * line. Pure: the service (lib/chargeback/chargeback.ts) reads the lines and the rules.
 *
 * The order (documented in docs/CHARGEBACK.md): a line goes to the first rule that matches it,
 * rules taken most specific first (more match keys), then the earlier `effective_from`, then
 * the earlier creation, then the id. A claimed line is no one's direct spend; a line no rule
 * claims is its team's direct spend, or unallocated when it has no team. So no dollar is
 * allocated twice and none is lost.
 *
 * Each rule's pool (the sum of its lines) is spread by its method over
 * - proportional: the teams with direct spend this month, weighted by that direct spend;
 * - even: the teams with direct spend this month, equally;
 * - fixed: its targets, by percent (summing to 100).
 * A pool with nobody to spread over (no team has direct spend) stays unallocated.
 *
 * Shares are rounded down to 12 decimals (the stored precision) and the remainder, below
 * 1e-12 per share, goes to the largest share, so shares sum to the pool exactly.
 */

export const CENT_DIGITS = 12;

export interface SpendLine {
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  provider: string;
  model: string;
  /** Exact decimal string. */
  cost_usd: string;
  requests: number;
}

export const MATCH_KEYS = ["team", "feature", "environment", "tenant", "provider", "model"] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** Absent keys match anything; `team: null` matches spend without a team tag. */
export type RuleMatch = { team?: string | null } & Partial<Record<Exclude<MatchKey, "team">, string>>;

export type AllocationMethod = "proportional" | "even" | "fixed";

export interface AllocationTarget {
  team: string;
  /** Decimal string, e.g. "33.5". */
  percent: string;
}

export interface AllocationRuleSpec {
  id: string;
  name: string;
  match: RuleMatch;
  method: AllocationMethod;
  targets: AllocationTarget[] | null;
  /** "YYYY-MM". */
  effective_from: string;
  /** ISO timestamp: breaks ties in the order. */
  created_at: string;
}

export interface DirectLine {
  feature: string | null;
  provider: string;
  model: string;
  cost_usd: string;
  requests: number;
}

export interface AllocatedLine {
  rule_id: string;
  rule_name: string;
  method: AllocationMethod;
  /** The rule's whole pool this month. */
  pool_usd: string;
  /** This team's part of the pool, in percent (4 decimals, for reading; the money is exact). */
  share_percent: string;
  cost_usd: string;
}

export interface TeamStatement {
  team: string;
  direct_lines: DirectLine[];
  allocated_lines: AllocatedLine[];
  direct_usd: string;
  allocated_usd: string;
  total_usd: string;
}

export interface UnallocatedLine {
  reason: "untagged" | "no_teams_to_spread_over";
  rule_id: string | null;
  rule_name: string | null;
  cost_usd: string;
}

export interface RuleOutcome {
  rule_id: string;
  rule_name: string;
  pool_usd: string;
  allocated_usd: string;
}

export interface MonthAllocation {
  total_usd: string;
  unallocated_usd: string;
  unallocated_lines: UnallocatedLine[];
  rules: RuleOutcome[];
  /** Teams with direct or allocated spend, largest total first (then slug). */
  statements: TeamStatement[];
}

const ZERO = new Money(0);

function usd(value: MoneyValue): string {
  return new Money(value).toFixed(CENT_DIGITS);
}

/** Whether the month ("YYYY-MM") falls in the rule's effective months. */
export function ruleAppliesTo(rule: Pick<AllocationRuleSpec, "effective_from">, month: string): boolean {
  return rule.effective_from <= month;
}

export function matchKeyCount(match: RuleMatch): number {
  return MATCH_KEYS.filter((key) => key in match && match[key] !== undefined).length;
}

/** The documented order: most specific first, then earlier effective_from, creation, id. */
export function orderRules<R extends AllocationRuleSpec>(rules: readonly R[]): R[] {
  return [...rules].sort(
    (a, b) =>
      matchKeyCount(b.match) - matchKeyCount(a.match) ||
      compare(a.effective_from, b.effective_from) ||
      compare(a.created_at, b.created_at) ||
      compare(a.id, b.id),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function ruleMatches(match: RuleMatch, line: SpendLine): boolean {
  for (const key of MATCH_KEYS) {
    if (!(key in match)) continue;
    const wanted = match[key];
    if (wanted === undefined) continue;
    if (line[key] !== wanted) return false;
  }
  return true;
}

/**
 * `amount` split by `weights` (positive), each share rounded down to 12 decimals and the
 * remainder added to the largest share (the first of equals), so the shares sum to `amount`.
 */
export function splitExactly(amount: MoneyValue, weights: readonly MoneyValue[]): Money[] {
  const total = new Money(amount);
  const ws = weights.map((w) => new Money(w));
  const sum = ws.reduce((acc, w) => acc.plus(w), ZERO);
  if (ws.length === 0 || sum.lte(0)) throw new RangeError("splitExactly needs positive weights");
  const shares = ws.map((w) => total.times(w).dividedBy(sum).toDecimalPlaces(CENT_DIGITS, Money.ROUND_DOWN));
  const remainder = total.minus(shares.reduce((acc, s) => acc.plus(s), ZERO));
  if (!remainder.isZero()) {
    let largest = 0;
    shares.forEach((share, i) => {
      if (share.gt(shares[largest] as Money)) largest = i;
    });
    shares[largest] = (shares[largest] as Money).plus(remainder);
  }
  return shares;
}

interface TeamAccumulator {
  direct: Map<string, DirectLine & { cost: Money }>;
  directUsd: Money;
  allocated: AllocatedLine[];
  allocatedUsd: Money;
}

function lineKey(line: Pick<SpendLine, "feature" | "provider" | "model">): string {
  return JSON.stringify([line.feature, line.provider, line.model]);
}

/** The month's allocation: every line lands on one team or on the unallocated line. */
export function allocateMonth(lines: readonly SpendLine[], rules: readonly AllocationRuleSpec[], month: string): MonthAllocation {
  const ordered = orderRules(rules.filter((rule) => ruleAppliesTo(rule, month)));
  const pools = new Map<string, Money>(ordered.map((rule) => [rule.id, ZERO]));
  const teams = new Map<string, TeamAccumulator>();
  const teamOf = (slug: string): TeamAccumulator => {
    let acc = teams.get(slug);
    if (!acc) {
      acc = { direct: new Map(), directUsd: ZERO, allocated: [], allocatedUsd: ZERO };
      teams.set(slug, acc);
    }
    return acc;
  };
  let total = ZERO;
  let untagged = ZERO;

  for (const line of lines) {
    const cost = new Money(line.cost_usd);
    total = total.plus(cost);
    const rule = ordered.find((candidate) => ruleMatches(candidate.match, line));
    if (rule) {
      pools.set(rule.id, (pools.get(rule.id) ?? ZERO).plus(cost));
    } else if (line.team === null) {
      untagged = untagged.plus(cost);
    } else {
      const acc = teamOf(line.team);
      const key = lineKey(line);
      const existing = acc.direct.get(key);
      if (existing) {
        existing.cost = existing.cost.plus(cost);
        existing.requests += line.requests;
      } else {
        acc.direct.set(key, { feature: line.feature, provider: line.provider, model: line.model, cost, cost_usd: "", requests: line.requests });
      }
      acc.directUsd = acc.directUsd.plus(cost);
    }
  }

  // Weights come from direct spend only, fixed before any rule spreads its pool, so the
  // outcome does not depend on which rule is spread first.
  const withDirect = [...teams.entries()]
    .filter(([, acc]) => acc.directUsd.gt(0))
    .map(([slug, acc]) => ({ slug, direct: acc.directUsd }))
    .sort((a, b) => compare(a.slug, b.slug));

  const unallocatedLines: UnallocatedLine[] = [];
  if (!untagged.isZero()) unallocatedLines.push({ reason: "untagged", rule_id: null, rule_name: null, cost_usd: usd(untagged) });
  const outcomes: RuleOutcome[] = [];

  for (const rule of ordered) {
    const pool = pools.get(rule.id) ?? ZERO;
    const recipients = recipientsOf(rule, withDirect);
    if (pool.isZero() || recipients.length === 0) {
      if (!pool.isZero()) {
        unallocatedLines.push({ reason: "no_teams_to_spread_over", rule_id: rule.id, rule_name: rule.name, cost_usd: usd(pool) });
      }
      outcomes.push({ rule_id: rule.id, rule_name: rule.name, pool_usd: usd(pool), allocated_usd: usd(0) });
      continue;
    }
    const weightSum = recipients.reduce((acc, r) => acc.plus(r.weight), ZERO);
    const shares = splitExactly(pool, recipients.map((r) => r.weight));
    recipients.forEach((recipient, i) => {
      const share = shares[i] as Money;
      const acc = teamOf(recipient.slug);
      acc.allocated.push({
        rule_id: rule.id,
        rule_name: rule.name,
        method: rule.method,
        pool_usd: usd(pool),
        share_percent: recipient.weight.times(100).dividedBy(weightSum).toFixed(4),
        cost_usd: usd(share),
      });
      acc.allocatedUsd = acc.allocatedUsd.plus(share);
    });
    outcomes.push({ rule_id: rule.id, rule_name: rule.name, pool_usd: usd(pool), allocated_usd: usd(pool) });
  }

  const statements: TeamStatement[] = [...teams.entries()].map(([slug, acc]) => ({
    team: slug,
    direct_lines: [...acc.direct.values()]
      .map(({ cost, ...line }) => ({ ...line, cost_usd: usd(cost) }))
      .sort((a, b) => new Money(b.cost_usd).comparedTo(a.cost_usd) || compare(lineKey(a), lineKey(b))),
    allocated_lines: acc.allocated,
    direct_usd: usd(acc.directUsd),
    allocated_usd: usd(acc.allocatedUsd),
    total_usd: usd(acc.directUsd.plus(acc.allocatedUsd)),
  }));
  statements.sort((a, b) => new Money(b.total_usd).comparedTo(a.total_usd) || compare(a.team, b.team));

  const unallocated = unallocatedLines.reduce((acc, line) => acc.plus(line.cost_usd), ZERO);
  return {
    total_usd: usd(total),
    unallocated_usd: usd(unallocated),
    unallocated_lines: unallocatedLines,
    rules: outcomes,
    statements: statements.filter((s) => !new Money(s.total_usd).isZero() || s.direct_lines.length > 0),
  };
}

function recipientsOf(
  rule: AllocationRuleSpec,
  withDirect: readonly { slug: string; direct: Money }[],
): { slug: string; weight: Money }[] {
  switch (rule.method) {
    case "proportional":
      return withDirect.map(({ slug, direct }) => ({ slug, weight: direct }));
    case "even":
      return withDirect.map(({ slug }) => ({ slug, weight: new Money(1) }));
    case "fixed":
      return (rule.targets ?? [])
        .filter((target) => new Money(target.percent).gt(0))
        .map((target) => ({ slug: target.team, weight: new Money(target.percent) }));
  }
}
