import { describe, expect, it } from "vitest";
import type { CacheDropEpisode, CacheGroup, CacheMetrics, CacheModel, CachePoint } from "@/lib/analytics/cache";
import type { TokensGroup, TokensJump, TokensMetrics, TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { cacheGroupName, formatAverageTokens, formatChangePct, formatDropLabel, formatDropPoints, formatEpisodeDrop, formatEpisodeRange, formatHitRate, formatPerMtok, tokensGroupName } from "@/lib/view/cache-format";
import { dayTicks, dropBands, groupHitRateRows, hitRateRows, hitRateSummary, tokensChartRows, tokensSummary } from "@/lib/view/cache-charts";
import { parseCachePageState, resolveCacheWindow } from "@/lib/schemas/pages/cache";
import { sortModels, sortTokensRows, tokensRows } from "@/lib/view/cache-tables";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = new Date("2026-12-01T22:10:00Z");

function metrics(overrides: Partial<CacheMetrics> = {}): CacheMetrics {
  return {
    requests: 100,
    input_tokens: 10_000,
    cache_read_input_tokens: 6_347,
    cache_creation_input_tokens: 0,
    uncached_input_tokens: 3_653,
    hit_rate: "0.6347",
    response_cache_hits: 0,
    response_cache_hit_rate: "0.0000",
    saved_usd: "0.000000000000",
    unpriced_cache_read_input_tokens: 0,
    ...overrides,
  };
}

const point = (bucket: string, overrides: Partial<CacheMetrics> = {}): CachePoint => ({ bucket, ...metrics(overrides) });

function episode(overrides: Partial<CacheDropEpisode> = {}): CacheDropEpisode {
  return {
    group: null,
    start: "2026-11-09T00:00:00.000Z",
    end: "2026-11-11T00:00:00.000Z",
    buckets: 2,
    baseline: "0.6877",
    lowest: "0.0764",
    lowest_at: "2026-11-10T00:00:00.000Z",
    drop_pp: "61.14",
    ongoing: false,
    ...overrides,
  };
}

describe("page state and window", () => {
  it("defaults to the last 30 UTC days by day, grouped by tenant", () => {
    const state = parseCachePageState({});
    expect(state).toMatchObject({ days: "30", bucket: "day", by: "tenant", tby: "feature", tmetric: "input", msort: "input_tokens", mdir: "desc" });
    expect(resolveCacheWindow(state, NOW)).toEqual({ from: "2026-11-02", to: "2026-12-02", preset: "30", bucket: "day", notice: null });
  });

  it("replaces wrong values with defaults, drops empty filters, takes the first of repeated keys", () => {
    const state = parseCachePageState({ bucket: "week", by: "user", days: "12", team: "", tenant: ["acme", "globex"], msort: "nope", from: "2026-13-40" });
    expect(state).toMatchObject({ bucket: "day", by: "tenant", days: "30", team: undefined, tenant: "acme", msort: "input_tokens", from: undefined });
  });

  it("uses the 7 and 90 day presets, and a valid custom from/to over any preset", () => {
    expect(resolveCacheWindow(parseCachePageState({ days: "7" }), NOW)).toMatchObject({ from: "2026-11-25", to: "2026-12-02", preset: "7" });
    expect(resolveCacheWindow(parseCachePageState({ days: "90", bucket: "hour" }), NOW)).toMatchObject({ from: "2026-09-03", bucket: "hour", notice: null });
    expect(resolveCacheWindow(parseCachePageState({ days: "7", from: "2026-10-01", to: "2026-10-15" }), NOW)).toMatchObject({
      from: "2026-10-01",
      to: "2026-10-15",
      preset: null,
    });
    // from >= to is not a window: back to the preset
    expect(resolveCacheWindow(parseCachePageState({ from: "2026-10-15", to: "2026-10-15" }), NOW)).toMatchObject({ from: "2026-11-02", preset: "30" });
  });

  it("shows hourly windows longer than the API allows by day, and says so", () => {
    const window = resolveCacheWindow(parseCachePageState({ from: "2026-01-01", to: "2026-05-01", bucket: "hour" }), NOW);
    expect(window.bucket).toBe("day");
    expect(window.notice).toMatch(/at most 92 days/);
  });
});

describe("formatting", () => {
  it("formats hit rates, averages and changes from the exact strings", () => {
    expect(formatHitRate("0.6347")).toBe("63.5%");
    expect(formatHitRate("0.6347", 2)).toBe("63.47%");
    expect(formatHitRate(null)).toBe("—");
    expect(formatAverageTokens("15638.5")).toBe("15,638.5");
    expect(formatAverageTokens("1234567.0")).toBe("1,234,567.0");
    expect(formatAverageTokens("36.6")).toBe("36.6");
    expect(formatAverageTokens(null)).toBe("—");
    expect(formatChangePct("12.5")).toBe("+12.5%");
    expect(formatChangePct("-6.0")).toBe("-6.0%");
    expect(formatChangePct("0.0")).toBe("0.0%");
    expect(formatChangePct("1234.5")).toBe("+1,234.5%");
    expect(formatChangePct(null)).toBe("—");
  });

  it("keeps every decimal of a rate per million tokens", () => {
    expect(formatPerMtok("0.075")).toBe("$0.075");
    expect(formatPerMtok("3")).toBe("$3.00");
    expect(formatPerMtok("0.3")).toBe("$0.30");
    expect(formatPerMtok("1250.5")).toBe("$1,250.50");
    expect(formatPerMtok("0.0000001")).toBe("$0.0000001");
  });

  it("labels drops in points", () => {
    expect(formatDropLabel("61.14")).toBe("−61 pp");
    expect(formatDropLabel("45.50")).toBe("−46 pp");
    expect(formatDropLabel("45.00")).toBe("−45 pp");
    expect(formatDropPoints("61.14")).toBe("61.1 points");
    expect(formatEpisodeDrop(episode())).toBe("68.8% → 7.6%, a drop of 61.1 points");
  });

  it("names an episode's UTC days or hours, the exclusive end shown as the last day", () => {
    expect(formatEpisodeRange(episode(), "day")).toBe("Nov 9–10 (2 days)");
    expect(formatEpisodeRange(episode({ end: "2026-11-10T00:00:00.000Z" }), "day")).toBe("Nov 9 (1 day)");
    expect(formatEpisodeRange(episode({ start: "2026-10-31T00:00:00.000Z", end: "2026-11-02T00:00:00.000Z" }), "day")).toBe("Oct 31–Nov 1 (2 days)");
    expect(formatEpisodeRange(episode({ start: "2026-11-09T09:00:00.000Z", end: "2026-11-11T05:00:00.000Z" }), "hour")).toBe(
      "Nov 9, 09:00 – Nov 11, 05:00 UTC (44 hours)",
    );
  });

  it("names groups, untagged and the folded rest", () => {
    expect(cacheGroupName({ key: "acme", other: false, folded_groups: 0 }, "tenant")).toBe("acme");
    expect(cacheGroupName({ key: null, other: false, folded_groups: 0 }, "tenant")).toBe("untagged");
    expect(cacheGroupName({ key: null, other: true, folded_groups: 3 }, "tenant")).toBe("Other (3 tenants)");
    expect(cacheGroupName({ key: null, other: true, folded_groups: 1 }, "prompt_version")).toBe("Other (1 prompt version)");
    expect(tokensGroupName({ key: "v3", feature: "code-review-bot" }, "prompt_version")).toBe("code-review-bot · v3");
    expect(tokensGroupName({ key: null }, "feature")).toBe("untagged");
  });
});

describe("chart rows", () => {
  const from = Date.parse("2026-11-08T00:00:00Z");
  const series = [
    point("2026-11-08T00:00:00.000Z"),
    point("2026-11-09T00:00:00.000Z", { hit_rate: "0.2219", requests: 2029 }),
    point("2026-11-10T00:00:00.000Z", { hit_rate: null, requests: 0, input_tokens: 0, cache_read_input_tokens: 0 }),
  ];

  it("places daily points mid-day, plots percent and labels the exact rate", () => {
    const rows = hitRateRows(series, "day");
    expect(rows.map((r) => r.t)).toEqual([from + DAY / 2, from + 1.5 * DAY, from + 2.5 * DAY]);
    expect(rows[1]?.values.overall).toBeCloseTo(22.19, 10);
    expect(rows[1]?.labels.overall).toBe("22.19%");
    expect(rows[1]?.label).toBe("Nov 9");
    expect(rows[1]?.detail).toMatch(/^2,029 requests/);
    expect(rows[2]?.values.overall).toBeNull();
    expect(rows[2]?.labels.overall).toBe("—");
    expect(hitRateRows([point("2026-11-09T14:00:00.000Z")], "hour")[0]).toMatchObject({ t: Date.parse("2026-11-09T14:30:00Z"), label: "Nov 9, 14:00 UTC" });
  });

  it("bands drop episodes over their exact span, clamped to the window", () => {
    const to = from + 30 * DAY;
    expect(dropBands([episode()], from, to)).toEqual([
      { key: "2026-11-09T00:00:00.000Z", x1: Date.parse("2026-11-09T00:00:00Z"), x2: Date.parse("2026-11-11T00:00:00Z"), label: "−61 pp", ongoing: false },
    ]);
    const ongoing = episode({ start: "2026-12-06T00:00:00.000Z", end: "2026-12-09T00:00:00.000Z", ongoing: true });
    expect(dropBands([ongoing], from, to)).toEqual([expect.objectContaining({ x1: Date.parse("2026-12-06T00:00:00Z"), x2: to, ongoing: true })]);
    expect(dropBands([episode({ start: "2026-10-01T00:00:00.000Z", end: "2026-10-02T00:00:00.000Z" })], from, to)).toEqual([]);
  });

  it("draws one line per group, the folded rest muted", () => {
    const group = (key: string | null, other: boolean, rates: (string | null)[]): CacheGroup => ({
      key,
      other,
      folded_groups: other ? 2 : 0,
      totals: metrics(),
      series: rates.map((rate, i) => point(series[i]?.bucket ?? "", { hit_rate: rate, requests: rate === null ? 0 : 60 })),
      drops: [],
    });
    const { rows, series: lines } = groupHitRateRows([group("acme", false, ["0.7", "0.1", null]), group(null, true, ["0.5", "0.5", "0.5"])], "tenant", "day");
    expect(lines).toEqual([
      { key: "g0", name: "acme", muted: false },
      { key: "g1", name: "Other (2 tenants)", muted: true },
    ]);
    expect(rows).toHaveLength(3);
    expect(rows[0]?.values).toEqual({ g0: 70, g1: 50 });
    expect(rows[1]?.labels.g0).toBe("10.00% · 60 req.");
    expect(rows[2]?.labels.g0).toBe("no requests");
    expect(groupHitRateRows([], "tenant", "day")).toEqual({ rows: [], series: [] });
  });

  it("puts ticks on UTC midnights, at most about eight", () => {
    const to = from + 30 * DAY;
    const ticks = dayTicks(from, to);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.every((t) => t % DAY === 0 && t >= from && t < to)).toBe(true);
    expect(dayTicks(from, from + 7 * DAY)).toHaveLength(7);
    expect(dayTicks(from + HOUR, from + 3 * DAY)[0]).toBe(from + DAY);
  });

  it("summarises the hit-rate chart in words, drops included", () => {
    const text = hitRateSummary({ series, drops: [episode()], totals: metrics(), bucket: "day" });
    expect(text).toBe(
      "Line chart of the daily prompt-cache hit rate, Nov 8 to Nov 10 (UTC): 63.5% for the window; 1 drop marked: Nov 9–10 (2 days), 68.8% to 7.6% (−61 pp).",
    );
    expect(hitRateSummary({ series, drops: [], totals: metrics(), bucket: "day" })).toMatch(/no drops\.$/);
  });
});

describe("models table", () => {
  const model = (name: string, saved: string | null, hitRate: string | null, requests = 10): CacheModel => ({
    provider: "p",
    model: name,
    requests,
    input_tokens: 1,
    cache_read_input_tokens: 1,
    cache_creation_input_tokens: 0,
    hit_rate: hitRate,
    price: null,
    saved_usd: saved,
  });
  const models = [model("a", "0.000000000001", "0.5000"), model("b", null, "0.0000"), model("c", "0.000000000000", null), model("d", "131.3196786", "0.6949")];

  it("sorts money exactly, nulls last in both directions", () => {
    expect(sortModels(models, "saved_usd", "desc").map((m) => m.model)).toEqual(["d", "a", "c", "b"]);
    expect(sortModels(models, "saved_usd", "asc").map((m) => m.model)).toEqual(["c", "a", "d", "b"]);
    expect(sortModels(models, "hit_rate", "asc").map((m) => m.model)).toEqual(["b", "a", "d", "c"]);
  });

  it("sorts by name and breaks ties by name", () => {
    expect(sortModels(models, "model", "desc").map((m) => m.model)).toEqual(["d", "c", "b", "a"]);
    expect(sortModels(models, "requests", "desc").map((m) => m.model)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("tokens per request", () => {
  const tm = (requests: number, avgIn: string | null, avgOut: string | null): TokensMetrics => ({
    requests,
    input_tokens: 0,
    output_tokens: 0,
    avg_input_tokens: avgIn,
    avg_output_tokens: avgOut,
  });
  const jump = (inputPct: string | null, inputJump: boolean, outputJump = false): TokensJump => ({
    recent: tm(100, "1250.0", "100.0"),
    prior: tm(400, "1000.0", "100.0"),
    input_change_pct: inputPct,
    output_change_pct: "0.0",
    input_jump: inputJump,
    output_jump: outputJump,
    jump: inputJump || outputJump,
  });
  const buckets = ["2026-11-30T00:00:00.000Z", "2026-12-01T00:00:00.000Z"];
  const group = (key: string | null, requests: number, j: TokensJump, feature?: string): TokensGroup => ({
    key,
    ...(feature === undefined ? {} : { feature }),
    totals: tm(requests, "1100.0", "100.0"),
    series: buckets.map((bucket, i) => ({ bucket, ...tm(i === 0 ? 0 : requests, i === 0 ? null : "1100.0", i === 0 ? null : "100.0") })),
    jump: j,
  });
  const report: TokensPerRequestReport = {
    from: "2026-11-30T00:00:00.000Z",
    to: "2026-12-02T00:00:00.000Z",
    bucket: "day",
    group_by: "feature",
    jump_rule: {
      recent_days: 7,
      prior_days: 28,
      threshold_pct: 25,
      min_requests: 50,
      recent: { from: "2026-11-25T00:00:00.000Z", to: "2026-12-02T00:00:00.000Z" },
      prior: { from: "2026-10-28T00:00:00.000Z", to: "2026-11-25T00:00:00.000Z" },
    },
    totals: tm(600, "1234.5", "100.0"),
    series: buckets.map((bucket) => ({ bucket, ...tm(300, "1234.5", "100.0") })),
    jump: jump("2.0", false),
    groups: [group("busy", 300, jump("-3.0", false)), group("steady", 200, jump(null, false)), group("bloated", 100, jump("25.0", true))],
  };

  it("builds rows and sorts changes exactly, unknown changes last", () => {
    const rows = tokensRows(report);
    expect(rows.map((r) => r.name)).toEqual(["busy", "steady", "bloated"]);
    expect(sortTokensRows(rows, "input_change", "desc").map((r) => r.name)).toEqual(["bloated", "busy", "steady"]);
    expect(sortTokensRows(rows, "input_change", "asc").map((r) => r.name)).toEqual(["busy", "bloated", "steady"]);
    expect(sortTokensRows(rows, "key", "asc").map((r) => r.name)).toEqual(["bloated", "busy", "steady"]);
    expect(sortTokensRows(rows, "requests", "asc").map((r) => r.name)).toEqual(["bloated", "steady", "busy"]);
  });

  it("charts flagged groups even past the limit, in the API's order, plus the overall average", () => {
    const { rows, series } = tokensChartRows(report, "input", 2);
    expect(series.map((s) => s.name)).toEqual(["busy", "bloated", "All requests"]);
    expect(series[2]?.muted).toBe(true);
    expect(rows[0]?.values).toEqual({ all: 1234.5, g0: null, g1: null });
    expect(rows[1]?.labels).toEqual({ all: "1,234.5", g0: "1,100.0 · 300 req.", g1: "1,100.0 · 100 req." });
  });

  it("summarises the chart with the flagged groups", () => {
    expect(tokensSummary(report, "input")).toBe(
      "Line chart of average input tokens per request by feature: 1,234.5 over all requests; jumps flagged for bloated (+25.0%).",
    );
    expect(tokensSummary(report, "output")).toMatch(/no jumps flagged\.$/);
  });
});
