import { describe, expect, it } from "vitest";
import { findHitRateDrops, formatHitRate, type DropRule, type HitRatePoint } from "@/lib/analytics/cache-drops";

const DAY = 86_400_000;
const START = Date.parse("2026-03-01T00:00:00Z");
const day = (i: number) => new Date(START + i * DAY).toISOString();

/** A daily series: hit rates in percent (exact: 10,000 input tokens per bucket). */
function series(percents: readonly number[], requests: number | readonly number[] = 100): HitRatePoint[] {
  return percents.map((percent, i) => ({
    bucket: day(i),
    requests: typeof requests === "number" ? requests : (requests[i] ?? 0),
    inputTokens: 10_000,
    cacheReadInputTokens: Math.round(percent * 100),
  }));
}

const RULE: DropRule = { dropPp: 15, baselineBuckets: 7, minRequests: 50, minBuckets: 1 };
const find = (points: HitRatePoint[], rule: Partial<DropRule> = {}, reportFrom?: string) =>
  findHitRateDrops(points, { rule: { ...RULE, ...rule }, bucketMs: DAY, group: null, reportFrom });

const flat = (n: number, percent = 70) => Array.from({ length: n }, () => percent);

describe("findHitRateDrops", () => {
  it("finds nothing in a flat series or in one with small wobbles", () => {
    expect(find(series(flat(30)))).toEqual([]);
    expect(find(series([70, 72, 68, 71, 69, 70, 73, 60, 66, 74, 58, 70]))).toEqual([]);
  });

  it("finds a clear dip as one episode with exact bounds and figures", () => {
    const points = series([...flat(10), 30, 25, ...flat(3)]);
    expect(find(points)).toEqual([
      {
        group: null,
        start: day(10),
        end: day(12),
        buckets: 2,
        baseline: "0.7000",
        lowest: "0.2500",
        lowest_at: day(11),
        drop_pp: "45.00",
        ongoing: false,
      },
    ]);
  });

  it("carries the caller's group into the episodes", () => {
    const points = series([...flat(8), 10, 70]);
    const [episode] = findHitRateDrops(points, { rule: RULE, bucketMs: DAY, group: { key: "acme", other: false } });
    expect(episode?.group).toEqual({ key: "acme", other: false });
  });

  it("counts exactly dropPp below the baseline as a drop, and a hair less as none", () => {
    expect(find(series([...flat(7), 55]))).toHaveLength(1);
    const almost: HitRatePoint[] = [...series(flat(7)), { bucket: day(7), requests: 100, inputTokens: 10_000, cacheReadInputTokens: 5501 }];
    expect(find(almost)).toEqual([]);
  });

  it("takes the median of the baseline buckets (the mean of the middle two for an even count)", () => {
    // baseline of [60, 70, 80, 90] = 75; 60 is exactly 15 points below
    const [episode] = find(series([90, 60, 80, 70, 60]), { baselineBuckets: 4 });
    expect(episode).toMatchObject({ start: day(4), baseline: "0.7500", lowest: "0.6000", drop_pp: "15.00" });
    // one outlier does not move a median: 48 is 12 points under it (a mean, 65.7, would fire)
    expect(find(series([60, 60, 100, 60, 60, 60, 60, 48]))).toEqual([]);
  });

  it("never fires on a slow drift", () => {
    // 2 points a day down, from 80 % to 22 %: each bucket is ~8 points under its 7-day median
    const drift = Array.from({ length: 30 }, (_, i) => 80 - 2 * i);
    expect(find(series(drift))).toEqual([]);
  });

  it("ignores buckets below the minimum volume: they neither start nor interrupt an episode", () => {
    const lowDip = series([...flat(8), 10, ...flat(3)], [...Array(8).fill(100), 49, 100, 100, 100]);
    expect(find(lowDip)).toEqual([]);

    // dip, a quiet (normal-looking but tiny) bucket, dip: one episode over all three
    const gap = series([...flat(8), 20, 70, 30, 70], [...Array(8).fill(100), 100, 10, 100, 100]);
    expect(find(gap)).toEqual([
      expect.objectContaining({ start: day(8), end: day(11), buckets: 2, lowest: "0.2000", lowest_at: day(8), ongoing: false }),
    ]);
  });

  it("skips buckets without input tokens", () => {
    const points = series([...flat(8), 70]);
    points.splice(8, 0, { bucket: "2026-03-08T12:00:00.000Z", requests: 500, inputTokens: 0, cacheReadInputTokens: 0 });
    expect(find(points)).toEqual([]);
  });

  it("ends an episode on recovery and keeps the pre-drop baseline for the next one", () => {
    const points = series([...flat(8), 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 70, 70, 40, 70]);
    const episodes = find(points);
    expect(episodes.map((e) => [e.start, e.end, e.buckets, e.baseline, e.lowest, e.drop_pp, e.ongoing])).toEqual([
      // ten bad days stay one episode: drops never enter the baseline
      [day(8), day(18), 10, "0.7000", "0.2000", "50.00", false],
      [day(20), day(21), 1, "0.7000", "0.4000", "30.00", false],
    ]);
  });

  it("marks an episode that has not recovered by the end of the series as ongoing", () => {
    const [episode] = find(series([...flat(9), 35, 30]));
    expect(episode).toMatchObject({ start: day(9), end: day(11), buckets: 2, lowest: "0.3000", ongoing: true });
  });

  it("needs a full baseline first: a dip during the warm-up is not judged", () => {
    expect(find(series([70, 70, 70, 10, 70, 70, 70, 70, 70]))).toEqual([]);
  });

  it("reports only episodes of at least minBuckets drops", () => {
    const points = series([...flat(8), 20, 70, 20, 20, 70, 20, 20, 20, 70]);
    expect(find(points, { minBuckets: 3 }).map((e) => [e.start, e.buckets])).toEqual([[day(13), 3]]);
    expect(find(points, { minBuckets: 2 }).map((e) => [e.start, e.buckets])).toEqual([
      [day(10), 2],
      [day(13), 3],
    ]);
  });

  it("uses buckets before reportFrom only as baseline", () => {
    const points = series([...flat(7), 20, 70, 70, 20, 20, 70]);
    // the drop on day 7 is before the window; the one from day 10 is in it
    expect(find(points, {}, day(9)).map((e) => [e.start, e.end])).toEqual([[day(10), day(12)]]);
    // an episode in progress when the window opens starts at its first bucket
    expect(find(points, {}, day(11)).map((e) => [e.start, e.end, e.buckets])).toEqual([[day(11), day(12), 1]]);
  });

  it("refuses a rule it cannot apply", () => {
    expect(() => find(series(flat(3)), { dropPp: 0 })).toThrow(RangeError);
    expect(() => find(series(flat(3)), { dropPp: 12.5 })).toThrow(RangeError);
    expect(() => find(series(flat(3)), { baselineBuckets: 0 })).toThrow(RangeError);
    expect(() => find(series(flat(3)), { minRequests: -1 })).toThrow(RangeError);
    expect(() => find(series(flat(3)), { minBuckets: 0 })).toThrow(RangeError);
  });
});

describe("formatHitRate", () => {
  it("writes a fraction with 4 decimals, rounding half to even, null without input", () => {
    expect(formatHitRate(1, 3)).toBe("0.3333");
    expect(formatHitRate(2, 3)).toBe("0.6667");
    expect(formatHitRate(8548, 16_000)).toBe("0.5342"); // 0.53425: the tie goes to the even digit
    expect(formatHitRate(15, 100_000)).toBe("0.0002"); // 0.00015
    expect(formatHitRate(10n, 10n)).toBe("1.0000");
    expect(formatHitRate(0, 0)).toBeNull();
  });
});
