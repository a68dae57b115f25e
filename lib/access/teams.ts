import "server-only";
import { prisma } from "@/lib/db";
import { teamScope } from "@/lib/auth/permissions";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { Prisma, TeamOrigin } from "@/lib/generated/prisma/client";
import { teamSlugSchema, type CreateTeamInput, type SetMemberInput } from "@/lib/schemas/access";
import { ipOf, type Ctx } from "@/lib/context";

/**
 * Teams and memberships. Reading is team-scoped in the query; writing is for admins —
 * except registering a team that a budget, allocation, burst request or allocation rule
 * names before it has any usage (ensureTeam), which is part of that write.
 */

const TEAM_SELECT = {
  id: true,
  slug: true,
  name: true,
  discovered: true,
  origin: true,
  createdAt: true,
  memberships: { select: { role: true, user: { select: { id: true, email: true, name: true } } } },
} as const satisfies Prisma.TeamSelect;

type TeamRow = Prisma.TeamGetPayload<{ select: typeof TEAM_SELECT }>;

export interface TeamView {
  id: string;
  slug: string;
  name: string;
  discovered: boolean;
  /** Where the team came from: "created" by an admin, "discovered" by ingest, "planned" by a budget, allocation or burst request. */
  origin: TeamOrigin;
  /** Whether at least one member leads it. */
  has_lead: boolean;
  created_at: string;
  members: { user_id: string; email: string; name: string | null; role: "lead" | "member" }[];
}

function teamView(row: TeamRow): TeamView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    discovered: row.discovered,
    origin: row.origin,
    has_lead: row.memberships.some((m) => m.role === "lead"),
    created_at: row.createdAt.toISOString(),
    members: row.memberships
      .map((m) => ({ user_id: m.user.id, email: m.user.email, name: m.user.name, role: m.role }))
      .sort((a, b) => (a.role === b.role ? a.email.localeCompare(b.email) : a.role === "lead" ? -1 : 1)),
  };
}

/** The teams a principal may see: all of them for admins and finance, their own otherwise. */
export async function listTeams(ctx: Ctx): Promise<TeamView[]> {
  const { principal } = ctx;
  const scope = teamScope(principal);
  const rows = await prisma.team.findMany({
    where: scope.kind === "all" ? {} : { slug: { in: scope.slugs } },
    select: TEAM_SELECT,
    orderBy: { slug: "asc" },
  });
  return rows.map(teamView);
}

/** One team by id, or 404 — also for a team outside the caller's scope, so ids leak nothing. */
export async function getTeamOrThrow(ctx: Ctx, { id: teamId }: { id: string }): Promise<TeamView> {
  const { principal } = ctx;
  const scope = teamScope(principal);
  const row = await prisma.team.findFirst({
    where: { id: teamId, ...(scope.kind === "all" ? {} : { slug: { in: scope.slugs } }) },
    select: TEAM_SELECT,
  });
  if (!row) throw new ApiError("not_found", "No such team.");
  return teamView(row);
}

export async function createTeam(ctx: Ctx<AuditActor>, input: CreateTeamInput): Promise<TeamView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    if (await tx.team.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
      throw new ApiError("conflict", "A team with this slug exists.", { details: [{ path: "slug", message: "is already taken" }] });
    }
    const row = await tx.team.create({ data: { slug: input.slug, name: input.name, origin: "created" }, select: TEAM_SELECT });
    await writeAudit(tx, actor, {
      action: "team.create",
      targetType: "team",
      targetId: row.id,
      teamId: row.id,
      after: { slug: row.slug, name: row.name },
      ip,
    });
    return teamView(row);
  });
}

export async function renameTeam(ctx: Ctx<AuditActor>, { id: teamId, name }: { id: string; name: string }): Promise<TeamView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    const current = await tx.team.findUnique({ where: { id: teamId }, select: TEAM_SELECT });
    if (!current) throw new ApiError("not_found", "No such team.");
    // Naming a discovered team is what "setting it up" means.
    const row = await tx.team.update({ where: { id: teamId }, data: { name, discovered: false }, select: TEAM_SELECT });
    await writeAudit(tx, actor, {
      action: "team.update",
      targetType: "team",
      targetId: teamId,
      teamId,
      before: { name: current.name, discovered: current.discovered },
      after: { name: row.name, discovered: row.discovered },
      ip,
    });
    return teamView(row);
  });
}

export async function setMember(ctx: Ctx<AuditActor>, { teamId, member: input }: { teamId: string; member: SetMemberInput }): Promise<TeamView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    const team = await tx.team.findUnique({ where: { id: teamId }, select: { id: true } });
    if (!team) throw new ApiError("not_found", "No such team.");
    const user = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (!user) {
      throw new ApiError("invalid_request", "No user with this email: create the user first.", {
        details: [{ path: "email", message: "no such user" }],
      });
    }
    const previous = await tx.teamMembership.findUnique({ where: { userId_teamId: { userId: user.id, teamId } } });
    await tx.teamMembership.upsert({
      where: { userId_teamId: { userId: user.id, teamId } },
      create: { userId: user.id, teamId, role: input.role },
      update: { role: input.role },
    });
    await writeAudit(tx, actor, {
      action: "team.member_set",
      targetType: "team",
      targetId: teamId,
      teamId,
      before: previous ? { email: input.email, role: previous.role } : null,
      after: { email: input.email, role: input.role },
      ip,
    });
    return teamView(await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: TEAM_SELECT }));
  });
}

export async function removeMember(ctx: Ctx<AuditActor>, { teamId, userId }: { teamId: string; userId: string }): Promise<TeamView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    const membership = await tx.teamMembership.findUnique({
      where: { userId_teamId: { userId, teamId } },
      select: { role: true, user: { select: { email: true } } },
    });
    if (!membership) throw new ApiError("not_found", "This user is not a member of this team.");
    await tx.teamMembership.delete({ where: { userId_teamId: { userId, teamId } } });
    await writeAudit(tx, actor, {
      action: "team.member_remove",
      targetType: "team",
      targetId: teamId,
      teamId,
      before: { email: membership.user.email, role: membership.role },
      ip,
    });
    return teamView(await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: TEAM_SELECT }));
  });
}

/** What a team is being registered for (kept in the audit entry). */
export type TeamRegisteredBy = "budget" | "allocation" | "burst_request" | "allocation_rule";

export interface EnsureTeamOptions {
  /** The write that names the team, for the audit entry. */
  via: TeamRegisteredBy;
  /** Where the slug sits in the caller's body, for a 400's details ("team", "scope.team", …). */
  path: string;
  /** The 400's message, e.g. "The budget is not valid.". */
  message?: string;
  ip?: string | null;
}

export interface EnsuredTeam {
  id: string;
  slug: string;
  /** True when this call registered it (and wrote "team.register"). */
  registered: boolean;
}

/**
 * The team with this slug, registered first when there is none (contract: "Additions
 * (December 2026) → Teams"): money can be planned for a team before its first call.
 *
 * Runs inside the caller's transaction, so the team, its "team.register" audit entry and
 * the budget / allocation / request that needed it commit or roll back together. A new
 * slug must pass the rules of team creation (400 on `options.path`); an existing team is
 * returned whatever its slug looks like (ingest registers any tags.team value). The new
 * team is named after its slug, has no members and is marked origin "planned".
 *
 * Concurrent calls for one new slug create one team: the insert is ON CONFLICT DO NOTHING,
 * which waits for the other transaction; the loser reads the winner's committed row (a
 * new statement sees it under READ COMMITTED) and writes no audit entry.
 *
 * Authorization is the caller's: it must already have checked that `actor` may do the
 * write for this slug (budgets:write, quota:allocate, or canActOnTeam for quota:request —
 * which refuses a team lead any team they do not lead, so nobody leads a team by naming it).
 */
export async function ensureTeam(
  tx: Prisma.TransactionClient,
  slug: string,
  actor: AuditActor,
  options: EnsureTeamOptions,
): Promise<EnsuredTeam> {
  const existing = await tx.team.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (existing) return { ...existing, registered: false };
  const valid = teamSlugSchema.safeParse(slug);
  if (!valid.success) {
    throw new ApiError("invalid_request", options.message ?? "The team slug is not valid.", {
      details: [{ path: options.path, message: valid.error.issues[0]?.message ?? "is not a valid team slug" }],
    });
  }
  const { count } = await tx.team.createMany({
    data: [{ slug, name: slug, discovered: false, origin: "planned" }],
    skipDuplicates: true,
  });
  const row = await tx.team.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!row) throw new Error(`team ${slug} missing after registering it`);
  if (count === 0) return { ...row, registered: false };
  await writeAudit(tx, actor, {
    action: "team.register",
    targetType: "team",
    targetId: row.id,
    teamId: row.id,
    after: { slug: row.slug, name: slug, origin: "planned", via: options.via },
    ip: options.ip ?? null,
  });
  return { ...row, registered: true };
}
