import { readEnv } from "@/lib/env";

/**
 * Per-key token buckets, in memory: each app instance limits what reaches it. Good
 * enough to stop a runaway client; a shared limit across instances would live in PostgreSQL.
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until a request would be allowed again (when refused). */
  retryAfter: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; updated: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  take(key: string, cost = 1, now = Date.now()): RateLimitDecision {
    return this.decide(key, cost, now, true);
  }

  /** What `take` would answer, without taking anything (to refuse early, before the work that takes). */
  peek(key: string, cost = 1, now = Date.now()): RateLimitDecision {
    return this.decide(key, cost, now, false);
  }

  private decide(key: string, cost: number, now: number, consume: boolean): RateLimitDecision {
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updated: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.updated) / 1000) * this.ratePerSecond);
    bucket.updated = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= cost) {
      if (consume) bucket.tokens -= cost;
      return { allowed: true, retryAfter: 0 };
    }
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((cost - bucket.tokens) / this.ratePerSecond)) };
  }
}

export const SIGN_IN_THROTTLE_KEY = "sign-in";

// One bucket per process, on globalThis: proxy.ts, the auth route and the rest load their own copies of this module.
const globalForThrottle = globalThis as unknown as { burnrateSignInThrottle?: TokenBucketLimiter };

/**
 * The process-wide bucket of password sign-in attempts (BURNRATE_SIGN_IN_RATE_PER_SECOND,
 * BURNRATE_SIGN_IN_BURST): lib/auth/sign-in.ts takes from it before scrypt runs; proxy.ts
 * peeks at it to answer 429 before next-auth is reached.
 */
export function signInThrottle(): TokenBucketLimiter {
  if (!globalForThrottle.burnrateSignInThrottle) {
    const env = readEnv();
    globalForThrottle.burnrateSignInThrottle = new TokenBucketLimiter(env.BURNRATE_SIGN_IN_RATE_PER_SECOND, env.BURNRATE_SIGN_IN_BURST);
  }
  return globalForThrottle.burnrateSignInThrottle;
}
