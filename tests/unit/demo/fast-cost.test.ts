import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOG_PRICES } from "@/lib/demo/catalog";
import { costPicoUsd, costString, scaleRates } from "@/lib/demo/fast-cost";
import { LineBuffer } from "@/lib/demo/line-buffer";
import { PriceBook } from "@/lib/demo/price-book";
import { EVENT_COLUMNS, RowRenderer } from "@/lib/demo/rows";
import { Money } from "@/lib/money";
import { computeCost, type PriceRates, type TokenUsage } from "@/lib/pricing/compute-cost";
import { TEST_PRICES, allEvents, plan } from "./helpers";

const usage = fc
  .record({
    input: fc.integer({ min: 0, max: 2_000_000_000 }),
    output: fc.integer({ min: 0, max: 2_000_000_000 }),
    read: fc.double({ min: 0, max: 1, noNaN: true }),
    write: fc.double({ min: 0, max: 1, noNaN: true }),
    reasoning: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ input, output, read, write, reasoning }): TokenUsage => {
    const cacheRead = Math.floor(input * read);
    return {
      inputTokens: input,
      outputTokens: output,
      cacheReadInputTokens: cacheRead,
      cacheCreationInputTokens: Math.floor((input - cacheRead) * write),
      reasoningOutputTokens: Math.floor(output * reasoning),
    };
  });

/** Realistic call sizes (the plain-number path) rather than the int4 extremes. */
const realisticUsage = usage.map((u): TokenUsage => {
  const inputTokens = u.inputTokens % 300_000;
  const outputTokens = u.outputTokens % 50_000;
  const cacheReadInputTokens = Math.floor(inputTokens * 0.6);
  return {
    inputTokens,
    outputTokens,
    cacheReadInputTokens,
    cacheCreationInputTokens: Math.floor((inputTokens - cacheReadInputTokens) / 3),
    reasoningOutputTokens: Math.floor(outputTokens / 4),
  };
});

// Up to 10 decimals, like the prices table's numeric(20, 10).
const rate = fc
  .tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 9_999_999_999 }), fc.integer({ min: 0, max: 10 }))
  .map(([whole, fraction, digits]) => (digits === 0 ? String(whole) : `${whole}.${String(fraction).padStart(10, "0").slice(0, digits)}`));

const rates = fc.record({
  inputPerMtok: rate,
  outputPerMtok: rate,
  cacheReadPerMtok: rate,
  cacheWritePerMtok: rate,
  reasoningPerMtok: rate,
});

function exact(u: TokenUsage, r: PriceRates): string {
  const fast = costString(u, scaleRates(r));
  // The same value, and no digit lost: at least 12 decimals, more only for finer rates.
  expect(new Money(fast).eq(computeCost(u, r)), `${fast} for ${JSON.stringify({ u, r })}`).toBe(true);
  return fast;
}

describe("fast exact cost", () => {
  it("equals computeCost for random usages and random rates with up to 10 decimals", () => {
    fc.assert(fc.property(usage, rates, (u, r) => void exact(u, r)), { numRuns: 3000 });
  });

  it("equals computeCost for every catalog price, on the number path for realistic calls", () => {
    for (const price of CATALOG_PRICES) {
      const scaled = scaleRates(price.rates);
      expect(scaled.fast).not.toBeNull();
      fc.assert(
        fc.property(usage, realisticUsage, (big, realistic) => {
          exact(big, price.rates);
          expect(costPicoUsd(realistic, scaled)).toBeGreaterThanOrEqual(0);
          expect(exact(realistic, price.rates)).toMatch(/^\d+\.\d{12}$/);
        }),
        { numRuns: 500 },
      );
    }
  });

  it("writes exactly 12 decimals for 6-decimal rates and more for finer ones", () => {
    const u = { inputTokens: 1, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 };
    const six = { inputPerMtok: "0.000001", outputPerMtok: "0", cacheReadPerMtok: "0", cacheWritePerMtok: "0", reasoningPerMtok: "0" };
    expect(costString(u, scaleRates(six))).toBe("0.000000000001");
    expect(costString(u, scaleRates({ ...six, inputPerMtok: "0.0000001" }))).toBe("0.0000000000001");
    expect(costString(u, scaleRates({ ...six, inputPerMtok: "2.5000000000" }))).toBe("0.000002500000");
  });

  it("refuses token classes larger than their totals, like computeCost", () => {
    const r = scaleRates(CATALOG_PRICES[0]?.rates ?? fail());
    const bad = { inputTokens: 10, outputTokens: 0, cacheReadInputTokens: 11, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 };
    expect(() => costString(bad, r)).toThrow(RangeError);
  });

  it("renders every generated event's cost_usd exactly as computeCost prices it", () => {
    const p = plan({ days: 4, eventsPerDay: 1500 });
    const events = allEvents(p);
    const renderer = new RowRenderer(new PriceBook(TEST_PRICES), p.seed);
    const costColumn = EVENT_COLUMNS.indexOf("cost_usd");
    let priced = 0;
    for (const [n, event] of events.entries()) {
      const out = new LineBuffer();
      renderer.event(out, n, event);
      const cost = out.toString().trimEnd().split("\t")[costColumn];
      const entry = TEST_PRICES.find(
        (e) => e.provider === event.model.provider && e.model === event.model.model && e.serviceTier === event.tier,
      ) ?? TEST_PRICES.find((e) => e.provider === event.model.provider && e.model === event.model.model && e.serviceTier === "standard");
      if (!entry) {
        expect(cost).toBe("\\N");
        continue;
      }
      priced++;
      expect(cost).toBe(computeCost(event, entry.rates).toFixed(12));
    }
    expect(priced).toBeGreaterThan(events.length * 0.9);
  });

  it("formats large picodollar totals around the 1e12 boundaries exactly", () => {
    const r: PriceRates = { inputPerMtok: "1", outputPerMtok: "0", cacheReadPerMtok: "0", cacheWritePerMtok: "0", reasoningPerMtok: "0" };
    const renderer = new RowRenderer(new PriceBook([{ ...(TEST_PRICES[0] ?? fail()), rates: r }]), 1);
    const event = allEvents(plan())[0] ?? fail();
    const column = EVENT_COLUMNS.indexOf("cost_usd");
    for (const tokens of [999_999, 1_000_000, 1_000_001, 2_147_483_647, 1_999_999_999]) {
      const out = new LineBuffer();
      const e = { ...event, model: { ...event.model, provider: "openai", model: "gpt-4o" }, tier: "standard" as const };
      renderer.event(out, 0, { ...e, inputTokens: tokens, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 });
      expect(out.toString().split("\t")[column]).toBe(new Money(tokens).div(1_000_000).toFixed(12));
    }
  });
});

function fail(): never {
  throw new Error("fixture missing");
}
