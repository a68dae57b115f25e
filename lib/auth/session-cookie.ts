import { decode, encode } from "next-auth/jwt";
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

/** The signed-in user's id from a Cookie header, or null (no cookie, tampered, or expired). */
export async function sessionUserId(cookieHeader: string | null): Promise<string | null> {
  const token = parseCookies(cookieHeader).get(sessionCookieName());
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: getSecret("session") });
    return typeof payload?.sub === "string" ? payload.sub : null;
  } catch {
    return null;
  }
}

/** A session cookie value for a user, exactly as next-auth would issue it (used by tests and tools). */
export function encodeSessionToken(userId: string, maxAge = SESSION_MAX_AGE_SECONDS): Promise<string> {
  return encode({ token: { sub: userId }, secret: getSecret("session"), maxAge });
}
