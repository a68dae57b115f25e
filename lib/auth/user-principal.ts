import { prisma } from "@/lib/db";
import type { UserPrincipal } from "@/lib/auth/permissions";
import { sessionUserId } from "@/lib/auth/session-cookie";

/**
 * The user behind a session, read fresh on every request: a role change, a removed
 * membership or a disabled account takes effect on the next click, not at token expiry.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loadUserPrincipal(userId: string): Promise<UserPrincipal | null> {
  if (!UUID.test(userId)) return null;
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      disabledAt: true,
      memberships: { select: { role: true, team: { select: { id: true, slug: true } } } },
    },
  });
  if (!user || user.disabledAt) return null;
  return {
    kind: "user",
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    teams: user.memberships
      .map((m) => ({ teamId: m.team.id, slug: m.team.slug, role: m.role }))
      .sort((a, b) => a.slug.localeCompare(b.slug)),
  };
}

export async function principalFromCookies(cookieHeader: string | null): Promise<UserPrincipal | null> {
  const userId = await sessionUserId(cookieHeader);
  return userId ? loadUserPrincipal(userId) : null;
}
