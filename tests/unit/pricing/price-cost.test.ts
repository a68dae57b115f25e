import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { BILLED_RATES, billedTokens, computeCostString, formatCost, type PriceRates, type TokenUsage } from "@/lib/pricing/compute-cost";
import { costPicoUsd, entryCost, priceCost, ratesForUsage, scaleRates, withScaledRates } from "@/lib/pricing/price-cost";

const u = (input: number, output: number, cacheRead = 0, cacheCreation = 0, reasoning = 0, cacheCreation1h = 0): TokenUsage => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadInputTokens: cacheRead,
  cacheCreationInputTokens: cacheCreation,
  cacheCreation1hInputTokens: cacheCreation1h,
  reasoningOutputTokens: reasoning,
});
const r = (input: string, output = "0", cacheRead = input, cacheWrite = input, reasoning = output, cacheWrite1h = cacheWrite): PriceRates => ({
  inputPerMtok: input,
  outputPerMtok: output,
  cacheReadPerMtok: cacheRead,
  cacheWritePerMtok: cacheWrite,
  cacheWrite1hPerMtok: cacheWrite1h,
  reasoningPerMtok: reasoning,
});
const cost = (usage: TokenUsage, rates: PriceRates) => priceCost(usage, scaleRates(rates));

describe("priceCost: hand-computed examples", () => {
  it("prices cache reads, cache writes and reasoning at their own rates", () => {
    // (1000*3 + 8000*0.3 + 1000*3.75 + 200*15) / 1e6 = (3000 + 2400 + 3750 + 3000) / 1e6 = 0.01215
    expect(cost(u(10_000, 200, 8_000, 1_000), r("3", "15", "0.3", "3.75"))).toBe("0.012150000000");
    // gpt-4o-mini: (86*0.15 + 1920*0.075 + 300*0.6) / 1e6 = (12.9 + 144 + 180) / 1e6 = 0.0003369
    expect(cost(u(2006, 300, 1920), r("0.15", "0.6", "0.075"))).toBe("0.000336900000");
    // o-series: (100*1.1 + 300*4.4 + 700*4.4) / 1e6 = (110 + 1320 + 3080) / 1e6 = 0.00451
    expect(cost(u(100, 1000, 0, 0, 700), r("1.1", "4.4"))).toBe("0.004510000000");
    // a distinct reasoning rate: (300*15 + 700*60) / 1e6 = 0.0465
    expect(cost(u(0, 1000, 0, 0, 700), r("3", "15", "0.3", "3.75", "60"))).toBe("0.046500000000");
    expect(cost(u(0, 0), r("3", "15"))).toBe("0.000000000000");
  });

  it("prices 1-hour cache writes at their own rate, the rest of the writes at the 5-minute rate", () => {
    // Sonnet 4.5: 1,000 uncached x 3 + 8,000 reads x 0.3 + 600 five-minute writes x 3.75 + 400 one-hour writes x 6 + 200 x 15
    // = (3000 + 2400 + 2250 + 2400 + 3000) / 1e6 = 0.01305
    expect(cost(u(10_000, 200, 8_000, 1_000, 0, 400), r("3", "15", "0.3", "3.75", "15", "6"))).toBe("0.013050000000");
    // Without a 1-hour rate the 5-minute one applies: (3000 + 2400 + 1000 x 3.75 + 3000) / 1e6 = 0.01215
    expect(cost(u(10_000, 200, 8_000, 1_000, 0, 400), r("3", "15", "0.3", "3.75"))).toBe("0.012150000000");
    // More 1-hour writes than writes is impossible.
    expect(() => cost(u(10_000, 0, 0, 100, 0, 101), r("3"))).toThrow(RangeError);
  });

  it("keeps every digit down to the picodollar for 6-decimal rates", () => {
    // 1 token at 0.000001 USD/Mtok = 1e-12 USD
    expect(cost(u(1, 0), r("0.000001"))).toBe("0.000000000001");
    // 7 tokens at 0.123456 = 0.864192 / 1e6
    expect(cost(u(7, 0), r("0.123456"))).toBe("0.000000864192");
  });

  it("rounds finer rates half to even at the 12th decimal, exactly like computeCost", () => {
    // 1 x 0.0000015 / 1e6 = 1.5e-12 -> 2e-12 (tie, 1 is odd: up to even)
    expect(cost(u(1, 0), r("0.0000015"))).toBe("0.000000000002");
    // 1 x 0.0000025 / 1e6 = 2.5e-12 -> 2e-12 (tie, 2 is even: stays)
    expect(cost(u(1, 0), r("0.0000025"))).toBe("0.000000000002");
    // 3 x 0.0000015 = 4.5e-12 -> 4e-12; 5 x 0.0000015 = 7.5e-12 -> 8e-12
    expect(cost(u(3, 0), r("0.0000015"))).toBe("0.000000000004");
    expect(cost(u(5, 0), r("0.0000015"))).toBe("0.000000000008");
    // not ties: 1.51e-12 -> 2e-12, 1.49e-12 -> 1e-12, 0.4999999999e-12 -> 0
    expect(cost(u(1, 0), r("0.00000151"))).toBe("0.000000000002");
    expect(cost(u(1, 0), r("0.00000149"))).toBe("0.000000000001");
    expect(cost(u(1, 0), r("0.0000004999"))).toBe("0.000000000000");
    for (const [tokens, rate] of [[1, "0.0000015"], [1, "0.0000025"], [3, "0.0000015"], [5, "0.0000015"]] as const) {
      expect(cost(u(tokens, 0), r(rate))).toBe(computeCostString(u(tokens, 0), r(rate)));
    }
    expect(formatCost("0.0000000000025")).toBe("0.000000000002");
    expect(formatCost("0.0000000000035")).toBe("0.000000000004");
  });

  it("switches to BigInt above 2^53 picodollars without losing digits", () => {
    // 2,000,000,000 x 10 / 1e6 = 20,000 USD = 2e16 pUSD > 2^53
    const rates = scaleRates(r("10"));
    expect(costPicoUsd(u(2_000_000_000, 0), rates)).toBe(-1);
    expect(priceCost(u(2_000_000_000, 0), rates)).toBe("20000.000000000000");
    // the largest call at the schema's cap: (2^31-1) x 1e6 x 2 / 1e6 = 4,294,967,294 USD
    expect(cost(u(2_147_483_647, 2_147_483_647), r("1000000", "1000000"))).toBe("4294967294.000000000000");
    // (2147483647 x 1e6 + 2147483647 x 0.0000001) / 1e6 = (2147483647000000 + 214.7483647) / 1e6
    // = 2147483647.0002147483647 -> 12 decimals: ...000214748364|7 rounds up to ...000214748365
    expect(cost(u(2_147_483_647, 2_147_483_647), r("1000000", "0.0000001"))).toBe("2147483647.000214748365");
  });

  it("refuses costs beyond numeric(24, 12), bad rates and impossible token classes", () => {
    // 2,147,483,647 x 1e9 / 1e6 = 2.1e12 USD: 13 integer digits
    expect(() => cost(u(2_147_483_647, 0), r("1000000000"))).toThrow(RangeError);
    expect(() => scaleRates(r("0.00000000001"))).toThrow(RangeError); // 11 decimals
    expect(() => scaleRates(r("-1"))).toThrow(RangeError);
    expect(() => scaleRates(r("1e-7"))).toThrow(RangeError);
    expect(() => cost(u(10, 0, 11), r("1"))).toThrow(RangeError);
    expect(() => cost(u(0, 5, 0, 0, 6), r("1"))).toThrow(RangeError);
  });

  it("withScaledRates attaches the scaled rates to an entry", () => {
    const entry = withScaledRates({ id: "x", rates: r("2.5", "10", "1.25") });
    expect(entry.id).toBe("x");
    expect(entry.scaled.rateDigits).toBe(6);
    // BILLED_RATES order: input, cache read, cache write (5 min), cache write (1 h), output, reasoning
    expect(entry.scaled.units).toEqual([2_500_000n, 1_250_000n, 2_500_000n, 2_500_000n, 10_000_000n, 10_000_000n]);
    expect(entry.scaled.fast).toEqual([2_500_000, 1_250_000, 2_500_000, 2_500_000, 10_000_000, 10_000_000]);
    expect(priceCost(u(1_000_000, 0), entry.scaled)).toBe("2.500000000000");
  });
});

// Up to 10 decimals and up to the schema's 1,000,000 USD/Mtok cap.
const rate = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 9_999_999_999 }), fc.integer({ min: 0, max: 10 }), fc.boolean())
  .map(([whole, fraction, digits, small]) => {
    const w = small ? whole % 100 : whole;
    if (digits === 0 || w === 1_000_000) return String(w);
    return `${w}.${String(fraction).padStart(10, "0").slice(0, digits)}`;
  });
const rates = fc.record({ inputPerMtok: rate, outputPerMtok: rate, cacheReadPerMtok: rate, cacheWritePerMtok: rate, cacheWrite1hPerMtok: rate, reasoningPerMtok: rate });

const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const tokenCount = fc.oneof(fc.integer({ min: 0, max: 2_147_483_647 }), fc.integer({ min: 0, max: 300_000 }));
const usage = fc
  .record({ input: tokenCount, output: tokenCount, read: fraction, write: fraction, oneHour: fraction, reasoning: fraction })
  .map(({ input, output, read, write, oneHour, reasoning }): TokenUsage => {
    const cacheRead = Math.floor(input * read);
    const cacheWrite = Math.floor((input - cacheRead) * write);
    return u(input, output, cacheRead, cacheWrite, Math.floor(output * reasoning), Math.floor(cacheWrite * oneHour));
  });

/**
 * The contract's formula written out once more, term by term and independently of
 * billedTokens / BILLED_RATES (which computeCost and priceCost share), so that a wrong
 * class-to-rate pairing there cannot pass by agreeing with itself.
 */
function contractCost(x: TokenUsage, rates: PriceRates): string {
  const terms: [number, string][] = [
    [x.inputTokens - x.cacheReadInputTokens - x.cacheCreationInputTokens, rates.inputPerMtok],
    [x.cacheReadInputTokens, rates.cacheReadPerMtok],
    [x.cacheCreationInputTokens - (x.cacheCreation1hInputTokens ?? 0), rates.cacheWritePerMtok],
    [x.cacheCreation1hInputTokens ?? 0, rates.cacheWrite1hPerMtok],
    [x.outputTokens - x.reasoningOutputTokens, rates.outputPerMtok],
    [x.reasoningOutputTokens, rates.reasoningPerMtok],
  ];
  return formatCost(terms.reduce((sum, [tokens, rate]) => sum.add(new Money(tokens).mul(rate)), new Money(0)).div(1_000_000));
}

describe("the billing rule", () => {
  it("pairs each billed token class with its own rate", () => {
    expect(BILLED_RATES).toEqual(["inputPerMtok", "cacheReadPerMtok", "cacheWritePerMtok", "cacheWrite1hPerMtok", "outputPerMtok", "reasoningPerMtok"]);
    // input 10,000 of which 8,000 cache reads and 1,000 cache writes (300 of them for 1 hour); output 200 of which 50 reasoning
    expect(billedTokens(u(10_000, 200, 8_000, 1_000, 50, 300))).toEqual([1_000, 8_000, 700, 300, 150, 50]);
    expect(() => billedTokens(u(10, 0, 6, 5))).toThrow(RangeError);
    expect(() => billedTokens(u(0, 5, 0, 0, 6))).toThrow(RangeError);
  });
});

describe("priceCost: property", () => {
  it("equals the decimal reference exactly (rounded to 12 decimals) for random token mixes and rates with up to 10 decimals", () => {
    fc.assert(
      fc.property(usage, rates, (usageValue, ratesValue) => {
        const fast = priceCost(usageValue, scaleRates(ratesValue));
        const reference = computeCostString(usageValue, ratesValue);
        expect(fast, JSON.stringify({ usageValue, ratesValue })).toBe(reference);
        expect(reference).toBe(contractCost(usageValue, ratesValue));
        expect(fast).toMatch(/^\d{1,12}\.\d{12}$/);
      }),
      { numRuns: 10_000 },
    );
  });

  it("equals computeCost for realistic calls at 6-decimal rates on the plain-number path", () => {
    // micro-dollars per Mtok as a 6-decimal string, e.g. 2_500_000 -> "2.500000"
    const six = fc.integer({ min: 0, max: 200_000_000 }).map((micro) => `${Math.floor(micro / 1_000_000)}.${String(micro % 1_000_000).padStart(6, "0")}`);
    const sixRates = fc.record({ inputPerMtok: six, outputPerMtok: six, cacheReadPerMtok: six, cacheWritePerMtok: six, cacheWrite1hPerMtok: six, reasoningPerMtok: six });
    const realistic = usage.map((x) => u(x.inputTokens % 300_000, x.outputTokens % 50_000, 0, 0, 0));
    fc.assert(
      fc.property(realistic, sixRates, (usageValue, ratesValue) => {
        const scaled = scaleRates(ratesValue);
        expect(costPicoUsd(usageValue, scaled)).toBeGreaterThanOrEqual(0);
        expect(priceCost(usageValue, scaled)).toBe(computeCostString(usageValue, ratesValue));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("long-context tiers", () => {
  // Sonnet 4: 3/15 up to 200,000 input tokens, 6/22.5 above (every class of the event).
  const entry = withScaledRates({
    id: "sonnet-4",
    rates: r("3", "15", "0.3", "3.75", "15", "6"),
    longContext: { threshold: 200_000, rates: r("6", "22.5", "0.6", "7.5", "22.5", "12") },
  });

  it("bills an event over the threshold at the long rates, one at the threshold at the base rates", () => {
    // 200,000 x 3 + 1,000 x 15 = 615,000 / 1e6
    expect(entryCost(u(200_000, 1_000), entry)).toBe("0.615000000000");
    // 200,001 x 6 + 1,000 x 22.5 = 1,222,506 / 1e6
    expect(entryCost(u(200_001, 1_000), entry)).toBe("1.222506000000");
    // Above it, with reads and writes: 50,001 x 6 + 150,000 x 0.6 + 10,000 x 7.5 + 5,000 x 12 + 2,000 x 22.5
    //   = 300,006 + 90,000 + 75,000 + 60,000 + 45,000 = 570,006 / 1e6
    expect(entryCost(u(215_001, 2_000, 150_000, 15_000, 0, 5_000), entry)).toBe("0.570006000000");
    expect(ratesForUsage(u(1, 0), entry)).toBe(entry.scaled);
    expect(ratesForUsage(u(200_001, 0), entry)).toBe(entry.scaledLong?.scaled);
  });

  it("an entry without a tier prices every event at its rates", () => {
    const plain = withScaledRates({ id: "plain", rates: r("3", "15") });
    expect(plain.scaledLong).toBeNull();
    expect(entryCost(u(1_000_000, 0), plain)).toBe("3.000000000000");
  });
});
