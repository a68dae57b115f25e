import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { apiKeyLookupCount, authenticateApiKey, clearApiKeyCache } from "@/lib/auth/authenticate-key";
import { createTestKeyFor } from "../factories/users";

/** The verified-key cache (lib/auth/authenticate-key.ts): one lookup per key at a time, refreshed ahead, cleared on revocation. */

const flush = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("the API key cache", () => {
  it("200 concurrent requests with a key not yet cached make one database lookup", async () => {
    const key = await createTestKeyFor({ scopes: ["ingest"] });
    clearApiKeyCache();
    const before = apiKeyLookupCount();
    const principals = await Promise.all(Array.from({ length: 200 }, () => authenticateApiKey(key.secret)));
    expect(apiKeyLookupCount() - before).toBe(1);
    expect(new Set(principals.map((p) => p?.keyId))).toEqual(new Set([key.id]));
  });

  it("a verdict is served for 5 s; in its last second one lookup refreshes it in the background", async () => {
    const key = await createTestKeyFor({ scopes: ["read"] });
    const t0 = Date.now();
    await authenticateApiKey(key.secret, new Date(t0));
    const afterFirst = apiKeyLookupCount();
    expect((await authenticateApiKey(key.secret, new Date(t0 + 3_999)))?.keyId).toBe(key.id);
    expect(apiKeyLookupCount()).toBe(afterFirst);
    // In the last second: answered from the cache at once, and one refresh starts.
    const answers = await Promise.all([authenticateApiKey(key.secret, new Date(t0 + 4_500)), authenticateApiKey(key.secret, new Date(t0 + 4_600))]);
    expect(answers.map((p) => p?.keyId)).toEqual([key.id, key.id]);
    expect(apiKeyLookupCount()).toBe(afterFirst + 1);
    await flush();
    // The refresh cached a verdict good until t0 + 4,500 + 5,000.
    await authenticateApiKey(key.secret, new Date(t0 + 8_000));
    expect(apiKeyLookupCount()).toBe(afterFirst + 1);
  });

  it("a revoked key: refused at once after clearApiKeyCache, even when a lookup was running as it was revoked", async () => {
    const key = await createTestKeyFor({ scopes: ["ingest"] });
    clearApiKeyCache();
    const running = authenticateApiKey(key.secret);
    await prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    clearApiKeyCache();
    // The running lookup may have read the row before the revocation; its verdict is not cached.
    await running;
    expect(await authenticateApiKey(key.secret)).toBeNull();
  });

  it("a verdict is never cached past the key's own expiry", async () => {
    const t0 = Date.now();
    const key = await createTestKeyFor({ scopes: ["ingest"], expiresAt: new Date(t0 + 60_000) });
    expect((await authenticateApiKey(key.secret, new Date(t0 + 58_000)))?.keyId).toBe(key.id);
    // Cached until t0 + 60,000 at most, not t0 + 63,000: one lookup later, refused.
    expect(await authenticateApiKey(key.secret, new Date(t0 + 60_500))).toBeNull();
  });

  it("unknown and malformed keys are refused; malformed ones without a lookup", async () => {
    const before = apiKeyLookupCount();
    expect(await authenticateApiKey("br_not-a-key")).toBeNull();
    expect(apiKeyLookupCount()).toBe(before);
  });
});
