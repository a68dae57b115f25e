import { describe, expect, it } from "vitest";
import { crc32, hashApiKey, isWellFormedApiKey, KEY_PREFIX, mintApiKey } from "@/lib/auth/api-key-format";

describe("API key format", () => {
  it("mints recognisable keys with a checksum", () => {
    const key = mintApiKey();
    expect(key.secret.startsWith(KEY_PREFIX)).toBe(true);
    expect(key.secret).toMatch(/^br_[0-9A-Za-z]{38}$/);
    expect(key.prefix).toBe(key.secret.slice(0, 11));
    expect(key.last4).toBe(key.secret.slice(-4));
    expect(isWellFormedApiKey(key.secret)).toBe(true);
  });

  it("carries well over 128 bits of randomness", () => {
    // 32 base62 characters: 32 * log2(62) ≈ 190 bits.
    expect(32 * Math.log2(62)).toBeGreaterThan(128);
    const seen = new Set(Array.from({ length: 2000 }, () => mintApiKey().secret));
    expect(seen.size).toBe(2000);
  });

  it("rejects a typo through the checksum", () => {
    const { secret } = mintApiKey();
    const i = 10;
    const typo = secret.slice(0, i) + (secret[i] === "a" ? "b" : "a") + secret.slice(i + 1);
    expect(isWellFormedApiKey(typo)).toBe(false);
    expect(isWellFormedApiKey(secret.slice(0, -1))).toBe(false);
    expect(isWellFormedApiKey(`xx_${secret.slice(3)}`)).toBe(false);
  });

  it("computes the standard CRC-32", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it("hashes with the key-hashing secret (same key, other secret: other hash)", () => {
    const { secret } = mintApiKey();
    expect(hashApiKey(secret, "a".repeat(32))).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(secret, "a".repeat(32))).not.toBe(hashApiKey(secret, "b".repeat(32)));
  });
});
