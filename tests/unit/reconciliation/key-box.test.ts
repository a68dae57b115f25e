import { describe, expect, it } from "vitest";
import { keyHint, openAdminKey, SealedKeyError, sealAdminKey, sealedWithOlderSecret } from "@/lib/reconciliation/key-box";

/** The providers' admin keys at rest. Every call gets its env, so no secrets file is read or written. */

const OLD_SECRET = "old-secret-0123456789-abcdefghijklmnop";
const NEW_SECRET = "new-secret-9876543210-zyxwvutsrqponmlk";
const OTHER_SECRET = "other-secret-000000000000000000000000";
const ADMIN_KEY = "sk-admin-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

const env = (current: string, previous?: string) => ({ BURNRATE_CONNECTION_SECRET: current, BURNRATE_CONNECTION_SECRET_PREVIOUS: previous });

/** The sealed text with one part (1 key id, 2 iv, 3 tag, 4 ciphertext) changed in its first character. */
function tamper(sealed: string, part: 1 | 2 | 3 | 4): string {
  const parts = sealed.split(".");
  const value = parts[part] ?? "";
  parts[part] = `${value[0] === "A" ? "B" : "A"}${value.slice(1)}`;
  return parts.join(".");
}

describe("sealAdminKey / openAdminKey", () => {
  it("opens what it sealed", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(NEW_SECRET));
    expect(openAdminKey(sealed, env(NEW_SECRET))).toBe(ADMIN_KEY);
    // Non-ASCII survives too.
    expect(openAdminKey(sealAdminKey("clé-ünïcødé-✓", env(NEW_SECRET)), env(NEW_SECRET))).toBe("clé-ünïcødé-✓");
  });

  it("writes v1.<key id>.<iv>.<tag>.<ciphertext> in base64url", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(NEW_SECRET));
    const parts = sealed.split(".");
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe("v1");
    expect(parts[1]).toMatch(/^[0-9a-f]{12}$/);
    for (const part of parts.slice(2)) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    // 12-byte IV, 16-byte tag, and as many ciphertext bytes as the key (GCM is a stream mode).
    expect(Buffer.from(parts[2] ?? "", "base64url")).toHaveLength(12);
    expect(Buffer.from(parts[3] ?? "", "base64url")).toHaveLength(16);
    expect(Buffer.from(parts[4] ?? "", "base64url")).toHaveLength(Buffer.byteLength(ADMIN_KEY));
  });

  it("never contains the key", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(NEW_SECRET));
    expect(sealed).not.toContain(ADMIN_KEY);
    expect(sealed).not.toContain(ADMIN_KEY.slice(-12));
    expect(sealed).not.toContain(Buffer.from(ADMIN_KEY).toString("base64url"));
  });

  it("seals the same key differently each time (random IV), both opening", () => {
    const first = sealAdminKey(ADMIN_KEY, env(NEW_SECRET));
    const second = sealAdminKey(ADMIN_KEY, env(NEW_SECRET));
    expect(first).not.toBe(second);
    expect(first.split(".")[2]).not.toBe(second.split(".")[2]);
    // Same secret, same key id.
    expect(first.split(".")[1]).toBe(second.split(".")[1]);
    expect(openAdminKey(first, env(NEW_SECRET))).toBe(ADMIN_KEY);
    expect(openAdminKey(second, env(NEW_SECRET))).toBe(ADMIN_KEY);
  });

  it("does not open with another secret", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(OLD_SECRET));
    expect(() => openAdminKey(sealed, env(OTHER_SECRET))).toThrow(SealedKeyError);
    expect(() => openAdminKey(sealed, env(OTHER_SECRET))).toThrow(/sealed with another secret/);
    // An unrelated previous secret does not help either.
    expect(() => openAdminKey(sealed, env(NEW_SECRET, OTHER_SECRET))).toThrow(SealedKeyError);
  });

  it("never puts the key or a secret in its errors", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(OLD_SECRET));
    for (const attempt of [() => openAdminKey(sealed, env(OTHER_SECRET)), () => openAdminKey(tamper(sealed, 4), env(OLD_SECRET))]) {
      let message = "";
      try {
        attempt();
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe("");
      expect(message).not.toContain(ADMIN_KEY);
      expect(message).not.toContain(OLD_SECRET);
      expect(message).not.toContain(OTHER_SECRET);
    }
  });

  it("refuses a tampered ciphertext, tag or IV", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(NEW_SECRET));
    for (const part of [2, 3, 4] as const) {
      const damaged = tamper(sealed, part);
      expect(damaged).not.toBe(sealed);
      expect(() => openAdminKey(damaged, env(NEW_SECRET))).toThrow(SealedKeyError);
    }
    // A changed key id names no secret it knows.
    expect(() => openAdminKey(tamper(sealed, 1), env(NEW_SECRET))).toThrow(SealedKeyError);
    // Truncated ciphertext.
    expect(() => openAdminKey(sealed.slice(0, -4), env(NEW_SECRET))).toThrow(SealedKeyError);
  });

  it("refuses text that is not a sealed key", () => {
    for (const text of ["", ADMIN_KEY, "v2.abc.def.ghi.jkl", "v1.abc.def", "v1..iv.tag.data"]) {
      expect(() => openAdminKey(text, env(NEW_SECRET)), text).toThrow(SealedKeyError);
    }
  });

  it("refuses a connection secret shorter than 32 characters", () => {
    expect(() => sealAdminKey(ADMIN_KEY, env("too-short"))).toThrow(/at least 32 characters/);
  });
});

describe("rotation", () => {
  it("opens a key sealed under the old secret when it is given as the previous one", () => {
    const sealed = sealAdminKey(ADMIN_KEY, env(OLD_SECRET));
    expect(() => openAdminKey(sealed, env(NEW_SECRET))).toThrow(SealedKeyError);
    expect(openAdminKey(sealed, env(NEW_SECRET, OLD_SECRET))).toBe(ADMIN_KEY);
  });

  it("tells a key left to reseal from a fresh one", () => {
    const rotated = env(NEW_SECRET, OLD_SECRET);
    const old = sealAdminKey(ADMIN_KEY, env(OLD_SECRET));
    const fresh = sealAdminKey(ADMIN_KEY, rotated);
    expect(sealedWithOlderSecret(old, rotated)).toBe(true);
    expect(sealedWithOlderSecret(fresh, rotated)).toBe(false);
    // A fresh seal is under the current secret: it opens without the previous one.
    expect(openAdminKey(fresh, env(NEW_SECRET))).toBe(ADMIN_KEY);
    // Before the rotation, the old seal was current.
    expect(sealedWithOlderSecret(old, env(OLD_SECRET))).toBe(false);
  });

  it("reseals: opened under the previous secret, sealed under the current, then the previous can go", () => {
    const rotated = env(NEW_SECRET, OLD_SECRET);
    const old = sealAdminKey(ADMIN_KEY, env(OLD_SECRET));
    const resealed = sealAdminKey(openAdminKey(old, rotated), rotated);
    expect(sealedWithOlderSecret(resealed, rotated)).toBe(false);
    expect(openAdminKey(resealed, env(NEW_SECRET))).toBe(ADMIN_KEY);
  });
});

describe("keyHint", () => {
  it("shows only the last 4 characters", () => {
    expect(keyHint(ADMIN_KEY)).toBe("…6789");
    expect(keyHint("sk-ant-admin01-abcdWXYZ")).toBe("…WXYZ");
    expect(keyHint(ADMIN_KEY)).not.toContain(ADMIN_KEY.slice(-5));
  });
});
