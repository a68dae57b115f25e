import { describe, expect, it } from "vitest";
import { computeCostString, type PriceRates, type TokenUsage } from "@/lib/pricing/compute-cost";
import { costPicoUsd, entryCost, ratesForUsage, withScaledRates } from "@/lib/pricing/price-cost";

/**
 * The scaled-integer pricer (entryCost: number fast path, BigInt path, half-even rounding of
 * rates finer than 6 decimals, the long-context tier) against the decimal.js reference
 * computeCostString, on 100,000 seeded random events and price entries.
 */

const EVENTS = 100_000;
const INT4_MAX = 2_147_483_647;

/** mulberry32: a small seeded PRNG, so every run checks the very same events. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(0x5eed_2026);
/** An integer in [min, max], uniformly (max up to 2^31). */
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const chance = (p: number) => random() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** A count in [0, max]: often one of the edges, else uniform. */
function partOf(max: number): number {
  const r = random();
  if (r < 0.1) return 0;
  if (r < 0.2) return max;
  return int(0, max);
}

function tokenTotal(): number {
  const r = random();
  if (r < 0.4) return int(0, 5_000);
  if (r < 0.7) return int(0, 300_000);
  if (r < 0.9) return int(0, INT4_MAX);
  return pick([0, 1, 2, 999_999, 1_000_001, INT4_MAX]);
}

/** A valid usage: cache reads + writes <= input, 1-hour writes <= writes, reasoning <= output. */
function randomUsage(inputTokens = tokenTotal()): TokenUsage {
  const cacheRead = partOf(inputTokens);
  const cacheCreation = partOf(inputTokens - cacheRead);
  const outputTokens = tokenTotal();
  const usage: TokenUsage = {
    inputTokens,
    outputTokens,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
    reasoningOutputTokens: partOf(outputTokens),
  };
  if (chance(0.7)) usage.cacheCreation1hInputTokens = partOf(cacheCreation); // else absent: 0
  return usage;
}

/** A rate in USD/Mtok with 0 to 10 decimals, from 0 to the 1,000,000 cap; some with trailing zeros. */
function randomRate(decimals: number): string {
  const r = random();
  if (r < 0.05) return "0";
  if (r < 0.07) return "1000000";
  if (r < 0.09) return `0.${"0".repeat(Math.max(0, decimals - 1))}1`; // the smallest step
  const whole = r < 0.5 ? int(0, 99) : r < 0.9 ? int(0, 9_999) : int(0, 999_999);
  if (decimals === 0) return String(whole);
  let fraction = "";
  for (let i = 0; i < decimals; i++) fraction += String(int(0, 9));
  if (chance(0.1)) fraction = `${fraction.slice(0, Math.max(1, decimals - 2))}00`; // trailing zeros
  return `${chance(0.02) ? "00" : ""}${whole}.${fraction}`;
}

function randomRates(): PriceRates {
  // Mostly 6 decimals or fewer (every real price list: the exact number path); the rest up to 10 (rounded).
  const most = chance(0.6) ? int(0, 6) : int(7, 10);
  const rate = () => randomRate(chance(0.5) ? most : int(0, most));
  const cacheWrite = rate();
  return {
    inputPerMtok: rate(),
    outputPerMtok: rate(),
    cacheReadPerMtok: rate(),
    cacheWritePerMtok: cacheWrite,
    cacheWrite1hPerMtok: chance(0.3) ? cacheWrite : rate(),
    reasoningPerMtok: rate(),
  };
}

interface Entry {
  rates: PriceRates;
  longContext: { threshold: number; rates: PriceRates } | null;
}

function randomEntry(): Entry {
  if (!chance(0.35)) return { rates: randomRates(), longContext: null };
  const threshold = pick([0, 1, 128_000, 200_000, 272_000, int(0, 1_000_000), int(0, INT4_MAX)]);
  return { rates: randomRates(), longContext: { threshold, rates: randomRates() } };
}

/** The documented tier rule, written independently: more input tokens than the threshold use the long rates. */
function referenceRates(usage: TokenUsage, entry: Entry): PriceRates {
  return entry.longContext && usage.inputTokens > entry.longContext.threshold ? entry.longContext.rates : entry.rates;
}

describe("entryCost against computeCostString on 100,000 random events", () => {
  it("agrees on every one, through every path", { timeout: 60_000 }, () => {
    let compared = 0;
    let numberPath = 0;
    let bigintPath = 0;
    let fineRates = 0;
    let longTier = 0;
    let atThreshold = 0;
    const mismatches: { usage: TokenUsage; entry: Entry; fast: string; reference: string }[] = [];

    let entry = randomEntry();
    let scaled = withScaledRates(entry);
    for (let i = 0; i < EVENTS; i++) {
      if (chance(0.5)) {
        entry = randomEntry();
        scaled = withScaledRates(entry);
      }
      // Some events right at a long-context threshold (and one token past it).
      let usage: TokenUsage;
      if (entry.longContext && entry.longContext.threshold < INT4_MAX && chance(0.2)) {
        usage = randomUsage(entry.longContext.threshold + int(0, 1));
        atThreshold++;
      } else {
        usage = randomUsage();
      }

      const fast = entryCost(usage, scaled);
      const rates = referenceRates(usage, entry);
      const reference = computeCostString(usage, rates);
      compared++;
      if (fast !== reference && mismatches.length < 5) mismatches.push({ usage, entry, fast, reference });

      const used = ratesForUsage(usage, scaled);
      if (rates !== entry.rates) longTier++;
      if (used.rateDigits > 6) fineRates++;
      else if (costPicoUsd(usage, used) >= 0) numberPath++;
      else bigintPath++;
    }

    expect(mismatches).toEqual([]);
    expect(compared).toBe(EVENTS);
    // Every path was taken many times.
    expect(numberPath).toBeGreaterThan(10_000);
    expect(bigintPath).toBeGreaterThan(5_000);
    expect(fineRates).toBeGreaterThan(10_000);
    expect(longTier).toBeGreaterThan(5_000);
    expect(atThreshold).toBeGreaterThan(2_000);
  });
});
