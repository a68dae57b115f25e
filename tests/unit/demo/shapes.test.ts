import { beforeAll, describe, expect, it } from "vitest";
import { MODELS } from "@/lib/demo/catalog";
import { FEATURES } from "@/lib/demo/company";
import { generateDay, type DemoEvent, type DemoOutcome } from "@/lib/demo/generate";
import type { DemoPlan } from "@/lib/demo/plan";
import { PriceBook } from "@/lib/demo/price-book";
import { TEST_PRICES, plan } from "./helpers";

// Six weeks, so the cache-thrash episode (about three weeks before the end) has
// normal weeks on both sides.
const DAY = 86_400_000;
let p: DemoPlan;
let events: DemoEvent[];
let outcomes: DemoOutcome[];

beforeAll(() => {
  p = plan({ days: 42, eventsPerDay: 2500, seed: 3 });
  events = [];
  outcomes = [];
  for (let day = 0; day < p.days; day++) {
    const generated = generateDay(p, day);
    events.push(...generated.events);
    outcomes.push(...generated.outcomes);
  }
});

function share(filter: (e: DemoEvent) => boolean, of: DemoEvent[] = events): number {
  return of.filter(filter).length / of.length;
}

/** Cache reads (and writes) as a share of input tokens, over calls that can use the cache. */
function cacheRates(from: number, to: number): { read: number; written: number } {
  let read = 0;
  let written = 0;
  let input = 0;
  for (const e of events) {
    if (e.at < from || e.at >= to || e.model.cacheStyle === "none" || e.error || e.responseCacheHit) continue;
    read += e.cacheReadInputTokens;
    written += e.cacheCreationInputTokens;
    input += e.inputTokens;
  }
  return { read: read / input, written: written / input };
}

const isWeekend = (ms: number) => [0, 6].includes(new Date(ms).getUTCDay());

describe("demo traffic shapes", () => {
  it("caches 60–80 % of prompt tokens on an ordinary week", () => {
    const { cacheThrash } = p.incidents;
    const before = cacheRates(cacheThrash.start - 7 * DAY, cacheThrash.start);
    const after = cacheRates(cacheThrash.end, cacheThrash.end + 7 * DAY);
    for (const week of [before, after]) {
      expect(week.read).toBeGreaterThan(0.6);
      expect(week.read).toBeLessThan(0.8);
    }
  });

  it("has a two-day cache thrash about three weeks before the end: reads collapse, writes jump", () => {
    const { cacheThrash } = p.incidents;
    expect(p.endMs - cacheThrash.start).toBeGreaterThan(19 * DAY);
    expect(p.endMs - cacheThrash.start).toBeLessThan(24 * DAY);
    expect(cacheThrash.end - cacheThrash.start).toBeGreaterThanOrEqual(36 * 3_600_000);
    const during = cacheRates(cacheThrash.start, cacheThrash.end);
    const before = cacheRates(cacheThrash.start - 7 * DAY, cacheThrash.start);
    expect(during.read).toBeLessThan(before.read * 0.3);
    expect(during.written).toBeGreaterThan(before.written * 3);
  });

  it("leaves 1–2 % of calls without a team tag", () => {
    const untagged = share((e) => e.tags.team === null);
    expect(untagged).toBeGreaterThan(0.008);
    expect(untagged).toBeLessThan(0.025);
  });

  it("includes a model the catalog cannot price", () => {
    const book = new PriceBook(TEST_PRICES);
    const unpriced = events.filter((e) => book.resolve(e.model.provider, e.model.model, e.tier, e.at) === null);
    expect(unpriced.length).toBeGreaterThan(0);
    expect(new Set(unpriced.map((e) => `${e.model.provider}/${e.model.model}`))).toEqual(new Set(["self-hosted/acme-copy-llama-ft-v3"]));
    expect(unpriced.length / events.length).toBeLessThan(0.03);
  });

  it("retries about 3 % of calls under the failed attempt's trace id", () => {
    const retries = events.filter((e) => e.attempt >= 2);
    expect(retries.length / events.length).toBeGreaterThan(0.02);
    expect(retries.length / events.length).toBeLessThan(0.05);
    const failedFirstAttempts = new Set(events.filter((e) => e.error && e.attempt === 1).map((e) => e.traceId));
    expect(retries.every((e) => failedFirstAttempts.has(e.traceId))).toBe(true);
    expect(retries.some((e) => e.attempt === 3)).toBe(true);
  });

  it("answers a few percent from the response cache, with zero tokens", () => {
    const hits = events.filter((e) => e.responseCacheHit);
    expect(hits.length / events.length).toBeGreaterThan(0.01);
    expect(hits.length / events.length).toBeLessThan(0.06);
    expect(hits.every((e) => e.inputTokens === 0 && e.outputTokens === 0 && e.latencyMs < 100)).toBe(true);
  });

  it("runs agent features as traces of 2–8 calls with a long tail", () => {
    const calls = new Map<string, number>();
    for (const e of events) {
      if (e.tags.feature === "code-review-bot" && e.attempt === 1 && !e.responseCacheHit) {
        calls.set(e.traceId, (calls.get(e.traceId) ?? 0) + 1);
      }
    }
    const counts = [...calls.values()];
    expect(Math.max(...counts)).toBe(8);
    expect(counts.filter((n) => n >= 2).length / counts.length).toBeGreaterThan(0.97);
    expect(counts.filter((n) => n >= 6).length / counts.length).toBeGreaterThan(0.1);
  });

  it("is quieter on weekends for business features and not for the consumer app", () => {
    const perDay = (feature: string, weekend: boolean) =>
      events.filter((e) => e.tags.feature === feature && isWeekend(e.at) === weekend).length / (weekend ? 2 : 5);
    expect(perDay("ticket-triage", true)).toBeLessThan(perDay("ticket-triage", false) * 0.6);
    expect(perDay("chat-assistant", true)).toBeGreaterThan(perDay("chat-assistant", false) * 0.9);
  });

  it("grows over the period", () => {
    const firstWeek = events.filter((e) => e.at < p.startMs + 7 * DAY).length;
    const lastWeek = events.filter((e) => e.at >= p.endMs - 7 * DAY).length;
    expect(lastWeek).toBeGreaterThan(firstWeek * 1.1);
  });

  it("runs the batch pipeline at night on the batch tier", () => {
    const pipeline = events.filter((e) => e.tags.feature === "batch-enrichment");
    expect(pipeline.every((e) => e.tier === "batch")).toBe(true);
    const batch = events.filter((e) => e.tier === "batch");
    expect(batch.length / events.length).toBeGreaterThan(0.1);
    expect(share((e) => [1, 2, 3, 4].includes(new Date(e.at).getUTCHours()), batch)).toBeGreaterThan(0.7);
  });

  it("fills in the provider-specific token classes", () => {
    const ok = (e: DemoEvent) => !e.error && !e.responseCacheHit;
    expect(events.some((e) => ok(e) && e.model === MODELS.o3Mini && e.reasoningOutputTokens > 0)).toBe(true);
    expect(events.some((e) => ok(e) && e.model.provider === "anthropic" && e.cacheCreationInputTokens > 0 && e.cacheReadInputTokens > 0)).toBe(true);
    expect(events.filter((e) => e.model.cacheStyle === "read-only").every((e) => e.cacheCreationInputTokens === 0 && e.cacheReadInputTokens % 128 === 0)).toBe(true);
    expect(events.every((e) => e.cacheReadInputTokens + e.cacheCreationInputTokens <= e.inputTokens && e.reasoningOutputTokens <= e.outputTokens)).toBe(true);
  });

  it("switches prompt versions partway through", () => {
    const versions = (from: number, to: number) =>
      new Set(events.filter((e) => e.tags.feature === "ticket-triage" && e.at >= from && e.at < to).map((e) => e.tags.promptVersion));
    expect(versions(p.startMs, p.startMs + 7 * DAY)).toEqual(new Set(["v1"]));
    expect(versions(p.endMs - 7 * DAY, p.endMs)).toEqual(new Set(["v2"]));
  });

  it("spreads tagged traffic over every team, feature, tenant and environment", () => {
    expect(new Set(events.map((e) => e.tags.feature))).toEqual(new Set([...FEATURES.map((f) => f.slug), null]));
    expect(new Set(events.map((e) => e.tags.tenant)).size).toBe(9);
    expect(new Set(events.map((e) => e.tags.environment))).toEqual(new Set(["production", "staging", "dev"]));
    expect(share((e) => e.tags.environment === "production")).toBeGreaterThan(0.8);
    expect(new Set(events.map((e) => e.tags.endUser)).size).toBeGreaterThan(200);
    expect(share((e) => e.tags.extraTags !== null)).toBeGreaterThan(0.3);
    expect(events.filter((e) => e.tags.extraTags).every((e) => typeof JSON.parse(e.tags.extraTags ?? "") === "object")).toBe(true);
  });

  it("reports outcomes for traces that exist, mostly successful", () => {
    const traces = new Set(events.map((e) => e.traceId));
    expect(new Set(outcomes.map((o) => o.type))).toEqual(new Set(["ticket_resolved", "answer_accepted", "suggestion_applied"]));
    expect(outcomes.every((o) => traces.has(o.traceId) && o.at < p.endMs)).toBe(true);
    const success = outcomes.filter((o) => o.success).length / outcomes.length;
    expect(success).toBeGreaterThan(0.7);
    expect(success).toBeLessThan(0.9);
  });
});
