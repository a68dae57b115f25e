import { ensurePartitionsFor } from "@/lib/db/partitions";
import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "@/lib/db";
import type { PriceRates } from "@/lib/pricing/compute-cost";
import { EXCLUSIVE_PRICING_LOCK_SQL, SHARED_PRICING_LOCK_SQL } from "@/lib/pricing/lock";
import { insertPrice } from "@/lib/pricing/price-store";
import { repriceForNewPrice, type RepriceResult } from "@/lib/pricing/reprice";
import type { StoredPrice } from "@/lib/pricing/price-store";
import { compareRollupsWithEvents, rebuildRollups } from "@/lib/rollups/rebuild";
import { compareTagRollupsWithEvents } from "@/lib/rollups/tag-rollups";
import { storeEventBatch } from "@/lib/ingestion/ingest-events";
import type { ServiceTier } from "@/lib/schemas/price";

// Re-pricing against a real PostgreSQL (this file's own fresh database). Every expected
// cost is computed by hand in the comments: cost = (uncached input x input + cache reads x
// cache read + cache writes x cache write + visible output x output + reasoning x reasoning) / 1e6.

const pool = () => getPool();

function rates(input: string, output: string, extra: Partial<PriceRates> = {}): PriceRates {
  const cacheWrite = extra.cacheWritePerMtok ?? input;
  return { inputPerMtok: input, outputPerMtok: output, cacheReadPerMtok: input, cacheWritePerMtok: cacheWrite, cacheWrite1hPerMtok: cacheWrite, reasoningPerMtok: output, ...extra };
}

async function addPrice(model: string, tier: ServiceTier, from: string, r: PriceRates, provider = "acme"): Promise<StoredPrice> {
  const result = await insertPrice(pool(), { provider, model, serviceTier: tier, effectiveFrom: new Date(from), rates: r, source: "test" });
  if (!result.inserted) throw new Error("price conflict");
  return result.price;
}

interface EventSpec {
  id: string;
  model: string;
  at: string;
  tier?: ServiceTier;
  input: number;
  output: number;
  cacheRead?: number;
  cacheCreation?: number;
  reasoning?: number;
  team?: string | null;
  /** Priced with this price and cost, or unpriced when omitted. */
  priced?: { price: StoredPrice; cost: string };
}

async function insertEvents(specs: EventSpec[]): Promise<void> {
  await ensurePartitionsFor(pool(), specs.map((e) => new Date(e.at)));
  for (const e of specs) {
    await pool().query(
      `INSERT INTO usage_events (id, occurred_at, provider, model, service_tier, input_tokens, output_tokens, cache_read_input_tokens,
                                 cache_creation_input_tokens, reasoning_output_tokens, team, latency_ms, cost_usd, pricing_state, price_id, priced_at)
       VALUES ($1, $2, 'acme', $3, $4::"ServiceTier", $5, $6, $7, $8, $9, $10, 100, $11, $12::"PricingState", $13, $14)`,
      [
        e.id,
        new Date(e.at),
        e.model,
        e.tier ?? "standard",
        e.input,
        e.output,
        e.cacheRead ?? 0,
        e.cacheCreation ?? 0,
        e.reasoning ?? 0,
        e.team === undefined ? "search" : e.team,
        e.priced?.cost ?? null,
        e.priced ? "priced" : "unpriced",
        e.priced?.price.id ?? null,
        e.priced ? new Date(e.at) : null,
      ],
    );
  }
  // Rollups as ingestion would have left them: consistent with the events.
  await rebuildRollups(pool());
}

interface EventState {
  cost: string | null;
  state: string;
  priceId: string | null;
  pricedAt: Date | null;
}

async function events(model: string): Promise<Record<string, EventState>> {
  const result = await pool().query<{ id: string; cost: string | null; state: string; price_id: string | null; priced_at: Date | null }>(
    `SELECT id, cost_usd::text AS cost, pricing_state::text AS state, price_id::text AS price_id, priced_at
     FROM usage_events WHERE provider = 'acme' AND model = $1 ORDER BY id`,
    [model],
  );
  return Object.fromEntries(result.rows.map((r) => [r.id, { cost: r.cost, state: r.state, priceId: r.price_id, pricedAt: r.priced_at }]));
}

async function rollupTotals(model: string): Promise<{ cost: string; unpriced: string; requests: string }> {
  const result = await pool().query<{ cost: string; unpriced: string; requests: string }>(
    `SELECT coalesce(sum(cost_usd), 0)::numeric(24, 12)::text AS cost, coalesce(sum(unpriced_requests), 0)::text AS unpriced,
            coalesce(sum(requests), 0)::text AS requests
     FROM usage_rollup_hourly_all WHERE provider = 'acme' AND model = $1`,
    [model],
  );
  return result.rows[0] ?? { cost: "", unpriced: "", requests: "" };
}

async function expectConsistentRollups(): Promise<void> {
  expect(await compareRollupsWithEvents(pool())).toEqual([]);
}

describe("repriceForNewPrice: a newer price for a model that already has one", () => {
  let p1: StoredPrice;
  let p2: StoredPrice;
  let p3: StoredPrice;

  beforeAll(async () => {
    // P1 from 2026-01-01: input 2, output 8, cache read 0.5, cache write 2.5 (reasoning = output 8)
    p1 = await addPrice("m1", "standard", "2026-01-01T00:00:00Z", rates("2", "8", { cacheReadPerMtok: "0.5", cacheWritePerMtok: "2.5" }));
    // P3 from 2026-09-01: input 1, output 4 (cache and reasoning default to them)
    p3 = await addPrice("m1", "standard", "2026-09-01T00:00:00Z", rates("1", "4"));
    await insertEvents([
      // (700*2 + 200*0.5 + 100*2.5 + 500*8) / 1e6 = (1400 + 100 + 250 + 4000) / 1e6 = 0.00575
      { id: "e1", model: "m1", at: "2026-03-01T10:15:00Z", input: 1000, output: 500, cacheRead: 200, cacheCreation: 100, priced: { price: p1, cost: "0.005750000000" } },
      // (2000*2 + 100*8) / 1e6 = 0.0048
      { id: "e2", model: "m1", at: "2026-06-15T10:20:00Z", input: 2000, output: 100, priced: { price: p1, cost: "0.004800000000" } },
      // batch tier, no batch price: standard P1. (1000*2 + 600*8 + 400*8) / 1e6 = 0.01
      { id: "e3", model: "m1", at: "2026-06-15T10:40:00Z", tier: "batch", input: 1000, output: 1000, reasoning: 400, priced: { price: p1, cost: "0.010000000000" } },
      // P3: 1,000,000 * 1 / 1e6 = 1
      { id: "e4", model: "m1", at: "2026-09-10T00:00:00Z", input: 1_000_000, output: 0, priced: { price: p3, cost: "1.000000000000" } },
      // left unpriced although P1 covers it (e.g. stored before P1 existed)
      { id: "e5", model: "m1", at: "2026-03-05T08:00:00Z", input: 300, output: 30 },
      { id: "e6", model: "m1", at: "2026-07-01T12:00:00Z", input: 10, output: 10, team: null },
      // another model: never touched
      { id: "x1", model: "m-other", at: "2026-07-01T12:00:00Z", input: 10, output: 10 },
    ]);
    await expectConsistentRollups();
    expect(await rollupTotals("m1")).toEqual({ cost: "1.020550000000", unpriced: "2", requests: "6" });
  });

  it("re-prices the events after its effective_from and the unpriced ones, and nothing else", async () => {
    // P2 from 2026-06-01: input 2.2, output 8.8, cache read 0.55 (cache write 2.2, reasoning 8.8 by default)
    p2 = await addPrice("m1", "standard", "2026-06-01T00:00:00Z", rates("2.2", "8.8", { cacheReadPerMtok: "0.55" }));
    const before = await events("m1");
    const result = await repriceForNewPrice(pool(), p2);
    // candidates: priced e2, e3 in [2026-06-01, 2026-09-01); unpriced e5, e6
    expect(result).toEqual<RepriceResult>({ examined: 4, updated: 4, newlyPriced: 2, newlyUnpriced: 0, chunks: 2, repairedRollupHours: 0 });

    const after = await events("m1");
    expect(after.e1).toEqual(before.e1); // before P2: untouched
    expect(after.e4).toEqual(before.e4); // P3's period: untouched
    // (2000*2.2 + 100*8.8) / 1e6 = (4400 + 880) / 1e6 = 0.00528
    expect(after.e2).toMatchObject({ cost: "0.005280000000", state: "priced", priceId: p2.id });
    // batch falls back to the standard P2: (1000*2.2 + 600*8.8 + 400*8.8) / 1e6 = (2200 + 5280 + 3520) / 1e6 = 0.011
    expect(after.e3).toMatchObject({ cost: "0.011000000000", state: "priced", priceId: p2.id });
    // the stale unpriced event before P2 is priced by P1: (300*2 + 30*8) / 1e6 = 0.00084
    expect(after.e5).toMatchObject({ cost: "0.000840000000", state: "priced", priceId: p1.id });
    // (10*2.2 + 10*8.8) / 1e6 = 0.00011
    expect(after.e6).toMatchObject({ cost: "0.000110000000", state: "priced", priceId: p2.id });
    expect(after.e6?.pricedAt).toBeInstanceOf(Date);
    expect((await events("m-other")).x1).toMatchObject({ cost: null, state: "unpriced", priceId: null });

    await expectConsistentRollups();
    // 0.00575 + 0.00528 + 0.011 + 1 + 0.00084 + 0.00011 = 1.02298
    expect(await rollupTotals("m1")).toEqual({ cost: "1.022980000000", unpriced: "0", requests: "6" });
    expect((await rollupTotals("m-other")).unpriced).toBe("1");
  });

  it("keeps the hourly rows right, not just the totals", async () => {
    const result = await pool().query<{ tier: string; cost: string; unpriced: string }>(
      `SELECT service_tier::text AS tier, cost_usd::text AS cost, unpriced_requests::text AS unpriced
       FROM usage_rollup_hourly WHERE provider = 'acme' AND model = 'm1' AND hour = '2026-06-15T10:00:00Z' ORDER BY tier`,
    );
    expect(result.rows).toEqual([
      { tier: "batch", cost: "0.011000000000", unpriced: "0" },
      { tier: "standard", cost: "0.005280000000", unpriced: "0" },
    ]);
  });

  it("is idempotent: a second run finds nothing to change", async () => {
    const result = await repriceForNewPrice(pool(), p2);
    // e2, e3 and (now priced) e6 lie in P2's period; nothing is unpriced any more
    expect(result).toMatchObject({ examined: 3, updated: 0, newlyPriced: 0 });
    await expectConsistentRollups();
  });

  it("reports a conflict for the same provider/model/tier/effective_from and writes nothing", async () => {
    const again = await insertPrice(pool(), {
      provider: "acme",
      model: "m1",
      serviceTier: "standard",
      effectiveFrom: new Date("2026-06-01T00:00:00Z"),
      rates: rates("99", "99"),
    });
    expect(again).toMatchObject({ inserted: false, conflict: true, existing: { id: p2.id, rates: { inputPerMtok: "2.2", cacheReadPerMtok: "0.55" } } });
    const count = await pool().query<{ n: string }>("SELECT count(*)::text AS n FROM prices WHERE provider = 'acme' AND model = 'm1'");
    expect(count.rows[0]?.n).toBe("3");
  });
});

describe("repriceForNewPrice: service tier fallback", () => {
  it("prices a batch event with the standard price, then with the batch price once there is one", async () => {
    await insertEvents([
      { id: "b1", model: "m-tier", at: "2026-05-05T05:05:00Z", tier: "batch", input: 1000, output: 100, cacheRead: 500 },
      { id: "s1", model: "m-tier", at: "2026-05-05T05:30:00Z", input: 100, output: 0 },
    ]);
    expect(await rollupTotals("m-tier")).toEqual({ cost: "0.000000000000", unpriced: "2", requests: "2" });

    // Standard only: input 4, output 16 (cache rates default to 4)
    const standard = await addPrice("m-tier", "standard", "2026-01-01T00:00:00Z", rates("4", "16"));
    expect(await repriceForNewPrice(pool(), standard)).toMatchObject({ updated: 2, newlyPriced: 2 });
    let now = await events("m-tier");
    // b1 by the standard price: (500*4 + 500*4 + 100*16) / 1e6 = (2000 + 2000 + 1600) / 1e6 = 0.0056
    expect(now.b1).toMatchObject({ cost: "0.005600000000", state: "priced", priceId: standard.id });
    // s1: 100*4 / 1e6 = 0.0004
    expect(now.s1).toMatchObject({ cost: "0.000400000000", state: "priced", priceId: standard.id });
    await expectConsistentRollups();

    // A batch price: input 2, output 8, cache read 1
    const batch = await addPrice("m-tier", "batch", "2026-01-01T00:00:00Z", rates("2", "8", { cacheReadPerMtok: "1" }));
    // only batch-tier events can change: b1 is the one candidate
    expect(await repriceForNewPrice(pool(), batch)).toMatchObject({ examined: 1, updated: 1, newlyPriced: 0 });
    now = await events("m-tier");
    // (500*2 + 500*1 + 100*8) / 1e6 = (1000 + 500 + 800) / 1e6 = 0.0023
    expect(now.b1).toMatchObject({ cost: "0.002300000000", state: "priced", priceId: batch.id });
    expect(now.s1).toMatchObject({ cost: "0.000400000000", priceId: standard.id });
    await expectConsistentRollups();
    // 0.0023 + 0.0004
    expect(await rollupTotals("m-tier")).toEqual({ cost: "0.002700000000", unpriced: "0", requests: "2" });
  });

  it("leaves events unpriced when no entry covers them (before the first effective_from)", async () => {
    await insertEvents([{ id: "early", model: "m-late", at: "2025-12-31T23:59:59.999Z", input: 5, output: 5 }]);
    const price = await addPrice("m-late", "standard", "2026-01-01T00:00:00Z", rates("1", "1"));
    expect(await repriceForNewPrice(pool(), price)).toMatchObject({ examined: 1, updated: 0 });
    expect((await events("m-late")).early).toMatchObject({ cost: null, state: "unpriced" });
    await expectConsistentRollups();
  });
});

describe("repriceForNewPrice: chunks, rounding and repairs", () => {
  it("commits chunk by chunk in per-chunk mode, consistent at the end", async () => {
    const specs: EventSpec[] = [];
    // 7 unpriced events over 3 hours, 1000 input tokens each
    for (let i = 0; i < 7; i++) {
      specs.push({ id: `c${i}`, model: "m-chunks", at: new Date(Date.UTC(2026, 7, 1, i % 3, i * 5)).toISOString(), input: 1000, output: 0, team: i % 2 ? "a" : null });
    }
    await insertEvents(specs);
    const price = await addPrice("m-chunks", "standard", "2026-01-01T00:00:00Z", rates("0.5", "1"));
    const result = await repriceForNewPrice(pool(), price, { chunkSize: 2, transaction: "per-chunk" });
    // priced phase: one empty chunk; unpriced phase: 2 + 2 + 2 + 1
    expect(result).toEqual<RepriceResult>({ examined: 7, updated: 7, newlyPriced: 7, newlyUnpriced: 0, chunks: 5, repairedRollupHours: 0 });
    const now = await events("m-chunks");
    // 1000 * 0.5 / 1e6 = 0.0005 each
    for (const e of Object.values(now)) expect(e).toMatchObject({ cost: "0.000500000000", state: "priced", priceId: price.id });
    await expectConsistentRollups();
    // 7 * 0.0005
    expect(await rollupTotals("m-chunks")).toEqual({ cost: "0.003500000000", unpriced: "0", requests: "7" });
  });

  it("stores costs of rates finer than 6 decimals rounded half to even", async () => {
    await insertEvents([
      { id: "f1", model: "m-fine", at: "2026-04-01T00:00:00Z", input: 1, output: 0 },
      { id: "f3", model: "m-fine", at: "2026-04-01T00:01:00Z", input: 3, output: 0 },
    ]);
    const price = await addPrice("m-fine", "standard", "2026-01-01T00:00:00Z", rates("0.0000015", "0"));
    await repriceForNewPrice(pool(), price);
    const now = await events("m-fine");
    // 1 * 0.0000015 / 1e6 = 1.5e-12 -> 2e-12; 3 * 0.0000015 / 1e6 = 4.5e-12 -> 4e-12 (ties to even)
    expect(now.f1?.cost).toBe("0.000000000002");
    expect(now.f3?.cost).toBe("0.000000000004");
    await expectConsistentRollups();
  });

  it("re-prices events whose rollup rows are still pending (ingested a moment ago, not folded yet)", async () => {
    const stored = await storeEventBatch(pool(), [
      { id: "p1", timestamp: "2026-02-03T03:10:00Z", provider: "acme", model: "m-pending", usage: { input_tokens: 1000, output_tokens: 0 }, tags: { team: "search" } },
      { id: "p2", timestamp: "2026-02-03T03:20:00Z", provider: "acme", model: "m-pending", usage: { input_tokens: 500, output_tokens: 0 }, tags: { team: "search", channel: "chat" } },
    ]);
    expect(stored.result.accepted).toBe(2);
    const pending = await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM usage_rollup_pending WHERE model = 'm-pending'");
    expect(pending.rows[0]?.n).toBeGreaterThan(0);
    const price = await addPrice("m-pending", "standard", "2026-01-01T00:00:00Z", rates("2", "2"));
    expect(await repriceForNewPrice(pool(), price)).toMatchObject({ updated: 2 });
    await expectConsistentRollups();
    expect(await compareTagRollupsWithEvents(pool())).toEqual([]);
    // 1500 * 2 / 1e6 = 0.003
    expect(await rollupTotals("m-pending")).toEqual({ cost: "0.003000000000", unpriced: "0", requests: "2" });
  });

  it("rebuilds an hour whose rollup row had gone missing instead of losing the difference", async () => {
    await insertEvents([{ id: "r1", model: "m-repair", at: "2026-02-02T02:22:00Z", input: 2000, output: 0 }]);
    await pool().query("DELETE FROM usage_rollup_hourly WHERE provider = 'acme' AND model = 'm-repair'");
    const price = await addPrice("m-repair", "standard", "2026-01-01T00:00:00Z", rates("3", "3"));
    expect(await repriceForNewPrice(pool(), price)).toMatchObject({ updated: 1, repairedRollupHours: 1 });
    await expectConsistentRollups();
    // 2000 * 3 / 1e6 = 0.006
    expect(await rollupTotals("m-repair")).toEqual({ cost: "0.006000000000", unpriced: "0", requests: "1" });
  });
});

describe("insertPrice and the pricing lock", () => {
  it("re-pricing holds the shared lock too: it waits while a price is being deleted (usage_events has no foreign key to prices)", async () => {
    await insertEvents([{ id: "w1", model: "m-wait", at: "2026-02-04T04:00:00Z", input: 100, output: 0 }]);
    const price = await addPrice("m-wait", "standard", "2026-01-01T00:00:00Z", rates("1", "1"));
    const deleting = await pool().connect();
    try {
      await deleting.query("BEGIN");
      await deleting.query(EXCLUSIVE_PRICING_LOCK_SQL);
      let done = false;
      const run = repriceForNewPrice(pool(), price).then((result) => {
        done = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await deleting.query("COMMIT");
      expect((await run).updated).toBe(1);
    } finally {
      deleting.release();
    }
  });

  it("an ingest waiting behind a price insert prices with that price (its prices are read after the lock, with BEGIN)", async () => {
    const inserting = await pool().connect();
    try {
      await inserting.query("BEGIN");
      await inserting.query(EXCLUSIVE_PRICING_LOCK_SQL);
      await inserting.query(
        `INSERT INTO prices (id, provider, model, service_tier, effective_from, input_per_mtok, output_per_mtok,
                             cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok)
         VALUES (gen_random_uuid(), 'acme', 'm-ingest-waits', 'standard', '2026-01-01T00:00:00Z', 2, 8, 2, 2, 8)`,
      );
      let done = false;
      const ingest = storeEventBatch(pool(), [
        { id: "iw1", timestamp: "2026-02-04T04:00:00Z", provider: "acme", model: "m-ingest-waits", usage: { input_tokens: 1000, output_tokens: 500 } },
      ]).then((result) => {
        done = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await inserting.query("COMMIT");
      expect((await ingest).result.accepted).toBe(1);
    } finally {
      inserting.release();
    }
    // 1000 × 2 / 1e6 + 500 × 8 / 1e6 = 0.006
    const stored = await pool().query("SELECT pricing_state, cost_usd::text AS cost FROM usage_events WHERE id = 'iw1'");
    expect(stored.rows).toEqual([{ pricing_state: "priced", cost: "0.006000000000" }]);
  });

  it("prices a batch of 1,000 distinct models: the known ones priced, the rest unpriced", async () => {
    await addPrice("m-many-7", "standard", "2026-01-01T00:00:00Z", rates("1", "1"));
    await addPrice("m-many-700", "standard", "2026-01-01T00:00:00Z", rates("1", "1"), "other's");
    const events = Array.from({ length: 1000 }, (_, i) => ({
      id: `many-${i}`,
      timestamp: "2026-02-05T04:00:00Z",
      provider: i === 700 ? "other's" : "acme",
      model: `m-many-${i}`,
      usage: { input_tokens: 1_000_000, output_tokens: 0 },
    }));
    const { result } = await storeEventBatch(pool(), events);
    expect(result.accepted).toBe(1000);
    const priced = await pool().query<{ id: string; cost: string }>(
      "SELECT id, cost_usd::text AS cost FROM usage_events WHERE id LIKE 'many-%' AND pricing_state = 'priced' ORDER BY id",
    );
    expect(priced.rows).toEqual([
      { id: "many-7", cost: "1.000000000000" },
      { id: "many-700", cost: "1.000000000000" },
    ]);
  });

  it("waits for ingest transactions holding the shared lock before inserting", async () => {
    const ingest = await pool().connect();
    try {
      await ingest.query("BEGIN");
      await ingest.query(SHARED_PRICING_LOCK_SQL);
      let done = false;
      const insert = insertPrice(pool(), {
        provider: "acme",
        model: "m-lock",
        serviceTier: "standard",
        effectiveFrom: new Date("2026-01-01T00:00:00Z"),
        rates: rates("1", "1"),
      }).then((result) => {
        done = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      await ingest.query("COMMIT");
      expect((await insert).inserted).toBe(true);
    } finally {
      ingest.release();
    }
  });
});
