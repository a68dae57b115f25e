import { prisma } from "@/lib/db";
import type { KeyPrincipal } from "@/lib/auth/permissions";
import { hashApiKey, isWellFormedApiKey } from "@/lib/auth/api-key-format";
import { getSecret } from "@/lib/secrets";

// Verified keys are remembered briefly so a 1000-event batch does not pay a lookup each
// time; the short TTL is what bounds how long a revoked key keeps working (seconds).
const CACHE_TTL_MS = 5_000;
const LAST_USED_RESOLUTION_MS = 60_000;
const cache = new Map<string, { principal: KeyPrincipal | null; expires: number }>();
const lastUsedWritten = new Map<string, number>();

export function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The key's principal, or null for an unknown, malformed, revoked or expired key. */
export async function authenticateApiKey(secret: string, now = new Date()): Promise<KeyPrincipal | null> {
  if (!isWellFormedApiKey(secret)) return null;
  const hash = hashApiKey(secret, getSecret("apiKeyHash"));
  const cached = cache.get(hash);
  if (cached && cached.expires > now.getTime()) return cached.principal;

  const row = await prisma.apiKey.findUnique({
    where: { secretHash: hash },
    select: { id: true, prefix: true, scopes: true, teamId: true, revokedAt: true, expiresAt: true },
  });
  const usable = row && !row.revokedAt && (!row.expiresAt || row.expiresAt > now);
  const team = usable && row.teamId ? await prisma.team.findUnique({ where: { id: row.teamId }, select: { id: true, slug: true } }) : null;
  // A key bound to a team that no longer exists is bound to nothing: refuse it.
  const principal: KeyPrincipal | null =
    usable && (!row.teamId || team) ? { kind: "key", keyId: row.id, prefix: row.prefix, scopes: row.scopes, team } : null;
  cache.set(hash, { principal, expires: now.getTime() + CACHE_TTL_MS });
  if (principal) recordLastUsed(principal.keyId, now);
  return principal;
}

/** last_used_at with minute resolution, written in the background: never on the request path. */
function recordLastUsed(keyId: string, now: Date): void {
  const previous = lastUsedWritten.get(keyId) ?? 0;
  if (now.getTime() - previous < LAST_USED_RESOLUTION_MS) return;
  lastUsedWritten.set(keyId, now.getTime());
  prisma.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: now } }).catch(() => {
    lastUsedWritten.delete(keyId);
  });
}

/** Forget cached verdicts (a key was just revoked in this process). */
export function clearApiKeyCache(): void {
  cache.clear();
}
