import "server-only";
import { prisma } from "@/lib/db";
import type { KeyPrincipal } from "@/lib/auth/permissions";
import { hashApiKey, isWellFormedApiKey } from "@/lib/auth/api-key-format";
import { getSecret } from "@/lib/secrets";

// Verified keys are remembered briefly so a 1000-event batch does not pay a lookup each
// time; the short TTL is what bounds how long a revoked key keeps working (seconds).
// A verdict in its last second is served while one lookup refreshes it, so busy keys never
// stall on expiry, and concurrent misses share one lookup (a gateway's 200 parallel checks
// do not become 200 queries).
const CACHE_TTL_MS = 5_000;
const REFRESH_AHEAD_MS = 1_000;
const LAST_USED_RESOLUTION_MS = 60_000;

interface Verdict {
  principal: KeyPrincipal | null;
  expires: number;
}
// On globalThis: the route bundles and the custom server's quota check load their own copies
// of this module, and a revocation must clear the one cache they share.
const globalForKeys = globalThis as unknown as {
  burnrateKeyCache?: {
    verdicts: Map<string, Verdict>;
    lookups: Map<string, Promise<KeyPrincipal | null>>;
    lastUsedWritten: Map<string, number>;
    /** Presented token → its HMAC, so a hot key is not re-hashed per request; bounded, cleared when full. */
    hashes: Map<string, string>;
    /** Database lookups started (for tests and metrics). */
    lookupCount: number;
    /** Bumped by clearApiKeyCache: a lookup started before a revocation does not cache its verdict. */
    generation: number;
  };
};
const shared = (globalForKeys.burnrateKeyCache ??= {
  verdicts: new Map(),
  lookups: new Map(),
  lastUsedWritten: new Map(),
  hashes: new Map(),
  lookupCount: 0,
  generation: 0,
});
const cache = shared.verdicts;
const lookups = shared.lookups;
const lastUsedWritten = shared.lastUsedWritten;

export function bearerToken(header: string | null): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

/** The key's principal, or null for an unknown, malformed, revoked or expired key. */
export async function authenticateApiKey(secret: string, now = new Date()): Promise<KeyPrincipal | null> {
  const known = cachedApiKey(secret, now);
  if (known !== undefined) return known;
  return lookupOnce(hashOf(secret) as string, now);
}

/**
 * The key's principal or null when that is known without the database (cached verdict,
 * malformed key), else undefined: the synchronous half of authenticateApiKey.
 */
export function cachedApiKey(secret: string, now = new Date()): KeyPrincipal | null | undefined {
  const hash = hashOf(secret);
  if (hash === null) return null;
  const cached = cache.get(hash);
  if (!cached || cached.expires <= now.getTime()) return undefined;
  if (cached.expires - now.getTime() <= REFRESH_AHEAD_MS) lookupOnce(hash, now).catch(() => {});
  return cached.principal;
}

const MAX_REMEMBERED = 10_000;

/** The token's stored-hash form, or null when it is not a well-formed key. */
function hashOf(secret: string): string | null {
  const known = shared.hashes.get(secret);
  if (known !== undefined) return known;
  if (!isWellFormedApiKey(secret)) return null;
  const hash = hashApiKey(secret, getSecret("apiKeyHash"));
  // Random well-formed tokens must not grow these maps without bound: the oldest entries go
  // first (a Map keeps insertion order), so a flood of unknown tokens never evicts all the
  // busy keys at once.
  evictOldest(shared.hashes);
  if (cache.size >= MAX_REMEMBERED) pruneExpired(Date.now());
  shared.hashes.set(secret, hash);
  return hash;
}

function evictOldest<K, V>(map: Map<K, V>): void {
  while (map.size >= MAX_REMEMBERED) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}

function pruneExpired(now: number): void {
  for (const [hash, verdict] of cache) if (verdict.expires <= now) cache.delete(hash);
  evictOldest(cache);
}

/** One database lookup per key hash at a time; its verdict is cached. */
function lookupOnce(hash: string, now: Date): Promise<KeyPrincipal | null> {
  const running = lookups.get(hash);
  if (running) return running;
  shared.lookupCount++;
  const lookup = lookupKey(hash, now).finally(() => {
    if (lookups.get(hash) === lookup) lookups.delete(hash);
  });
  lookups.set(hash, lookup);
  return lookup;
}

async function lookupKey(hash: string, now: Date): Promise<KeyPrincipal | null> {
  const generation = shared.generation;
  const row = await prisma.apiKey.findUnique({
    where: { secretHash: hash },
    select: { id: true, prefix: true, scopes: true, teamId: true, revokedAt: true, expiresAt: true },
  });
  const usable = row && !row.revokedAt && (!row.expiresAt || row.expiresAt > now);
  const team = usable && row.teamId ? await prisma.team.findUnique({ where: { id: row.teamId }, select: { id: true, slug: true } }) : null;
  // A key bound to a team that no longer exists is bound to nothing: refuse it.
  const principal: KeyPrincipal | null =
    usable && (!row.teamId || team) ? { kind: "key", keyId: row.id, prefix: row.prefix, scopes: row.scopes, team } : null;
  // Never cached past the key's own expiry.
  const expires = Math.min(now.getTime() + CACHE_TTL_MS, row?.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
  if (generation === shared.generation) cache.set(hash, { principal, expires });
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

/** How many database lookups the key cache has made in this process. */
export function apiKeyLookupCount(): number {
  return shared.lookupCount;
}

/** Forget cached verdicts (a key was just revoked in this process). */
export function clearApiKeyCache(): void {
  shared.generation++;
  cache.clear();
  lookups.clear();
}
