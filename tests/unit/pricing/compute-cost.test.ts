import { describe, expect, it } from "vitest";
import { computeCost, type PriceRates } from "@/lib/pricing/compute-cost";
import { formatUsd, Money } from "@/lib/money";

const rates: PriceRates = {
  inputPerMtok: "3",
  outputPerMtok: "15",
  cacheReadPerMtok: "0.3",
  cacheWritePerMtok: "3.75",
  cacheWrite1hPerMtok: "6",
  reasoningPerMtok: "15",
};
const none = { cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 };

describe("computeCost (the contract's formula)", () => {
  it("prices plain input and output", () => {
    const cost = computeCost({ inputTokens: 1000, outputTokens: 500, ...none }, rates);
    expect(formatUsd(cost)).toBe("0.010500000000");
  });

  it("charges cache reads and writes at their own rates, out of the input total", () => {
    // 10,000 input of which 8,000 cache reads and 1,000 cache writes: 1,000 fresh input.
    const cost = computeCost(
      { inputTokens: 10_000, outputTokens: 200, cacheReadInputTokens: 8_000, cacheCreationInputTokens: 1_000, reasoningOutputTokens: 0 },
      rates,
    );
    // (1000*3 + 8000*0.3 + 1000*3.75 + 200*15) / 1e6 = (3000 + 2400 + 3750 + 3000) / 1e6
    expect(formatUsd(cost)).toBe("0.012150000000");
  });

  it("charges reasoning tokens at the reasoning rate, out of the output total", () => {
    const cost = computeCost(
      { inputTokens: 100, outputTokens: 1_000, ...none, reasoningOutputTokens: 700 },
      { ...rates, reasoningPerMtok: "60" },
    );
    // (100*3 + 300*15 + 700*60) / 1e6 = (300 + 4500 + 42000) / 1e6
    expect(formatUsd(cost)).toBe("0.046800000000");
  });

  it("stays exact where binary floats drift", () => {
    const cheap: PriceRates = { ...rates, inputPerMtok: "0.1", outputPerMtok: "0.2" };
    let total = new Money(0);
    for (let i = 0; i < 1000; i++) total = total.add(computeCost({ inputTokens: 1, outputTokens: 1, ...none }, cheap));
    expect(formatUsd(total)).toBe("0.000300000000");
    expect(0.1 + 0.2).not.toBe(0.3); // the reason Money exists
  });

  it("keeps sums beyond 20 significant digits exact", () => {
    const sum = new Money("123456789012.123456789012").add("0.000000000001");
    expect(sum.toFixed(12)).toBe("123456789012.123456789013");
  });

  it("refuses token classes larger than their totals", () => {
    expect(() => computeCost({ inputTokens: 10, outputTokens: 0, ...none, cacheReadInputTokens: 11 }, rates)).toThrow(RangeError);
    expect(() => computeCost({ inputTokens: 0, outputTokens: 5, ...none, reasoningOutputTokens: 6 }, rates)).toThrow(RangeError);
  });
});
