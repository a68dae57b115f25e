import { describe, expect, it } from "vitest";
import { buildSnapshot, QUOTA_CACHE_MAX_AGE_MS, QUOTA_CACHE_REFRESH_MS, QuotaCache } from "@/lib/quotas/cache";
import type { QuotaSnapshot } from "@/lib/quotas/standing";

/** The check's snapshot cache: ages, single flight, invalidation, month boundaries — on a fake clock. */

const NOW = new Date("2026-11-18T12:00:00Z");

function harness() {
  let clock = 0;
  let version = 0;
  const pending: { resolve: (snapshot: QuotaSnapshot) => void; at: Date }[] = [];
  const cache = new QuotaCache({
    clock: () => clock,
    load: (now) =>
      new Promise<QuotaSnapshot>((resolve) => {
        pending.push({ resolve, at: now });
      }),
  });
  /** Completes the oldest load with a snapshot tagged by a version number (in `usage`'s keys). */
  const finish = async () => {
    const next = pending.shift();
    if (!next) throw new Error("no load pending");
    version++;
    next.resolve(buildSnapshot(next.at, [], [], new Map([[`v${version}`, { costUsd: null as never, tokens: null as never, byModel: new Map() }]])));
    await new Promise((r) => setTimeout(r, 0));
  };
  const versionOf = (snapshot: QuotaSnapshot) => [...snapshot.usage.keys()][0];
  return { cache, pending, finish, versionOf, tick: (ms: number) => (clock += ms) };
}

describe("QuotaCache", () => {
  it("the defaults: refreshed in the background after 2 s, never used after 5 s", () => {
    expect(QUOTA_CACHE_REFRESH_MS).toBe(2_000);
    expect(QUOTA_CACHE_MAX_AGE_MS).toBe(5_000);
  });

  it("cold: 200 concurrent gets share one load", async () => {
    const h = harness();
    const gets = Array.from({ length: 200 }, () => h.cache.get(NOW));
    expect(h.pending).toHaveLength(1);
    await h.finish();
    const snapshots = await Promise.all(gets);
    expect(new Set(snapshots.map(h.versionOf))).toEqual(new Set(["v1"]));
    expect(h.cache.loads).toBe(1);
  });

  it("fresh (< 2 s): no load; 2–5 s: the stale snapshot at once and one background refresh; ≥ 5 s: waits for a fresh one", async () => {
    const h = harness();
    const first = h.cache.get(NOW);
    await h.finish();
    await first;

    h.tick(QUOTA_CACHE_REFRESH_MS - 1);
    expect(h.versionOf(await h.cache.get(NOW))).toBe("v1");
    expect(h.pending).toHaveLength(0);

    h.tick(1); // 2 s old
    expect(h.versionOf(await h.cache.get(NOW))).toBe("v1");
    expect(h.versionOf(await h.cache.get(NOW))).toBe("v1");
    expect(h.pending).toHaveLength(1); // one refresh for both
    await h.finish();
    expect(h.versionOf(await h.cache.get(NOW))).toBe("v2");

    h.tick(QUOTA_CACHE_MAX_AGE_MS); // 5 s after v2's load started
    let settled = false;
    const waiting = h.cache.get(NOW).then((s) => {
      settled = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(settled).toBe(false);
    await h.finish();
    expect(h.versionOf(await waiting)).toBe("v3");
  });

  it("invalidate: the next get waits for a new load; a load begun before the write is not kept", async () => {
    const h = harness();
    const first = h.cache.get(NOW);
    await h.finish();
    await first;
    h.tick(QUOTA_CACHE_REFRESH_MS); // a background refresh starts (load #2)…
    await h.cache.get(NOW);
    expect(h.pending).toHaveLength(1);
    h.cache.invalidate(); // …then a write happens
    const after = h.cache.get(NOW); // load #3
    expect(h.pending).toHaveLength(2);
    await h.finish(); // #2 finishes (v2): from before the write, not stored
    await h.finish(); // #3 (v3)
    expect(h.versionOf(await after)).toBe("v3");
    expect(h.versionOf(await h.cache.get(NOW))).toBe("v3");
  });

  it("a snapshot of last month is never used, whatever its age", async () => {
    const h = harness();
    const first = h.cache.get(new Date("2026-11-30T23:59:59.999Z"));
    await h.finish();
    await first;
    const next = h.cache.get(new Date("2026-12-01T00:00:00Z"));
    expect(h.pending).toHaveLength(1);
    await h.finish();
    expect((await next).period.start).toEqual(new Date("2026-12-01T00:00:00Z"));
  });

  it("a failed load is not cached: the next get tries again", async () => {
    let calls = 0;
    const cache = new QuotaCache({
      load: async (now) => {
        calls++;
        if (calls === 1) throw new Error("database down");
        return buildSnapshot(now, [], [], new Map());
      },
    });
    await expect(cache.get(NOW)).rejects.toThrow("database down");
    await expect(cache.get(NOW)).resolves.toMatchObject({ period: { start: new Date("2026-11-01T00:00:00Z") } });
    expect(calls).toBe(2);
  });
});
