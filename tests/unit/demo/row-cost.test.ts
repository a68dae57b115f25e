import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATALOG_PRICES } from "@/lib/demo/catalog";
import { LineBuffer } from "@/lib/demo/line-buffer";
import { PriceBook } from "@/lib/demo/price-book";
import { INEXACT } from "@/lib/demo/rollup-rows";
import { EVENT_COLUMNS, RowRenderer } from "@/lib/demo/rows";
import { Money } from "@/lib/money";
import { computeCostString, type PriceRates, type TokenUsage } from "@/lib/pricing/compute-cost";
import { costPicoUsd, scaleRates } from "@/lib/pricing/price-cost";
import { TEST_PRICES, allEvents, plan } from "./helpers";

/** The seed prices with lib/pricing's priceCost, the ingest path's pricer: these check the rendering around it. */

/** Realistic call sizes: up to 300k prompt and 50k completion tokens, any cache and reasoning split. */
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const realisticUsage = fc
  .record({ input: fc.integer({ min: 0, max: 300_000 }), output: fc.integer({ min: 0, max: 50_000 }), read: fraction, write: fraction, reasoning: fraction })
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

const cell = (out: LineBuffer, column: (typeof EVENT_COLUMNS)[number]) => out.toString().trimEnd().split("\t")[EVENT_COLUMNS.indexOf(column)];

describe("the seed's cost_usd", () => {
  it("is on the plain-number path for every catalog price and realistic calls", () => {
    for (const price of CATALOG_PRICES) {
      const scaled = scaleRates(price.rates);
      expect(scaled.fast).not.toBeNull();
      fc.assert(fc.property(realisticUsage, (u) => costPicoUsd(u, scaled) >= 0), { numRuns: 300 });
    }
  });

  it("renders every generated event's cost_usd exactly as computeCost prices it", () => {
    const p = plan({ days: 4, eventsPerDay: 1500 });
    const events = allEvents(p);
    const renderer = new RowRenderer(new PriceBook(TEST_PRICES), p.seed);
    let priced = 0;
    for (const [n, event] of events.entries()) {
      const out = new LineBuffer();
      renderer.event(out, n, event);
      const cost = cell(out, "cost_usd");
      const entry =
        TEST_PRICES.find((e) => e.provider === event.model.provider && e.model === event.model.model && e.serviceTier === event.tier) ??
        TEST_PRICES.find((e) => e.provider === event.model.provider && e.model === event.model.model && e.serviceTier === "standard");
      if (!entry) {
        expect(cost).toBe("\\N");
        continue;
      }
      priced++;
      expect(cost).toBe(computeCostString(event, entry.rates));
    }
    expect(priced).toBeGreaterThan(events.length * 0.9);
  });

  it("formats large picodollar totals around the 1e12 boundaries exactly", () => {
    const r: PriceRates = { inputPerMtok: "1", outputPerMtok: "0", cacheReadPerMtok: "0", cacheWritePerMtok: "0", cacheWrite1hPerMtok: "0", reasoningPerMtok: "0" };
    const renderer = new RowRenderer(new PriceBook([{ ...(TEST_PRICES[0] ?? fail()), rates: r }]), 1);
    const event = allEvents(plan())[0] ?? fail();
    for (const tokens of [999_999, 1_000_000, 1_000_001, 2_147_483_647, 1_999_999_999]) {
      const out = new LineBuffer();
      const e = { ...event, model: { ...event.model, provider: "openai", model: "gpt-4o" }, tier: "standard" as const };
      renderer.event(out, 0, { ...e, inputTokens: tokens, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 });
      expect(cell(out, "cost_usd")).toBe(new Money(tokens).div(1_000_000).toFixed(12));
    }
  });

  it("rounds a price finer than 6 decimals half to even at 12 decimals, as ingest does, and reports it inexact", () => {
    // 1 token at 0.0000015 USD/Mtok = 1.5e-12 USD -> 2e-12; 5 tokens = 7.5e-12 -> 8e-12; 3 tokens = 4.5e-12 -> 4e-12
    const r: PriceRates = { inputPerMtok: "0.0000015", outputPerMtok: "0", cacheReadPerMtok: "0", cacheWritePerMtok: "0", cacheWrite1hPerMtok: "0", reasoningPerMtok: "0" };
    const renderer = new RowRenderer(new PriceBook([{ ...(TEST_PRICES[0] ?? fail()), provider: "openai", model: "gpt-4o", serviceTier: "standard", rates: r }]), 1);
    const event = allEvents(plan())[0] ?? fail();
    const e = { ...event, model: { ...event.model, provider: "openai", model: "gpt-4o" }, tier: "standard" as const };
    for (const [tokens, expected] of [[1, "0.000000000002"], [5, "0.000000000008"], [3, "0.000000000004"]] as const) {
      const out = new LineBuffer();
      const cost = renderer.event(out, 0, { ...e, inputTokens: tokens, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 });
      expect(cost).toBe(INEXACT);
      expect(cell(out, "cost_usd")).toBe(expected);
    }
  });
});

function fail(): never {
  throw new Error("fixture missing");
}
