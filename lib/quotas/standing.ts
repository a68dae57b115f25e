import { Money, formatUsd, type MoneyValue } from "@/lib/money";
import { capLimitUsd, capReason, refusingCap, type BudgetCap } from "@/lib/budgets/cap";
import { windowContains } from "./transitions";
import { DAY_MS, HOUR_MS } from "@/lib/time";

/**
 * Where an allocation stands, and what a quota check answers — PURE (no database): the
 * allocations list and POST /api/v1/quota/check both compute through here, so the page and
 * the gateway never disagree.
 *
 * Rules (documented in the report / docs):
 * - Period: the UTC calendar month; `period_end` is the next month's first instant.
 * - used: this period's spend (exact USD, priced events only) or tokens (input + output),
 *   of the team — and of the allocation's model only, when it names one (events' `model`,
 *   exact match, any provider).
 * - A burst counts while it is approved and its window [starts_at, ends_at) contains now; it
 *   raises every allocation of its team in its unit (the team-wide one and model-specific ones).
 * - limit = baseline (amount) + active bursts; remaining = max(0, limit − used);
 *   utilization = used / limit to 4 decimals (half up), null when the limit is 0;
 *   over = used > limit; idle = from the 11th of the month on (now ≥ period start + 10 days),
 *   used < 10% of the baseline.
 * - Amounts are written in their unit: USD with 12 decimals ("12.500000000000"), tokens as
 *   whole numbers ("1500000").
 */

export type QuotaUnit = "usd" | "tokens";

/** From this many whole days into the period, a barely used allocation is "idle". */
export const IDLE_AFTER_DAYS = 10;
/** Under this share of the baseline it is idle. */
export const IDLE_SHARE = "0.1";

export interface Period {
  start: Date;
  end: Date;
}

/** The UTC month containing `now`. */
export function quotaPeriod(now: Date): Period {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/** The rollup window "this period so far": the month's start through the end of now's hour (its events so far; not later ones). */
export function periodToDate(now: Date): { from: Date; to: Date } {
  const { start, end } = quotaPeriod(now);
  const endOfHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  return { from: start, to: new Date(Math.min(endOfHour, end.getTime())) };
}

/** An amount as the API writes it in `unit`. */
export function formatUnitAmount(value: MoneyValue, unit: QuotaUnit): string {
  return unit === "usd" ? formatUsd(value) : new Money(value).toFixed(0);
}

/** used / limit as a 4-decimal fraction ("0.4312"), null for a zero limit. */
export function fraction(used: MoneyValue, limit: MoneyValue): string | null {
  const whole = new Money(limit);
  if (whole.isZero()) return null;
  return new Money(used).div(whole).toDecimalPlaces(4, Money.ROUND_HALF_UP).toFixed(4);
}

export interface AllocationRecord {
  id: string;
  team: string;
  teamId: string;
  model: string | null;
  unit: QuotaUnit;
  /** The baseline, a decimal string. */
  amount: string;
  period: "month";
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  createdAt: Date;
}

/** An approved burst (any window; windowContains decides whether it counts now). */
export interface ApprovedBurst {
  id: string;
  team: string;
  unit: QuotaUnit;
  /** The approved amount, a decimal string. */
  amount: string;
  startsAt: Date;
  endsAt: Date;
}

/** The bursts that raise this allocation at `now`, the one ending first first. */
export function activeBurstsFor(allocation: Pick<AllocationRecord, "team" | "unit">, bursts: readonly ApprovedBurst[], now: Date): ApprovedBurst[] {
  return bursts
    .filter((b) => b.team === allocation.team && b.unit === allocation.unit && windowContains(b, now))
    .sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime() || a.id.localeCompare(b.id));
}

export interface Standing {
  baseline: Money;
  burstAmount: Money;
  limit: Money;
  used: Money;
  remaining: Money;
  active: ApprovedBurst[];
}

export function standingOf(allocation: AllocationRecord, used: MoneyValue, bursts: readonly ApprovedBurst[], now: Date): Standing {
  const active = activeBurstsFor(allocation, bursts, now);
  const baseline = new Money(allocation.amount);
  const burstAmount = active.reduce((sum, b) => sum.plus(b.amount), new Money(0));
  const limit = baseline.plus(burstAmount);
  const usedAmount = new Money(used);
  return { baseline, burstAmount, limit, used: usedAmount, remaining: Money.max(0, limit.minus(usedAmount)), active };
}

/** GET /api/v1/quota/allocations items. */
export interface AllocationView {
  id: string;
  team: string;
  model: string | null;
  unit: QuotaUnit;
  amount: string;
  period: "month";
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  used: string;
  /** Approved bursts whose window contains now, in the allocation's unit. */
  burst_amount: string;
  limit: string;
  remaining: string;
  utilization: string | null;
  idle: boolean;
  over: boolean;
  period_start: string;
  period_end: string;
}

export function isIdle(baseline: MoneyValue, used: MoneyValue, now: Date): boolean {
  const { start } = quotaPeriod(now);
  if (now.getTime() < start.getTime() + IDLE_AFTER_DAYS * DAY_MS) return false;
  return new Money(used).lt(new Money(baseline).times(IDLE_SHARE));
}

export function allocationView(allocation: AllocationRecord, used: MoneyValue, bursts: readonly ApprovedBurst[], now: Date): AllocationView {
  const s = standingOf(allocation, used, bursts, now);
  const period = quotaPeriod(now);
  const unit = allocation.unit;
  return {
    id: allocation.id,
    team: allocation.team,
    model: allocation.model,
    unit,
    amount: formatUnitAmount(s.baseline, unit),
    period: allocation.period,
    requests_per_minute: allocation.requestsPerMinute,
    tokens_per_minute: allocation.tokensPerMinute,
    used: formatUnitAmount(s.used, unit),
    burst_amount: formatUnitAmount(s.burstAmount, unit),
    limit: formatUnitAmount(s.limit, unit),
    remaining: formatUnitAmount(s.remaining, unit),
    utilization: fraction(s.used, s.limit),
    idle: isIdle(s.baseline, s.used, now),
    over: s.used.gt(s.limit),
    period_start: period.start.toISOString(),
    period_end: period.end.toISOString(),
  };
}

// ------------------------------------------------------------------ the check

/** This period's usage of one team: in total and per model. Money for both units (exact). */
export interface TeamUsage {
  costUsd: Money;
  tokens: Money;
  byModel: Map<string, { costUsd: Money; tokens: Money }>;
}

/** What a check reads: every allocation, the approved bursts that have not ended, this period's usage. */
export interface QuotaSnapshot {
  period: Period;
  /** team slug → team-wide allocation (model null) and per-model ones. */
  allocations: Map<string, { teamWide: AllocationRecord | null; byModel: Map<string, AllocationRecord> }>;
  bursts: Map<string, ApprovedBurst[]>;
  usage: Map<string, TeamUsage>;
  /** Capped budgets and their spend this month (lib/budgets/cap.ts). */
  caps: readonly { cap: BudgetCap; spentUsd: Money }[];
}

export interface CheckRequest {
  team: string;
  model?: string;
  estimated_tokens?: number;
  estimated_cost_usd?: string;
  /** Extensions: the call's other tags, so a budget scoped to them can cap it. */
  feature?: string;
  environment?: string;
  tenant?: string;
}

/**
 * The answer of POST /api/v1/quota/check. `reason` is one of:
 *   "no allocation"              the team has no allocation that applies (allowed; unit, limit, used, remaining null)
 *   "within limit"               used + estimate ≤ limit
 *   "limit reached"              refused: used ≥ limit already
 *   "estimate exceeds remaining" refused: used < limit, but used + estimate > limit
 * `used` is read from a snapshot at most QUOTA_CACHE_MAX_AGE_MS old (lib/quotas/check.ts).
 */
export interface CheckResult {
  allowed: boolean;
  unit: QuotaUnit | null;
  limit: string | null;
  used: string | null;
  remaining: string | null;
  period_end: string;
  burst: { id: string; amount: string; ends_at: string } | null;
  /** Or, refused by a budget's cap: "budget Search LLM at 104% (cap 100%)". */
  reason: "no allocation" | "within limit" | "limit reached" | "estimate exceeds remaining" | `budget ${string}`;
  /** The capped budget that refused the call (null otherwise). */
  budget_id: string | null;
  /** Extensions: the allocation answered for (null without one), and its model (null: team-wide). */
  allocation_id: string | null;
  model: string | null;
  /** Extensions: that allocation's per-minute limits, for the gateway to enforce itself (Burnrate does not count per minute). */
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
}

const ZERO = new Money(0);

function usedOf(snapshot: QuotaSnapshot, allocation: AllocationRecord): Money {
  const usage = snapshot.usage.get(allocation.team);
  if (!usage) return ZERO;
  const totals = allocation.model === null ? usage : usage.byModel.get(allocation.model);
  if (!totals) return ZERO;
  return allocation.unit === "usd" ? totals.costUsd : totals.tokens;
}

function estimateIn(unit: QuotaUnit, request: CheckRequest): Money {
  if (unit === "usd") return request.estimated_cost_usd === undefined ? ZERO : new Money(request.estimated_cost_usd);
  return request.estimated_tokens === undefined ? ZERO : new Money(request.estimated_tokens);
}

/**
 * A check against a snapshot. Applicable allocations: the team's allocation for the model
 * (when a model is given and has one) and the team-wide one; the call is allowed only when
 * every applicable one allows it. The answer describes the first refusing allocation, else
 * the most specific one (the model's). No applicable allocation: allowed, "no allocation".
 */
export function evaluateCheck(snapshot: QuotaSnapshot, request: CheckRequest, now: Date): CheckResult {
  const periodEnd = snapshot.period.end.toISOString();
  // A reached budget cap refuses first, with or without an allocation (contract: "Budget caps").
  const capped = refusingCap(snapshot.caps, request);
  if (capped) {
    const limit = capLimitUsd(capped.cap);
    const used = new Money(capped.spentUsd);
    return {
      allowed: false,
      unit: "usd",
      limit: formatUnitAmount(limit, "usd"),
      used: formatUnitAmount(used, "usd"),
      remaining: formatUnitAmount(Money.max(limit.minus(used), ZERO), "usd"),
      period_end: periodEnd,
      burst: null,
      reason: capReason(capped.cap, used) as `budget ${string}`,
      budget_id: capped.cap.budgetId,
      allocation_id: null,
      model: null,
      requests_per_minute: null,
      tokens_per_minute: null,
    };
  }
  const team = snapshot.allocations.get(request.team);
  const applicable: AllocationRecord[] = [];
  const forModel = request.model === undefined ? undefined : team?.byModel.get(request.model);
  if (forModel) applicable.push(forModel);
  if (team?.teamWide) applicable.push(team.teamWide);
  if (applicable.length === 0) {
    return {
      allowed: true,
      unit: null,
      limit: null,
      used: null,
      remaining: null,
      period_end: periodEnd,
      burst: null,
      reason: "no allocation",
      budget_id: null,
      allocation_id: null,
      model: null,
      requests_per_minute: null,
      tokens_per_minute: null,
    };
  }
  const bursts = snapshot.bursts.get(request.team) ?? [];
  const evaluated = applicable.map((allocation) => {
    const standing = standingOf(allocation, usedOf(snapshot, allocation), bursts, now);
    const allowed = standing.used.plus(estimateIn(allocation.unit, request)).lte(standing.limit);
    return { allocation, standing, allowed };
  });
  const answer = evaluated.find((e) => !e.allowed) ?? evaluated[0];
  if (!answer) throw new Error("unreachable: no allocation evaluated");
  const { allocation, standing, allowed } = answer;
  const unit = allocation.unit;
  const first = standing.active[0];
  return {
    allowed,
    unit,
    limit: formatUnitAmount(standing.limit, unit),
    used: formatUnitAmount(standing.used, unit),
    remaining: formatUnitAmount(standing.remaining, unit),
    period_end: periodEnd,
    burst: first ? { id: first.id, amount: formatUnitAmount(first.amount, unit), ends_at: first.endsAt.toISOString() } : null,
    reason: allowed ? "within limit" : standing.used.gte(standing.limit) ? "limit reached" : "estimate exceeds remaining",
    budget_id: null,
    allocation_id: allocation.id,
    model: allocation.model,
    requests_per_minute: allocation.requestsPerMinute,
    tokens_per_minute: allocation.tokensPerMinute,
  };
}
