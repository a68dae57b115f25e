import "server-only";
import { prisma } from "@/lib/db";
import { canActOnTeam, inTeamScope } from "@/lib/auth/permissions";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams, rows, toCount } from "@/lib/db/sql";
import { ApiError } from "@/lib/http/errors";
import { Money } from "@/lib/money";
import type { FeatureChangeInput } from "@/lib/schemas/savings";
import { DAY_MS, HOUR_MS } from "@/lib/time";
import { dbOf, nowOf, teamScopeFor, teamScopeOf, type Ctx } from "@/lib/context";

/**
 * "Did the change pay off?": a team marks a change to a feature (e.g. "moved to gpt-4o-mini on
 * Dec 3"), and each change is compared over two equal windows either side of it (up to 14
 * days; as long as has passed since, in whole hours): the feature's calls, spend, cost per
 * request, its outcomes' success rate and cost per successful outcome — so a cheaper model that
 * fails more shows. Spend from the rollups, outcomes from the outcome events of the feature.
 */

export const MAX_COMPARE_DAYS = 14;

export interface ChangeWindow {
  from: string;
  to: string;
  requests: number;
  cost_usd: string;
  cost_per_request_usd: string | null;
  outcomes: number;
  successful: number;
  /** successful / outcomes, 4 decimals; null without outcomes. */
  success_rate: string | null;
  cost_per_success_usd: string | null;
}

export interface FeatureChangeView {
  id: string;
  team: string;
  feature: string;
  at: string;
  description: string;
  /** null until a whole hour has passed since the change. */
  before: ChangeWindow | null;
  after: ChangeWindow | null;
}

async function windowOf(ctx: Ctx, team: string, feature: string, from: Date, to: Date): Promise<ChangeWindow> {
  const db = dbOf(ctx);
  const params = new SqlParams();
  const [spend] = await rows<{ requests: string | null; cost: string | null }>(
    db,
    `SELECT sum(requests)::text AS requests, sum(cost_usd)::text AS cost FROM ${rollupWindowSql(from, to, params)}
     WHERE team = ${params.add(team)} AND feature = ${params.add(feature)}`,
    params,
  );
  const outcomes = await db.query<{ total: string; successful: string }>(
    `SELECT count(*)::text AS total, count(*) FILTER (WHERE success)::text AS successful FROM outcomes
     WHERE team = $1 AND feature = $2 AND occurred_at >= $3::timestamptz AND occurred_at < $4::timestamptz`,
    [team, feature, from.toISOString(), to.toISOString()],
  );
  const requests = toCount(spend?.requests ?? "0");
  const cost = new Money(spend?.cost ?? "0");
  const total = toCount(outcomes.rows[0]?.total ?? "0");
  const successful = toCount(outcomes.rows[0]?.successful ?? "0");
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    requests,
    cost_usd: cost.toFixed(12),
    cost_per_request_usd: requests > 0 ? cost.div(requests).toFixed(12) : null,
    outcomes: total,
    successful,
    success_rate: total > 0 ? new Money(successful).div(total).toFixed(4) : null,
    cost_per_success_usd: successful > 0 ? cost.div(successful).toFixed(12) : null,
  };
}

async function view(ctx: Ctx, row: { id: string; team: string; feature: string; at: Date; description: string }): Promise<FeatureChangeView> {
  const now = nowOf(ctx);
  const at = new Date(Math.floor(row.at.getTime() / HOUR_MS) * HOUR_MS);
  const hours = Math.min(MAX_COMPARE_DAYS * 24, Math.floor((Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - at.getTime()) / HOUR_MS));
  const base = { id: row.id, team: row.team, feature: row.feature, at: row.at.toISOString(), description: row.description };
  if (hours < 1) return { ...base, before: null, after: null };
  const span = hours * HOUR_MS;
  const [before, after] = await Promise.all([
    windowOf(ctx, row.team, row.feature, new Date(at.getTime() - span), at),
    windowOf(ctx, row.team, row.feature, at, new Date(at.getTime() + span)),
  ]);
  return { ...base, before, after };
}

/** GET /api/v1/feature-changes?team: the team's marked changes, newest first, each with its before/after. */
export async function listFeatureChanges(ctx: Ctx, { team }: { team: string }): Promise<{ changes: FeatureChangeView[] }> {
  teamScopeFor(ctx, team);
  const list = await prisma.featureChange.findMany({ where: { team }, orderBy: [{ at: "desc" }, { id: "asc" }], take: 50 });
  return { changes: await Promise.all(list.map((row) => view(ctx, row))) };
}

function assertMayMark(ctx: Ctx, team: string): void {
  if (!canActOnTeam(ctx.principal, "savings:defer", team)) {
    throw new ApiError("forbidden", "Only finance, admins and the team's leads may mark its changes.", { details: [{ path: "team", message: `you do not lead ${team}` }] });
  }
}

/** POST /api/v1/feature-changes → 201 with the change and its comparison so far. */
export async function markFeatureChange(ctx: Ctx, input: FeatureChangeInput): Promise<FeatureChangeView> {
  assertMayMark(ctx, input.team);
  const now = nowOf(ctx);
  if (input.at.getTime() > now.getTime() + 60_000) throw new ApiError("invalid_request", "The change is not valid.", { details: [{ path: "at", message: "must not be in the future" }] });
  if (input.at.getTime() < now.getTime() - 400 * DAY_MS) throw new ApiError("invalid_request", "The change is not valid.", { details: [{ path: "at", message: "must be within the last 400 days" }] });
  const row = await prisma.featureChange.create({
    data: { team: input.team, feature: input.feature, at: input.at, description: input.description, createdById: ctx.principal.kind === "user" ? ctx.principal.userId : null },
  });
  return view(ctx, row);
}

export async function deleteFeatureChange(ctx: Ctx, { id }: { id: string }): Promise<{ id: string; deleted: true }> {
  const row = await prisma.featureChange.findUnique({ where: { id } });
  if (!row || !inTeamScope(teamScopeOf(ctx), row.team)) throw new ApiError("not_found", "No such change.");
  assertMayMark(ctx, row.team);
  await prisma.featureChange.delete({ where: { id } });
  return { id, deleted: true };
}
