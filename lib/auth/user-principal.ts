import "server-only";
import { prisma } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { UserPrincipal } from "@/lib/auth/permissions";
import { SESSION_MAX_AGE_SECONDS, readSessionCookie, type SessionClaims } from "@/lib/auth/session-cookie";

/**
 * The user behind a session, read fresh on every request: a role change, a removed
 * membership or a disabled account takes effect on the next click, not at token expiry.
 *
 * A session counts only while
 * - its user exists and is not disabled,
 * - the session version in the cookie is the user's current one (a password change, a
 *   role change, disabling and "sign out everywhere" bump it: every older cookie is dead),
 * - its session id is not in revoked_sessions (signing out puts it there until every
 *   cookie of that session would have expired anyway).
 * Anything else is no session at all: 401 on the API, the sign-in page for pages.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const PRINCIPAL_SELECT = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabledAt: true,
  sessionVersion: true,
  memberships: { select: { role: true, team: { select: { id: true, slug: true } } } },
} as const satisfies Prisma.UserSelect;

type PrincipalRow = Prisma.UserGetPayload<{ select: typeof PRINCIPAL_SELECT }>;

function readUser(userId: string): Promise<PrincipalRow | null> {
  if (!UUID.test(userId)) return Promise.resolve(null);
  return prisma.user.findUnique({ where: { id: userId }, select: PRINCIPAL_SELECT });
}

function toPrincipal(user: PrincipalRow): UserPrincipal {
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

/** The principal of an active account by email, for work done on someone's behalf outside a request (the demo's history). */
export async function principalForEmail(email: string): Promise<UserPrincipal | null> {
  const user = await prisma.user.findUnique({ where: { email }, select: PRINCIPAL_SELECT });
  return user && !user.disabledAt ? toPrincipal(user) : null;
}

// ------------------------------------------------------------------ revoked sessions

/**
 * How long a revoked session id is kept: past the latest expiry any cookie of that session
 * can have. next-auth re-issues the cookie (for maxAge from then) whenever /api/auth/session
 * is read, but never for a revoked session (auth-options.ts refuses), so no cookie of it
 * outlives the revocation by more than maxAge. The minute covers clock skew.
 */
export const REVOKED_SESSION_TTL_MS = (SESSION_MAX_AGE_SECONDS + 60) * 1000;

/**
 * "Not revoked" verdicts are remembered per process for this long; a revocation in this
 * process forgets its verdict at once, one in another process applies within this time.
 */
export const REVOCATION_CACHE_MS = 5_000;
const REVOCATION_CACHE_MAX = 10_000;

// On globalThis: every route bundle loads its own copy of this module, and the sign-out
// (next-auth's route) must reach the verdicts the API routes and pages read.
interface SessionVerdicts {
  /** Session id → when it was last found not revoked. */
  live: Map<string, number>;
  /** Session ids revoked by this process → until when (so no in-flight check can re-cache them). */
  revoked: Map<string, number>;
}
const globalForSessions = globalThis as unknown as { burnrateSessionVerdicts?: SessionVerdicts };
function verdicts(): SessionVerdicts {
  globalForSessions.burnrateSessionVerdicts ??= { live: new Map(), revoked: new Map() };
  return globalForSessions.burnrateSessionVerdicts;
}

export async function isSessionRevoked(sessionId: string, now = Date.now()): Promise<boolean> {
  const { live, revoked } = verdicts();
  if ((revoked.get(sessionId) ?? 0) > now) return true;
  const checkedAt = live.get(sessionId);
  if (checkedAt !== undefined && now - checkedAt < REVOCATION_CACHE_MS) return false;
  const row = await prisma.revokedSession.findUnique({ where: { jti: sessionId }, select: { jti: true } });
  if (row) {
    live.delete(sessionId);
    return true;
  }
  if (revoked.has(sessionId)) return true; // revoked here while this check was running
  if (live.size >= REVOCATION_CACHE_MAX) live.clear();
  live.set(sessionId, now);
  return false;
}

type RevocationDb = Pick<typeof prisma, "revokedSession"> | Prisma.TransactionClient;

/** Ends one session (sign-out): its id is refused until every cookie of it has expired. Prunes expired ids. */
export async function revokeSession(sessionId: string, db: RevocationDb = prisma, now = new Date()): Promise<void> {
  const { live, revoked } = verdicts();
  const expiresAt = new Date(now.getTime() + REVOKED_SESSION_TTL_MS);
  for (const [id, until] of revoked) if (until <= now.getTime()) revoked.delete(id);
  if (revoked.size >= REVOCATION_CACHE_MAX) revoked.clear(); // the table still has them
  revoked.set(sessionId, expiresAt.getTime());
  live.delete(sessionId);
  await db.revokedSession.upsert({ where: { jti: sessionId }, create: { jti: sessionId, expiresAt }, update: { expiresAt } });
  await db.revokedSession.deleteMany({ where: { expiresAt: { lt: now } } });
}

// ------------------------------------------------------------------ principals

/** The principal of a decrypted session, or null when the session no longer counts. */
export async function principalForSession(session: SessionClaims): Promise<UserPrincipal | null> {
  const [user, revoked] = await Promise.all([readUser(session.userId), isSessionRevoked(session.sessionId)]);
  if (!user || user.disabledAt || revoked || user.sessionVersion !== session.version) return null;
  return toPrincipal(user);
}

/** True while a session counts (next-auth asks before re-issuing its cookie). */
export async function isSessionLive(session: SessionClaims): Promise<boolean> {
  return (await principalForSession(session)) !== null;
}

export async function principalFromCookies(cookieHeader: string | null): Promise<UserPrincipal | null> {
  const session = await readSessionCookie(cookieHeader);
  return session ? principalForSession(session) : null;
}
