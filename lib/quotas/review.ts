import "server-only";
import { teamScope } from "@/lib/auth/permissions";
import { Money } from "@/lib/money";
import { loadAllocations } from "./records";
import { suggestFor, type MonthFacts, type Suggestion } from "./review-rules";
import { formatUnitAmount, fraction, periodToDate, type QuotaUnit } from "./standing";
import { monthlyUsageByTeam } from "./usage";
import { dbOf, nowOf, type Ctx } from "@/lib/context";
import { addMonths, monthKeyOf, monthStart } from "@/lib/time";

/**
 * GET /api/v1/quota/review?month=YYYY-MM — the monthly allocation review (quota:read,
 * team-scoped). One entry per team with a TEAM-WIDE allocation (model-specific allocations
 * are not reviewed), by team slug; figures of the review month M, the suggestion from
 * lib/quotas/review-rules.ts, and `history` (M−2, M−1, M, oldest first) that the
 * suggestion was made from. `month` defaults to the last complete UTC month.
 *
 * A burst counts in a month when its window [starts_at, ends_at) overlaps it and it is in
 * the allocation's unit: bursts_requested counts every status, bursts_approved the approved.
 */

export interface ReviewMonthView {
  month: string;
  used: string;
  /** used / baseline, 4 decimals; null for a month before the allocation existed. */
  utilization: string | null;
  bursts_approved: number;
  bursts_requested: number;
}

export interface ReviewTeamView {
  team: string;
  unit: QuotaUnit;
  allocation_id: string;
  /** The baseline (today's amount). */
  allocation: string;
  used: string;
  utilization: string | null;
  bursts_approved: number;
  bursts_requested: number;
  /** Quota checks that budget caps refused for this team in the review month. */
  refused_checks: number;
  suggestion: Suggestion;
  history: ReviewMonthView[];
}

export interface ReviewView {
  month: string;
  teams: ReviewTeamView[];
}

// The month-key helpers are lib/time.ts's (also the chargeback's); exported here for this module's callers.
export { addMonths, monthKeyOf, monthStart };

/** The last complete UTC month before `now`. */
export function defaultReviewMonth(now: Date): string {
  return addMonths(monthKeyOf(now), -1);
}

interface BurstWindowRow {
  team: string;
  unit: QuotaUnit;
  status: string;
  amount: string;
  starts_at: Date;
  ends_at: Date;
}

export async function getQuotaReview(ctx: Ctx, { month }: { month?: string }): Promise<ReviewView> {
  const { principal } = ctx;
  const now = nowOf(ctx);
  const db = dbOf(ctx);
  const reviewMonth = month ?? defaultReviewMonth(now);
  const keys = [addMonths(reviewMonth, -2), addMonths(reviewMonth, -1), reviewMonth] as const;
  const scope = teamScope(principal);
  const allocations = (await loadAllocations(db, scope.kind === "all" ? null : scope.slugs)).filter((a) => a.model === null);
  if (allocations.length === 0) return { month: reviewMonth, teams: [] };

  const teams = allocations.map((a) => a.team);
  const from = monthStart(keys[0]);
  const end = monthStart(addMonths(reviewMonth, 1));
  const to = new Date(Math.min(end.getTime(), periodToDate(now).to.getTime()));
  const [usage, bursts, capHits] = await Promise.all([
    monthlyUsageByTeam(db, { from, to }, teams),
    db.query<BurstWindowRow>(
      `SELECT t.slug AS team, b.unit::text AS unit, b.status::text AS status,
              coalesce(b.approved_amount, b.amount)::text AS amount, b.starts_at, b.ends_at
       FROM burst_requests b JOIN teams t ON t.id = b.team_id
       WHERE t.slug = ANY($1::text[]) AND b.starts_at < $3::timestamptz AND b.ends_at > $2::timestamptz`,
      [teams, from.toISOString(), end.toISOString()],
    ),
    db.query<{ team: string; hits: string }>(
      `SELECT team, sum(hits)::text AS hits FROM budget_cap_hits WHERE team = ANY($1::text[]) AND month = $2::date GROUP BY team`,
      [teams, monthStart(reviewMonth).toISOString().slice(0, 10)],
    ),
  ]);

  const entries = allocations.map((allocation): ReviewTeamView => {
    const facts = keys.map((key): MonthFacts => {
      const start = monthStart(key).getTime();
      const stop = monthStart(addMonths(key, 1)).getTime();
      const totals = usage.get(allocation.team)?.get(key);
      const overlapping = bursts.rows.filter(
        (b) => b.team === allocation.team && b.unit === allocation.unit && new Date(b.starts_at).getTime() < stop && new Date(b.ends_at).getTime() > start,
      );
      const approved = overlapping.filter((b) => b.status === "approved");
      return {
        month: key,
        existed: allocation.createdAt.getTime() < stop,
        used: totals ? (allocation.unit === "usd" ? totals.costUsd : totals.tokens) : new Money(0),
        burstsApproved: approved.length,
        burstsRequested: overlapping.length,
        largestApproved: Money.max(0, ...approved.map((b) => b.amount)),
      };
    }) as unknown as [MonthFacts, MonthFacts, MonthFacts];
    const history = facts.map((f) => ({
      month: f.month,
      used: formatUnitAmount(f.used, allocation.unit),
      utilization: f.existed ? fraction(f.used, allocation.amount) : null,
      bursts_approved: f.burstsApproved,
      bursts_requested: f.burstsRequested,
    }));
    const current = history[2];
    if (!current) throw new Error("unreachable: three months of history");
    return {
      team: allocation.team,
      unit: allocation.unit,
      allocation_id: allocation.id,
      allocation: formatUnitAmount(allocation.amount, allocation.unit),
      used: current.used,
      utilization: current.utilization,
      bursts_approved: current.bursts_approved,
      bursts_requested: current.bursts_requested,
      refused_checks: Number(capHits.rows.find((row) => row.team === allocation.team)?.hits ?? 0),
      suggestion: suggestFor(allocation.unit, allocation.amount, facts),
      history,
    };
  });
  return { month: reviewMonth, teams: entries.sort((a, b) => a.team.localeCompare(b.team)) };
}
