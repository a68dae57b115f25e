import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FAILURE_WINDOW_MS, FailureCounter, MAX_FAILURES, signInWithPassword } from "@/lib/auth/sign-in";
import { prisma } from "@/lib/db";
import { createTestUser, uniqueEmail } from "../factories/users";

/**
 * Password sign-in (lib/auth/sign-in.ts). Each test passes its own FailureCounter so the
 * lockout state is the test's alone.
 */

const password = "a long enough password";

async function userWithPassword(options: { disabled?: boolean } = {}) {
  return createTestUser({ role: "viewer", password, name: "Signing In", ...options });
}

describe("signInWithPassword", () => {
  it("signs in with the right password, records lastSignInAt and an auth.sign_in entry", async () => {
    const user = await userWithPassword();
    const before = new Date();
    const result = await signInWithPassword({ email: user.email, password }, "203.0.113.7", new FailureCounter());
    expect(result).toEqual({ ok: true, user: { id: user.id, email: user.email, name: "Signing In" } });

    const row = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.lastSignInAt?.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    const entries = await prisma.auditLog.findMany({ where: { action: "auth.sign_in", targetId: user.id } });
    expect(entries).toEqual([
      expect.objectContaining({ actorUserId: user.id, actorLabel: user.email, ip: "203.0.113.7", after: { method: "password" } }),
    ]);
  });

  it("treats the email case-insensitively and ignores surrounding spaces", async () => {
    const user = await userWithPassword();
    const result = await signInWithPassword({ email: `  ${user.email.toUpperCase()} `, password }, null, new FailureCounter());
    expect(result).toMatchObject({ ok: true, user: { id: user.id } });
  });

  it("answers a wrong password and an unknown email identically: invalid", async () => {
    const user = await userWithPassword();
    const wrong = await signInWithPassword({ email: user.email, password: "not the password" }, null, new FailureCounter());
    const unknown = await signInWithPassword({ email: uniqueEmail("nobody"), password }, null, new FailureCounter());
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual(wrong);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt).toBeNull();
  });

  it("records failures in the audit log without the password tried", async () => {
    const email = uniqueEmail("failing");
    const tried = `tried-${randomUUID()}`;
    await signInWithPassword({ email, password: tried }, "198.51.100.1", new FailureCounter());
    const entry = await prisma.auditLog.findFirstOrThrow({ where: { action: "auth.sign_in_failed", actorLabel: email } });
    expect(entry).toMatchObject({ actorUserId: null, ip: "198.51.100.1", after: { email, reason: "invalid" } });
    expect(JSON.stringify(entry.after)).not.toContain(tried);
  });

  it("refuses a disabled user even with the right password (invalid)", async () => {
    const user = await userWithPassword({ disabled: true });
    expect(await signInWithPassword({ email: user.email, password }, null, new FailureCounter())).toEqual({ ok: false, reason: "invalid" });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt).toBeNull();
  });

  it("refuses a user without a password (single sign-on only), and malformed credentials, as invalid", async () => {
    const ssoOnly = await createTestUser({ role: "viewer" });
    const counter = new FailureCounter();
    expect(await signInWithPassword({ email: ssoOnly.email, password: "" }, null, counter)).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email: ssoOnly.email, password }, null, counter)).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({ email: 42, password: { not: "a string" } }, null, counter)).toEqual({ ok: false, reason: "invalid" });
    expect(await signInWithPassword({}, null, counter)).toEqual({ ok: false, reason: "invalid" });
  });

  it(`locks an email after ${MAX_FAILURES} failures: then even the right password is refused`, async () => {
    const user = await userWithPassword();
    const counter = new FailureCounter();
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect(await signInWithPassword({ email: user.email, password: `wrong ${i}` }, null, counter)).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await signInWithPassword({ email: user.email, password }, null, counter)).toEqual({ ok: false, reason: "locked" });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt).toBeNull();
    expect(
      await prisma.auditLog.count({ where: { action: "auth.sign_in_failed", actorLabel: user.email, after: { path: ["reason"], equals: "locked" } } }),
    ).toBe(1);

    // Another account is not affected.
    const other = await userWithPassword();
    expect(await signInWithPassword({ email: other.email, password }, null, counter)).toMatchObject({ ok: true });
  });

  it("does not lock before the limit, and a success clears the email's failures", async () => {
    const user = await userWithPassword();
    const counter = new FailureCounter();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < MAX_FAILURES - 1; i++) {
        await signInWithPassword({ email: user.email, password: "wrong" }, null, counter);
      }
      expect(await signInWithPassword({ email: user.email, password }, null, counter)).toMatchObject({ ok: true });
    }
  });

  it("counts failures against the client address too, across emails", async () => {
    const user = await userWithPassword();
    const counter = new FailureCounter();
    const ip = "192.0.2.55";
    for (let i = 0; i < MAX_FAILURES; i++) {
      await signInWithPassword({ email: uniqueEmail("spray"), password: "guess" }, ip, counter);
    }
    expect(await signInWithPassword({ email: user.email, password }, ip, counter)).toEqual({ ok: false, reason: "locked" });
    expect(await signInWithPassword({ email: user.email, password }, "192.0.2.56", counter)).toMatchObject({ ok: true });
  });
});

describe("FailureCounter", () => {
  it("locks at the limit within the window and forgets failures once the window has passed", () => {
    const counter = new FailureCounter(3, 1_000);
    const keys = ["email:a@example.test"];
    counter.fail(keys, 0);
    counter.fail(keys, 100);
    expect(counter.isLocked(keys, 200)).toBe(false);
    counter.fail(keys, 200);
    expect(counter.isLocked(keys, 200)).toBe(true);
    expect(counter.isLocked(keys, 999)).toBe(true);
    // At t=1000 the failure at t=0 is a full window old and no longer counts.
    expect(counter.isLocked(keys, 1_000)).toBe(false);
    // Failures only count within the window: one more now makes three recent ones again.
    counter.fail(keys, 1_000);
    expect(counter.isLocked(keys, 1_000)).toBe(true);
    // Then t=100 leaves the window at t=1100, and two recent failures are under the limit.
    expect(counter.isLocked(keys, 1_099)).toBe(true);
    expect(counter.isLocked(keys, 1_100)).toBe(false);
  });

  it("locks when any one of the keys is over the limit, and clear() forgets one key", () => {
    const counter = new FailureCounter(2, 1_000);
    counter.fail(["email:a", "ip:1"], 0);
    counter.fail(["email:b", "ip:1"], 10);
    expect(counter.isLocked(["email:c", "ip:1"], 20)).toBe(true);
    expect(counter.isLocked(["email:a", "ip:2"], 20)).toBe(false);
    counter.clear("ip:1");
    expect(counter.isLocked(["email:c", "ip:1"], 20)).toBe(false);
  });

  it("uses a 15-minute window by default", () => {
    expect(FAILURE_WINDOW_MS).toBe(15 * 60 * 1000);
    const counter = new FailureCounter();
    const keys = ["email:default@example.test"];
    for (let i = 0; i < MAX_FAILURES; i++) counter.fail(keys, 1_000 + i);
    expect(counter.isLocked(keys, 1_000 + FAILURE_WINDOW_MS - 1)).toBe(true);
    expect(counter.isLocked(keys, 1_000 + MAX_FAILURES + FAILURE_WINDOW_MS)).toBe(false);
  });
});
