import "server-only";
import { prisma } from "@/lib/db";
import { canActOnTeam, inTeamScope } from "@/lib/auth/permissions";
import { writeAudit } from "@/lib/audit/audit-log";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams, rows, toCount } from "@/lib/db/sql";
import { ApiError } from "@/lib/http/errors";
import { loadPriceIndex } from "@/lib/pricing/price-store";
import type { CreateSubstituteInput, DeferrableInput, DismissalInput, SavingsKind, SavingsQuery } from "@/lib/schemas/savings";
import { DAY_MS } from "@/lib/time";
import { dbOf, ipOf, nowOf, teamScopeFor, teamScopeOf, type Ctx } from "@/lib/context";
import { bestPerGroup, featureKey, findOpportunities, type Opportunity, type UsageGroup, type WeekGroup } from "./advisor";

/**
 * The savings advisor's service: GET /api/v1/savings (the window's usage from the rollups,
 * current prices, the declared substitutes and deferrable features, the dismissals, then
 * ./advisor.ts), and the lists behind it. Substitutes are installation-wide (admins declare
 * them); a feature is marked deferrable, or an opportunity dismissed, by finance, an admin or a
 * lead of its team.
 */

export interface SavingsReport {
  currency: "USD";
  from: string;
  to: string;
  team: string | null;
  opportunities: Opportunity[];
  total_savings_usd: string;
  total_savings_per_month_usd: string;
}

interface GroupRow {
  team: string | null;
  feature: string | null;
  provider: string;
  model: string;
  service_tier: string;
  requests: string;
  input_tokens: string;
  output_tokens: string;
  cache_read: string;
  cache_creation: string;
  reasoning: string;
}

interface WeekRow {
  team: string | null;
  feature: string | null;
  provider: string;
  model: string;
  week: string;
  requests: string;
  input_tokens: string;
  cache_read: string;
}

/** GET /api/v1/savings: opportunities in the caller's teams (or one team), largest saving first. */
export async function getSavings(ctx: Ctx, query: SavingsQuery): Promise<SavingsReport> {
  const db = dbOf(ctx);
  const scope = teamScopeFor(ctx, query.team);
  const groupsParams = new SqlParams();
  const groupSql = `SELECT team, feature, provider, model, service_tier::text AS service_tier, sum(requests)::text AS requests,
      sum(input_tokens)::text AS input_tokens, sum(output_tokens)::text AS output_tokens,
      sum(cache_read_input_tokens)::text AS cache_read, sum(cache_creation_input_tokens)::text AS cache_creation,
      sum(reasoning_output_tokens)::text AS reasoning
    FROM ${rollupWindowSql(query.from, query.to, groupsParams)}
    WHERE team IS NOT NULL${groupsParams.teamScope(scope)}
    GROUP BY team, feature, provider, model, service_tier
    HAVING sum(requests) > 0 AND sum(unpriced_requests) = 0`;
  const weekParams = new SqlParams();
  const weekSql = `SELECT team, feature, provider, model, to_char(date_trunc('week', hour, 'UTC'), 'YYYY-MM-DD') AS week,
      sum(requests)::text AS requests, sum(input_tokens)::text AS input_tokens, sum(cache_read_input_tokens)::text AS cache_read
    FROM ${rollupWindowSql(query.from, query.to, weekParams)}
    WHERE team IS NOT NULL AND service_tier = 'standard'${weekParams.teamScope(scope)}
    GROUP BY team, feature, provider, model, 5
    HAVING sum(requests) > 0`;
  const [groupRows, weekRows, lookup, substitutes, deferrable, dismissals] = await Promise.all([
    rows<GroupRow>(db, groupSql, groupsParams),
    rows<WeekRow>(db, weekSql, weekParams),
    loadPriceIndex(db),
    prisma.savingsSubstitute.findMany(),
    prisma.deferrableFeature.findMany(),
    prisma.savingsDismissal.findMany(),
  ]);
  const now = nowOf(ctx);
  const groups: UsageGroup[] = groupRows.map((row) => ({
    team: row.team,
    feature: row.feature,
    provider: row.provider,
    model: row.model,
    serviceTier: row.service_tier,
    requests: toCount(row.requests),
    inputTokens: toCount(row.input_tokens),
    outputTokens: toCount(row.output_tokens),
    cacheReadInputTokens: toCount(row.cache_read),
    cacheCreationInputTokens: toCount(row.cache_creation),
    reasoningOutputTokens: toCount(row.reasoning),
  }));
  const weeks: WeekGroup[] = weekRows.map((row) => ({
    team: row.team,
    feature: row.feature,
    provider: row.provider,
    model: row.model,
    week: row.week,
    requests: toCount(row.requests),
    inputTokens: toCount(row.input_tokens),
    cacheReadInputTokens: toCount(row.cache_read),
  }));
  const dismissed = new Set(dismissals.map((d) => JSON.stringify([d.kind, d.team, d.feature, d.model])));
  const result = findOpportunities({
    groups,
    weeks,
    priceOf: (provider, model, tier) => lookup(provider, model, tier, now),
    substitutes: substitutes.map((s) => ({ from: { provider: s.fromProvider, model: s.fromModel }, to: { provider: s.toProvider, model: s.toModel } })),
    deferrable: new Set(deferrable.map((d) => featureKey(d.team, d.feature))),
    dismissed: (kind, team, feature, model) =>
      dismissed.has(JSON.stringify([kind, team, feature ?? "", model])) || dismissed.has(JSON.stringify([kind, team, feature ?? "", ""])),
    // Days that have begun: a window reaching into the future would understate the run rate.
    windowDays: Math.max(1, (Math.min(query.to.getTime(), Math.ceil(now.getTime() / DAY_MS) * DAY_MS) - query.from.getTime()) / DAY_MS),
  });
  return {
    currency: "USD",
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    team: query.team ?? null,
    ...result,
    total_savings_per_month_usd: bestPerGroup(result.opportunities, "savings_per_month_usd").toFixed(12),
  };
}


// ------------------------------------------------------------------ substitutes (admin)

export interface SubstituteView {
  id: string;
  from: { provider: string; model: string };
  to: { provider: string; model: string };
  note: string | null;
  created_at: string;
}

function substituteView(row: { id: string; fromProvider: string; fromModel: string; toProvider: string; toModel: string; note: string | null; createdAt: Date }): SubstituteView {
  return {
    id: row.id,
    from: { provider: row.fromProvider, model: row.fromModel },
    to: { provider: row.toProvider, model: row.toModel },
    note: row.note,
    created_at: row.createdAt.toISOString(),
  };
}

export async function listSubstitutes(_ctx: Ctx): Promise<{ substitutes: SubstituteView[] }> {
  const list = await prisma.savingsSubstitute.findMany({ orderBy: [{ fromProvider: "asc" }, { fromModel: "asc" }, { toModel: "asc" }] });
  return { substitutes: list.map(substituteView) };
}

export async function createSubstitute(ctx: Ctx, input: CreateSubstituteInput): Promise<SubstituteView> {
  const row = await prisma.$transaction(async (tx) => {
    const existing = await tx.savingsSubstitute.findFirst({
      where: { fromProvider: input.from.provider, fromModel: input.from.model, toProvider: input.to.provider, toModel: input.to.model },
    });
    if (existing) throw new ApiError("conflict", "This substitute is declared already.", { details: [{ path: "to", message: "already declared for from" }] });
    const created = await tx.savingsSubstitute.create({
      data: {
        fromProvider: input.from.provider,
        fromModel: input.from.model,
        toProvider: input.to.provider,
        toModel: input.to.model,
        note: input.note ?? null,
        createdById: ctx.principal.kind === "user" ? ctx.principal.userId : null,
      },
    });
    await writeAudit(tx, ctx.principal, { action: "savings.substitute_create", targetType: "savings_substitute", targetId: created.id, after: substituteView(created), ip: ipOf(ctx) });
    return created;
  });
  return substituteView(row);
}

export async function deleteSubstitute(ctx: Ctx, { id }: { id: string }): Promise<SubstituteView> {
  const row = await prisma.$transaction(async (tx) => {
    const existing = await tx.savingsSubstitute.findUnique({ where: { id } });
    if (!existing) throw new ApiError("not_found", "No such substitute.");
    await tx.savingsSubstitute.delete({ where: { id } });
    await writeAudit(tx, ctx.principal, { action: "savings.substitute_delete", targetType: "savings_substitute", targetId: id, before: substituteView(existing), ip: ipOf(ctx) });
    return existing;
  });
  return substituteView(row);
}

// ------------------------------------------------------------------ deferrable features and dismissals

function assertMayActOn(ctx: Ctx, team: string): void {
  if (!canActOnTeam(ctx.principal, "savings:defer", team)) {
    throw new ApiError("forbidden", "Only finance, admins and the team's leads may change its savings settings.", {
      details: [{ path: "team", message: `you do not lead ${team}` }],
    });
  }
}

export interface DeferrableView {
  id: string;
  team: string;
  feature: string;
  created_at: string;
}

export async function listDeferrable(ctx: Ctx): Promise<{ features: DeferrableView[] }> {
  const scope = teamScopeOf(ctx);
  const list = await prisma.deferrableFeature.findMany({
    where: scope.kind === "all" ? {} : { team: { in: scope.slugs } },
    orderBy: [{ team: "asc" }, { feature: "asc" }],
  });
  return { features: list.map((row) => ({ id: row.id, team: row.team, feature: row.feature, created_at: row.createdAt.toISOString() })) };
}

export async function markDeferrable(ctx: Ctx, input: DeferrableInput): Promise<DeferrableView> {
  assertMayActOn(ctx, input.team);
  const row = await prisma.deferrableFeature.upsert({
    where: { team_feature: { team: input.team, feature: input.feature } },
    create: { team: input.team, feature: input.feature, createdById: ctx.principal.kind === "user" ? ctx.principal.userId : null },
    update: {},
  });
  return { id: row.id, team: row.team, feature: row.feature, created_at: row.createdAt.toISOString() };
}

export async function unmarkDeferrable(ctx: Ctx, { id }: { id: string }): Promise<DeferrableView> {
  const row = await prisma.deferrableFeature.findUnique({ where: { id } });
  if (!row || !inTeamScope(teamScopeOf(ctx), row.team)) throw new ApiError("not_found", "No such deferrable feature.");
  assertMayActOn(ctx, row.team);
  await prisma.deferrableFeature.delete({ where: { id } });
  return { id: row.id, team: row.team, feature: row.feature, created_at: row.createdAt.toISOString() };
}

export async function dismissOpportunity(ctx: Ctx, input: DismissalInput): Promise<{ kind: SavingsKind; team: string; feature: string; model: string | null }> {
  assertMayActOn(ctx, input.team);
  await prisma.savingsDismissal.upsert({
    where: { kind_team_feature_model: { kind: input.kind, team: input.team, feature: input.feature, model: input.model ?? "" } },
    create: { kind: input.kind, team: input.team, feature: input.feature, model: input.model ?? "", createdById: ctx.principal.kind === "user" ? ctx.principal.userId : null },
    update: {},
  });
  return { kind: input.kind, team: input.team, feature: input.feature, model: input.model ?? null };
}
