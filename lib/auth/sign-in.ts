import "server-only";
import { prisma } from "@/lib/db";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { writeAudit } from "@/lib/audit/audit-log";
import { formatAddress } from "@/lib/http/client-address";
import { SIGN_IN_THROTTLE_KEY, type TokenBucketLimiter, signInThrottle } from "@/lib/http/rate-limit";
import { parseAddress } from "@/lib/ops/allow-list";
import { emailSchema } from "@/lib/schemas/access";

/**
 * Password sign-in. Every failure looks the same to the caller (no "unknown email" vs
 * "wrong password"), takes about as long (a dummy hash is checked for unknown emails),
 * and counts against both the email and the client address (lib/http/client-address.ts;
 * an IPv6 client by its /64, which one host usually holds whole): after MAX_FAILURES
 * within the window, sign-in is refused until the window has passed, even with the right
 * password.
 *
 * Above that, one token bucket for the whole process (BURNRATE_SIGN_IN_RATE_PER_SECOND,
 * BURNRATE_SIGN_IN_BURST) meters the attempts that do work (a scrypt check, an audit row):
 * scrypt is deliberately expensive, and without it a few dozen concurrent attempts from
 * any number of addresses take the CPU from every other request. Past it an attempt is
 * refused ("rate_limited", with the seconds to wait) before anything runs; proxy.ts
 * answers those 429 with Retry-After before next-auth is reached.
 */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_MS = 15 * 60 * 1000;

export type SignInResult =
  | { ok: true; user: { id: string; email: string; name: string | null } }
  | { ok: false; reason: "invalid" | "locked" }
  | { ok: false; reason: "rate_limited"; retryAfter: number };

/** The lockout key of a client address: IPv4 as is, IPv6 by its /64 (rotating within one's own /64 changes nothing). */
export function lockoutAddressKey(ip: string): string {
  const address = parseAddress(ip);
  if (!address) return `ip:${ip}`;
  if (address.family === 4) return `ip:${formatAddress(address)}`;
  return `ip:${formatAddress({ family: 6, value: (address.value >> 64n) << 64n })}/64`;
}

export class FailureCounter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly max = MAX_FAILURES,
    private readonly windowMs = FAILURE_WINDOW_MS,
  ) {}

  private recent(key: string, now: number): number[] {
    const kept = (this.failures.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (kept.length > 0) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  isLocked(keys: string[], now = Date.now()): boolean {
    return keys.some((key) => this.recent(key, now).length >= this.max);
  }

  fail(keys: string[], now = Date.now()): void {
    for (const key of keys) this.failures.set(key, [...this.recent(key, now), now]);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }
}

const counter = new FailureCounter();
let dummyHash: Promise<string> | undefined;

export async function signInWithPassword(
  credentials: { email?: unknown; password?: unknown },
  ip: string | null,
  failures: FailureCounter = counter,
  throttle: TokenBucketLimiter = signInThrottle(),
): Promise<SignInResult> {
  // First, before any work: a refused attempt costs neither scrypt nor a database write.
  const admitted = throttle.take(SIGN_IN_THROTTLE_KEY);
  if (!admitted.allowed) return { ok: false, reason: "rate_limited", retryAfter: admitted.retryAfter };

  const email = emailSchema.safeParse(credentials.email);
  const password = typeof credentials.password === "string" ? credentials.password : "";
  const label = email.success ? email.data : "(not an email)";
  const keys = [`email:${label}`, ...(ip ? [lockoutAddressKey(ip)] : [])];
  const system = { kind: "system" as const, label };

  if (failures.isLocked(keys)) {
    await writeAudit(prisma, system, { action: "auth.sign_in_failed", after: { email: label, reason: "locked" }, ip });
    return { ok: false, reason: "locked" };
  }
  const user = email.success
    ? await prisma.user.findUnique({
        where: { email: email.data },
        select: { id: true, email: true, name: true, passwordHash: true, disabledAt: true },
      })
    : null;
  dummyHash ??= hashPassword("burnrate-timing-equaliser");
  const valid = await verifyPassword(password.slice(0, 256), user?.passwordHash ?? (await dummyHash));
  if (!user || !user.passwordHash || !valid || user.disabledAt) {
    failures.fail(keys);
    await writeAudit(prisma, system, { action: "auth.sign_in_failed", after: { email: label, reason: "invalid" }, ip });
    return { ok: false, reason: "invalid" };
  }
  failures.clear(`email:${label}`);
  await prisma.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
  await writeAudit(prisma, { kind: "user", userId: user.id, email: user.email }, {
    action: "auth.sign_in",
    targetType: "user",
    targetId: user.id,
    after: { method: "password" },
    ip,
  });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name } };
}
