import "server-only";
import { prisma } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { CreateUserInput, UpdateUserInput } from "@/lib/schemas/access";
import { ipOf, type Ctx } from "@/lib/context";

/** Users and roles (admin only; the route checks users:manage). */

const USER_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabledAt: true,
  lastSignInAt: true,
  createdAt: true,
  passwordHash: true,
  memberships: { select: { role: true, team: { select: { slug: true, name: true } } } },
} as const satisfies Prisma.UserSelect;

type UserRow = Prisma.UserGetPayload<{ select: typeof USER_SELECT }>;

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: UserRow["role"];
  disabled: boolean;
  has_password: boolean;
  last_sign_in_at: string | null;
  created_at: string;
  teams: { slug: string; name: string; role: "lead" | "member" }[];
}

export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabledAt !== null,
    has_password: row.passwordHash !== null,
    last_sign_in_at: row.lastSignInAt?.toISOString() ?? null,
    created_at: row.createdAt.toISOString(),
    teams: row.memberships
      .map((m) => ({ slug: m.team.slug, name: m.team.name, role: m.role }))
      .sort((a, b) => a.slug.localeCompare(b.slug)),
  };
}

/** What the audit log keeps of a user: never the password hash. */
function auditable(view: UserView) {
  return { email: view.email, name: view.name, role: view.role, disabled: view.disabled };
}

export async function listUsers(_ctx: Ctx<AuditActor>): Promise<UserView[]> {
  const rows = await prisma.user.findMany({ select: USER_SELECT, orderBy: { email: "asc" } });
  return rows.map(userView);
}

export async function createUser(ctx: Ctx<AuditActor>, input: CreateUserInput): Promise<UserView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new ApiError("conflict", "A user with this email exists.", {
        details: [{ path: "email", message: "is already taken" }],
      });
    }
    const row = await tx.user.create({
      data: { email: input.email, name: input.name ?? null, role: input.role, passwordHash },
      select: USER_SELECT,
    });
    const view = userView(row);
    await writeAudit(tx, actor, { action: "user.create", targetType: "user", targetId: row.id, after: auditable(view), ip });
    return view;
  });
}

export async function updateUser(ctx: Ctx<AuditActor>, { userId, changes: input }: { userId: string; changes: UpdateUserInput }): Promise<UserView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  const passwordHash = input.password ? await hashPassword(input.password) : undefined;
  return prisma.$transaction(async (tx) => {
    // Lock the admins' rows: two admins demoting each other at once must not leave none.
    await tx.$executeRaw`SELECT id FROM users WHERE role = 'admin' FOR UPDATE`;
    const current = await tx.user.findUnique({ where: { id: userId }, select: USER_SELECT });
    if (!current) throw new ApiError("not_found", "No such user.");
    const before = userView(current);

    const losesAdmin =
      before.role === "admin" && !before.disabled && ((input.role && input.role !== "admin") || input.disabled === true);
    if (losesAdmin) {
      const otherAdmins = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: userId } } });
      if (otherAdmins === 0) {
        throw new ApiError("conflict", "This is the last active admin: make someone else admin first.", {
          details: [{ path: input.role ? "role" : "disabled", message: "would leave no active admin" }],
        });
      }
    }
    if (actor.kind === "user" && actor.userId === userId && input.disabled === true) {
      throw new ApiError("invalid_request", "You cannot disable your own account.", {
        details: [{ path: "disabled", message: "not for your own account" }],
      });
    }

    const data: Prisma.UserUpdateInput = {};
    if (input.name !== undefined) data.name = input.name;
    if (input.role !== undefined) data.role = input.role;
    if (input.disabled !== undefined) data.disabledAt = input.disabled ? (current.disabledAt ?? new Date()) : null;
    if (passwordHash) data.passwordHash = passwordHash;
    // A new password, another role or a disabled account ends the user's existing sessions.
    const endsSessions =
      passwordHash !== undefined || (input.role !== undefined && input.role !== current.role) || (input.disabled === true && !before.disabled);
    if (endsSessions) data.sessionVersion = { increment: 1 };
    const row = await tx.user.update({ where: { id: userId }, data, select: USER_SELECT });
    const after = userView(row);
    await writeAudit(tx, actor, {
      action: "user.update",
      targetType: "user",
      targetId: userId,
      before: auditable(before),
      after: { ...auditable(after), ...(passwordHash ? { password: "changed" } : {}), ...(endsSessions ? { sessions: "ended" } : {}) },
      ip,
    });
    return after;
  });
}

/**
 * "Sign out everywhere": ends every session of the user (this browser's too) by bumping
 * their session version; signing in again starts a new one.
 */
export async function endAllSessions(ctx: Ctx<AuditActor>, { userId }: { userId: string }): Promise<void> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  await prisma.$transaction(async (tx) => {
    const updated = await tx.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
    if (updated.count === 0) throw new ApiError("not_found", "No such user.");
    await writeAudit(tx, actor, { action: "auth.sign_out_everywhere", targetType: "user", targetId: userId, ip });
  });
}
