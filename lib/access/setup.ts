import "server-only";
import { prisma } from "@/lib/db";
import { hashPassword } from "@/lib/auth/password";
import { writeAudit } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { SetupInput } from "@/lib/schemas/access";
import { ipOf, type Ctx } from "@/lib/context";

/**
 * First run: while the user table is empty, anyone who can reach the app may create the
 * first admin — once. The advisory lock makes two simultaneous attempts produce one admin.
 */
const SETUP_LOCK = 7_406_001;

export async function needsSetup(): Promise<boolean> {
  return (await prisma.user.count()) === 0;
}

/** Nobody is signed in yet: the context is only where the request came from. */
export async function createFirstAdmin(ctx: Omit<Ctx, "principal">, input: SetupInput): Promise<{ id: string; email: string }> {
  const ip = ipOf(ctx);
  const passwordHash = await hashPassword(input.password);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SETUP_LOCK})`;
    if ((await tx.user.count()) > 0) {
      throw new ApiError("conflict", "Burnrate is already set up: sign in, or ask an admin for an account.");
    }
    const user = await tx.user.create({
      data: { email: input.email, name: input.name ?? null, role: "admin", passwordHash },
      select: { id: true, email: true },
    });
    await writeAudit(tx, { kind: "system", label: "setup" }, {
      action: "setup.first_admin",
      targetType: "user",
      targetId: user.id,
      after: { email: user.email, role: "admin" },
      ip,
    });
    return user;
  });
}
