import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/cache/route";
import type { CacheDropEpisode, CacheReport } from "@/lib/analytics/cache";
import { getPool } from "@/lib/db";
import { LAUNCH_TENANT } from "@/lib/demo/company";
import { planDemo } from "@/lib/demo/plan";
import { seedDemo } from "@/lib/demo/seed";
import { formatUsd, Money } from "@/lib/money";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { read } from "../factories/users";

/**
 * The demo's cache-thrash incident, seen through GET /api/v1/cache with its default drop
 * rule: the overall daily and hourly series each show a drop overlapping the incident and
 * nothing anywhere else. This is what makes the Cache page show the drop at a glance.
 */

const END = new Date("2026-11-20T00:00:00Z");
const OPTIONS = { days: 30, eventsPerDay: 1500, seed: 42, endDate: END, workflows: false };
// The same function seedDemo plans its incidents with.
const THRASH = planDemo(OPTIONS).incidents.cacheThrash;
const WINDOW = `from=${new Date(END.getTime() - 30 * 86_400_000).toISOString()}&to=${END.toISOString()}`;

let key: string;

beforeAll(async () => {
  await seedDemo(getPool(), OPTIONS);
  key = await createTestKey(["read"]);
});

async function report(query: string): Promise<CacheReport> {
  const { status, body } = await read<CacheReport>(await GET(apiRequest(`/api/v1/cache?${query}`, { key, method: "GET" })));
  expect(status).toBe(200);
  return body;
}

const overlapsThrash = (episode: CacheDropEpisode) => Date.parse(episode.start) < THRASH.end && Date.parse(episode.end) > THRASH.start;
const describeEpisode = (episode: CacheDropEpisode) => `${episode.start}..${episode.end} (${episode.drop_pp} pp)`;

describe("GET /api/v1/cache on the demo data", () => {
  it("puts the thrash window where the demo says it is", () => {
    expect(new Date(THRASH.start).toISOString()).toBe("2026-10-29T09:00:00.000Z");
    expect(THRASH.end - THRASH.start).toBe(46 * 3_600_000);
  });

  it("shows one daily drop, over the thrash days, and none elsewhere", async () => {
    const body = await report(`${WINDOW}&bucket=day`);
    expect(body.series).toHaveLength(30);
    expect(body.drops.map(describeEpisode)).toHaveLength(1);
    const [episode] = body.drops;
    expect(episode && overlapsThrash(episode)).toBe(true);
    // the whole incident is inside the episode, and it is a big drop
    expect(Date.parse(episode?.start ?? "")).toBeLessThanOrEqual(THRASH.start);
    expect(Date.parse(episode?.end ?? "")).toBeGreaterThanOrEqual(THRASH.end);
    expect(Number(episode?.drop_pp)).toBeGreaterThan(40);
    expect(episode?.ongoing).toBe(false);
  });

  it("shows the drop in the hourly series too, and none elsewhere", async () => {
    const body = await report(`${WINDOW}&bucket=hour`);
    expect(body.series).toHaveLength(30 * 24);
    const outside = body.drops.filter((episode) => !overlapsThrash(episode));
    expect(outside.map(describeEpisode)).toEqual([]);
    expect(body.drops.length).toBeGreaterThanOrEqual(1);
    // most of the 46 hours are flagged
    const flagged = body.drops.reduce((sum, episode) => sum + episode.buckets, 0);
    expect(flagged).toBeGreaterThanOrEqual(24);
  });

  it("shows the drop for every tenant, the launching one included", async () => {
    const body = await report(`${WINDOW}&bucket=day&group_by=tenant`);
    const tenants = body.groups.filter((group) => !group.other);
    expect(tenants.map((group) => group.key)).toContain(LAUNCH_TENANT);
    for (const group of tenants) expect(group.drops.some(overlapsThrash), `${group.key}`).toBe(true);
    // the big groups show nothing else; a small tenant (~100 calls a day) may show the odd
    // noisy day, which is why the page leads with the overall series
    const big = tenants.filter((group) => group.totals.requests >= 5000);
    expect(big.length).toBeGreaterThanOrEqual(3);
    expect(big.flatMap((group) => group.drops).filter((episode) => !overlapsThrash(episode)).map(describeEpisode)).toEqual([]);
  });

  it("prices what the cache saved, and names the unpriced model", async () => {
    const body = await report(`${WINDOW}&bucket=day`);
    expect(Number(body.totals.saved_usd)).toBeGreaterThan(0);
    expect(body.totals.hit_rate).toMatch(/^0\.\d{4}$/);
    const unpriced = body.models.filter((model) => model.price === null).map((model) => `${model.provider}/${model.model}`);
    expect(unpriced).toEqual(["self-hosted/acme-copy-llama-ft-v3"]);
    // the whole saving is the sum of the priced models', to the last digit
    const byModel = body.models.reduce((sum, model) => sum.add(model.saved_usd ?? 0), new Money(0));
    expect(formatUsd(byModel)).toBe(body.totals.saved_usd);
  });
});
