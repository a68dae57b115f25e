import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { BILLED_RATES, computeCostString, type PriceRates, type TokenUsage } from "@/lib/pricing/compute-cost";
import { priceCost, scaleRates, withScaledRates } from "@/lib/pricing/price-cost";
import { findOpportunities, type UsageGroup } from "@/lib/savings/advisor";

/**
 * model_swap on random token classes and random rate pairs where every rate of the substitute
 * is at most the model's: the projection never exceeds the current cost, both equal priceCost
 * computed directly (and the decimal reference), and the savings are their exact difference.
 */

/** A non-negative decimal string of `units` × 10^-digits ("12.5", "0.0000001", "3"). */
function decimal(units: bigint, digits: number): string {
  return new Money(units.toString()).div(new Money(10).pow(digits)).toFixed();
}

/** A rate up to 1,000 USD/Mtok with 0..10 decimals, and one at most that with 0..10 decimals. */
const ratePairArb: fc.Arbitrary<[string, string]> = fc
  .record({ digitsA: fc.integer({ min: 0, max: 10 }), digitsB: fc.integer({ min: 0, max: 10 }), a: fc.bigInt({ min: 0n, max: 10n ** 13n }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
  .map(({ digitsA, digitsB, a, share }) => {
    const aUnits = a / 10n ** BigInt(10 - digitsA); // ≤ 1,000 × 10^digitsA
    const bMax = (aUnits * 10n ** BigInt(digitsB)) / 10n ** BigInt(digitsA); // floor: b ≤ a
    const bUnits = share >= 1 ? bMax : (bMax * BigInt(Math.floor(share * 1_000_000))) / 1_000_000n;
    return [decimal(aUnits, digitsA), decimal(bUnits, digitsB)];
  });

const ratesArb: fc.Arbitrary<[PriceRates, PriceRates]> = fc.tuple(...BILLED_RATES.map(() => ratePairArb)).map((pairs) => {
  const model = Object.fromEntries(BILLED_RATES.map((rate, i) => [rate, pairs[i]![0]])) as unknown as PriceRates;
  const substitute = Object.fromEntries(BILLED_RATES.map((rate, i) => [rate, pairs[i]![1]])) as unknown as PriceRates;
  return [model, substitute];
});

/** Token classes of an aggregate: reads + writes ≤ input, reasoning ≤ output. */
const usageArb: fc.Arbitrary<TokenUsage> = fc
  .record({
    input: fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: 2_000_000_000 }), fc.constant(0)),
    readShare: fc.double({ min: 0, max: 1, noNaN: true }),
    writeShare: fc.double({ min: 0, max: 1, noNaN: true }),
    output: fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: 500_000_000 })),
    reasoningShare: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ input, readShare, writeShare, output, reasoningShare }) => {
    const reads = Math.floor(input * readShare);
    const writes = Math.floor((input - reads) * writeShare);
    return {
      inputTokens: input,
      outputTokens: output,
      cacheReadInputTokens: reads,
      cacheCreationInputTokens: writes,
      reasoningOutputTokens: Math.floor(output * reasoningShare),
    };
  });

describe("model_swap, property", () => {
  it("savings = current − projected exactly, ≥ 0, both priced by priceCost", () => {
    fc.assert(
      fc.property(usageArb, ratesArb, fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 92 }), (usage, [modelRates, subRates], requests, windowDays) => {
        const entries = new Map([
          ["p/current/standard", withScaledRates({ rates: modelRates, longContext: null })],
          ["q/cheaper/standard", withScaledRates({ rates: subRates, longContext: null })],
        ]);
        const group: UsageGroup = { team: "t", feature: "f", provider: "p", model: "current", serviceTier: "standard", requests, ...usage };
        const { opportunities, total_savings_usd } = findOpportunities({
          groups: [group],
          weeks: [],
          priceOf: (provider, model, tier) => entries.get(`${provider}/${model}/${tier}`) ?? null,
          substitutes: [{ from: { provider: "p", model: "current" }, to: { provider: "q", model: "cheaper" } }],
          deferrable: new Set(),
          dismissed: () => false,
          windowDays,
        });

        const current = priceCost(usage, scaleRates(modelRates));
        const projected = priceCost(usage, scaleRates(subRates));
        expect(current).toBe(computeCostString(usage, modelRates));
        expect(projected).toBe(computeCostString(usage, subRates));
        expect(new Money(projected).lte(current)).toBe(true);

        if (new Money(projected).lt(current)) {
          expect(opportunities).toHaveLength(1);
          const [swap] = opportunities;
          expect(swap).toMatchObject({ kind: "model_swap", suggested_provider: "q", suggested_model: "cheaper", current_cost_usd: current, projected_cost_usd: projected });
          const savings = new Money(current).minus(projected);
          expect(swap!.savings_usd).toBe(savings.toFixed(12));
          expect(new Money(swap!.savings_usd).gt(0)).toBe(true);
          expect(swap!.savings_per_month_usd).toBe(savings.times(30).div(windowDays).toFixed(12));
          expect(total_savings_usd).toBe(swap!.savings_usd);
        } else {
          expect(opportunities).toEqual([]);
          expect(total_savings_usd).toBe("0.000000000000");
        }
      }),
      { numRuns: 500 },
    );
  });
});
