import "server-only";
import { randomUUID } from "node:crypto";
import { decode, encode } from "next-auth/jwt";
import { prisma } from "@/lib/db";
import { getSecret } from "@/lib/secrets";

/**
 * The session cookie next-auth issues (a JWT encrypted with the session secret) and how
 * to read it back from a raw Cookie header, so route handlers, server components and
 * tests all authenticate a session the same way, without Next's request context.
 */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export function secureCookies(env: Record<string, string | undefined> = process.env): boolean {
  return (env.NEXTAUTH_URL ?? "").startsWith("https://");
}

export function sessionCookieName(secure = secureCookies()): string {
  return `${secure ? "__Secure-" : ""}burnrate.session`;
}

export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const separator = part.indexOf("=");
    if (separator <= 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(value));
    } catch {
      cookies.set(name, value);
    }
  }
  return cookies;
}

/**
 * What a session cookie says, once decrypted: whose session it is, which session (`sid`,
 * chosen at sign-in and kept when next-auth re-issues the cookie; next-auth's own `jti`
 * changes on every re-issue), and the user's session version when it was issued. Whether
 * the session still counts is decided where the principal is built (user-principal.ts).
 */
export interface SessionClaims {
  userId: string;
  sessionId: string;
  version: number;
}

/** The claims a session token must carry, or null. Tokens issued before sessions had ids are refused. */
export function sessionClaims(payload: unknown): SessionClaims | null {
  if (!payload || typeof payload !== "object") return null;
  const { sub, sid, sv } = payload as Record<string, unknown>;
  if (typeof sub !== "string" || typeof sid !== "string" || sid === "" || sid.length > 100) return null;
  if (typeof sv !== "number" || !Number.isSafeInteger(sv) || sv < 0) return null;
  return { userId: sub, sessionId: sid, version: sv };
}

/** The session in a Cookie header, or null (no cookie, tampered, expired, or without a session id). */
export async function readSessionCookie(cookieHeader: string | null): Promise<SessionClaims | null> {
  const token = parseCookies(cookieHeader).get(sessionCookieName());
  if (!token) return null;
  try {
    return sessionClaims(await decode({ token, secret: getSecret("session") }));
  } catch {
    return null;
  }
}

/** The signed-in user's id from a Cookie header, or null (no cookie, tampered, or expired); not a revocation check. */
export async function sessionUserId(cookieHeader: string | null): Promise<string | null> {
  return (await readSessionCookie(cookieHeader))?.userId ?? null;
}

/**
 * A session cookie value for a user, exactly as next-auth would issue it at sign-in (used
 * by tests and tools): a fresh session id and, unless given, the user's current session version.
 */
export async function encodeSessionToken(
  userId: string,
  maxAge = SESSION_MAX_AGE_SECONDS,
  options: { sessionVersion?: number; sessionId?: string } = {},
): Promise<string> {
  const sv = options.sessionVersion ?? (await currentSessionVersion(userId));
  const sid = options.sessionId ?? randomUUID();
  return encode({ token: { sub: userId, sid, sv }, secret: getSecret("session"), maxAge });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user's session version now (0 for a user who does not exist). */
export async function currentSessionVersion(userId: string): Promise<number> {
  if (!UUID.test(userId)) return 0;
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user?.sessionVersion ?? 0;
}
