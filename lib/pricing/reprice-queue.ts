import { logger } from "@/lib/log";
import type pg from "pg";
import { repriceForNewPrice, type RepriceTarget } from "@/lib/pricing/reprice";

/**
 * Re-pricing runs in the background after a price is added (the contract allows 60 s),
 * one job at a time per process so two large re-pricings do not fight over rollup rows.
 * A failed job is retried with backoff; repriceForNewPrice is idempotent.
 */
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000, 30_000];
let tail: Promise<void> = Promise.resolve();

export function enqueueReprice(pool: pg.Pool, target: RepriceTarget): Promise<void> {
  const job = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await repriceForNewPrice(pool, target, { transaction: "per-chunk" });
        return;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          logger().error({ err: error, provider: target.provider, model: target.model }, "re-pricing failed for good");
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  tail = tail.then(job, job);
  return tail;
}
