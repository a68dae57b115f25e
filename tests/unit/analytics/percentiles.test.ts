import { describe, expect, it } from "vitest";
import { amountDistribution, logHistogram, nearestRank, percentileOfSorted, sortAmounts } from "@/lib/analytics/percentiles";

describe("nearestRank: k = ceil(p/100 * n), at least 1", () => {
  it.each([
    [20, 50, 10],
    [20, 95, 19],
    [20, 99, 20],
    [20, 100, 20],
    [20, 0, 1],
    [10, 95, 10],
    [3, 50, 2],
    [4, 50, 2],
    [1, 99, 1],
    [100, 99, 99],
    [100, 99.9, 100],
    [1000, 99.9, 999],
    [7, "33.3", 3],
    [200, "0.5", 1],
    [201, "0.5", 2],
  ])("n=%d p=%s -> %d", (n, p, k) => {
    expect(nearestRank(n, p)).toBe(k);
  });

  it("refuses an empty set and percentiles outside [0, 100]", () => {
    expect(() => nearestRank(0, 50)).toThrow(RangeError);
    expect(() => nearestRank(10, 100.01)).toThrow(RangeError);
    expect(() => nearestRank(10, -1)).toThrow(RangeError);
    expect(() => nearestRank(10, Number.NaN)).toThrow(RangeError);
  });

  it("picks an observed value, never an interpolated one", () => {
    const sorted = sortAmounts(["4", "1", "3", "2"]);
    expect(percentileOfSorted(sorted, 50).toString()).toBe("2");
    expect(percentileOfSorted(sorted, 51).toString()).toBe("3");
    expect(percentileOfSorted(sorted, 75).toString()).toBe("3");
    expect(percentileOfSorted(sorted, 76).toString()).toBe("4");
    expect(() => percentileOfSorted([], 50)).toThrow(RangeError);
  });
});

describe("amountDistribution", () => {
  it("gives exact nearest-rank percentiles, mean and total of $0.01 .. $0.20 in any order", () => {
    const values = Array.from({ length: 20 }, (_, i) => ((((i * 7) % 20) + 1) / 100).toFixed(2));
    expect(amountDistribution(values)).toEqual({
      count: 20,
      min_usd: "0.010000000000",
      p50_usd: "0.100000000000",
      p95_usd: "0.190000000000",
      p99_usd: "0.200000000000",
      max_usd: "0.200000000000",
      mean_usd: "0.105000000000",
      total_usd: "2.100000000000",
    });
  });

  it("keeps every digit: no binary floats", () => {
    const result = amountDistribution(["12345678901.123456789012", "0.000000000001"]);
    expect(result.total_usd).toBe("12345678901.123456789013");
    expect(result.max_usd).toBe("12345678901.123456789012");
    expect(result.p50_usd).toBe("0.000000000001");
    expect(result.mean_usd).toBe("6172839450.561728394506");
  });

  it("rounds the mean half-even to 12 fractional digits", () => {
    expect(amountDistribution(["1", "1", "2"]).mean_usd).toBe("1.333333333333");
    expect(amountDistribution(["0.000000000001", "0.000000000002"]).mean_usd).toBe("0.000000000002");
    expect(amountDistribution(["0.000000000001", "0"]).mean_usd).toBe("0.000000000000");
    expect(amountDistribution(["0.000000000003", "0"]).mean_usd).toBe("0.000000000002");
  });

  it("answers nulls for no values", () => {
    expect(amountDistribution([])).toEqual({
      count: 0,
      min_usd: null,
      p50_usd: null,
      p95_usd: null,
      p99_usd: null,
      max_usd: null,
      mean_usd: null,
      total_usd: "0.000000000000",
    });
  });
});

describe("logHistogram", () => {
  it("spaces edges evenly on a log scale between the smallest and largest value", () => {
    const result = logHistogram(["0.001", "0.01", "0.1", "1", "10", "100", "1000"], 6);
    expect(result).toEqual({
      zero_count: 0,
      buckets: [
        { lower_usd: "0.001000000000", upper_usd: "0.010000000000", count: 1 },
        { lower_usd: "0.010000000000", upper_usd: "0.100000000000", count: 1 },
        { lower_usd: "0.100000000000", upper_usd: "1.000000000000", count: 1 },
        { lower_usd: "1.000000000000", upper_usd: "10.000000000000", count: 1 },
        { lower_usd: "10.000000000000", upper_usd: "100.000000000000", count: 1 },
        // the last bucket includes the maximum
        { lower_usd: "100.000000000000", upper_usd: "1000.000000000000", count: 2 },
      ],
    });
  });

  it("makes 20 buckets by default, lower edge inclusive, upper exclusive", () => {
    const result = logHistogram(["1", "1.999999999999", "2", "1048576"]);
    expect(result.buckets).toHaveLength(20);
    expect(result.buckets[0]).toEqual({ lower_usd: "1.000000000000", upper_usd: "2.000000000000", count: 2 });
    expect(result.buckets[1]).toEqual({ lower_usd: "2.000000000000", upper_usd: "4.000000000000", count: 1 });
    expect(result.buckets[19]).toEqual({ lower_usd: "524288.000000000000", upper_usd: "1048576.000000000000", count: 1 });
    expect(result.buckets.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(4);
  });

  it("rounds inner edges to 12 fractional digits", () => {
    const result = logHistogram(["1", "2"], 2);
    // sqrt(2) = 1.41421356237309504880...
    expect(result.buckets.map((b) => [b.lower_usd, b.upper_usd, b.count])).toEqual([
      ["1.000000000000", "1.414213562373", 1],
      ["1.414213562373", "2.000000000000", 1],
    ]);
  });

  it("counts zeros apart, gives one bucket when all positive values are equal, none without any", () => {
    expect(logHistogram(["0", "0", "5", "5"])).toEqual({
      zero_count: 2,
      buckets: [{ lower_usd: "5.000000000000", upper_usd: "5.000000000000", count: 2 }],
    });
    expect(logHistogram(["0"])).toEqual({ zero_count: 1, buckets: [] });
    expect(logHistogram([])).toEqual({ zero_count: 0, buckets: [] });
  });

  it("refuses negative amounts and bad bucket counts", () => {
    expect(() => logHistogram(["-1", "2"])).toThrow(RangeError);
    expect(() => logHistogram(["1", "2"], 0)).toThrow(RangeError);
  });
});
