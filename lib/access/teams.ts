import { prisma } from "@/lib/db";
import { teamScope, type Principal } from "@/lib/auth/permissions";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { CreateTeamInput, SetMemberInput } from "@/lib/schemas/access";

/** Teams and memberships. Reading is team-scoped in the query; writing is for admins. */

const TEAM_SELECT = {
  id: true,
  slug: true,
  name: true,
  discovered: true,
  createdAt: true,
  memberships: { select: { role: true, user: { select: { id: true, email: true, name: true } } } },
} as const satisfies Prisma.TeamSelect;

type TeamRow = Prisma.TeamGetPayload<{ select: typeof TEAM_SELECT }>;

export interface TeamView {
  id: string;
  slug: string;
  name: string;
  discovered: boolean;
  created_at: string;
  members: { user_id: string; email: string; name: string | null; role: "lead" | "member" }[];
}

function teamView(row: TeamRow): TeamView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    discovered: row.discovered,
    created_at: row.createdAt.toISOString(),
    members: row.memberships
      .map((m) => ({ user_id: m.user.id, email: m.user.email, name: m.user.name, role: m.role }))
      .sort((a, b) => (a.role === b.role ? a.email.localeCompare(b.email) : a.role === "lead" ? -1 : 1)),
  };
}

/** The teams a principal may see: all of them for admins and finance, their own otherwise. */
export async function listTeams(principal: Principal): Promise<TeamView[]> {
  const scope = teamScope(principal);
  const rows = await prisma.team.findMany({
    where: scope.kind === "all" ? {} : { slug: { in: scope.slugs } },
    select: TEAM_SELECT,
    orderBy: { slug: "asc" },
  });
  return rows.map(teamView);
}

/** One team by id, or 404 — also for a team outside the caller's scope, so ids leak nothing. */
export async function getTeamOrThrow(principal: Principal, teamId: string): Promise<TeamView> {
  const scope = teamScope(principal);
  const row = await prisma.team.findFirst({
    where: { id: teamId, ...(scope.kind === "all" ? {} : { slug: { in: scope.slugs } }) },
    select: TEAM_SELECT,
  });
  if (!row) throw new ApiError("not_found", "No such team.");
  return teamView(row);
}

export async function createTeam(actor: AuditActor, input: CreateTeamInput, ip: string | null = null): Promise<TeamView> {
  return prisma.$transaction(async (tx) => {
    if (await tx.team.findUnique({ where: { slug: input.slug }, select: { id: true } })) {
      throw new ApiError("conflict", "A team with this slug exists.", { details: [{ path: "slug", message: "is already taken" }] });
    }
    const row = await tx.team.create({ data: { slug: input.slug, name: input.name }, select: TEAM_SELECT });
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

export async function renameTeam(actor: AuditActor, teamId: string, name: string, ip: string | null = null): Promise<TeamView> {
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

export async function setMember(actor: AuditActor, teamId: string, input: SetMemberInput, ip: string | null = null): Promise<TeamView> {
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

export async function removeMember(actor: AuditActor, teamId: string, userId: string, ip: string | null = null): Promise<TeamView> {
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
