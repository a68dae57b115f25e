import { describe, expect, it } from "vitest";
import { logHistogram, amountDistribution } from "@/lib/analytics/percentiles";
import type { OutcomeCostRow } from "@/lib/analytics/outcome-cost";
import type { OutcomeTypeReport, TopTrace, TraceCostDistribution } from "@/lib/analytics/outcome-report";
import { activePreset, allUnpriced, bucketKeyOf, costPerSuccessSeries, costPerSuccessSummary, featureCostRows, formatAxisMoney, formatCostWithUnpriced, formatDuration, formatMoneyEdge, formatTimeOfDay, formatWindow, histogramBars, histogramSummary, nextSort, percentileMarkers, presetWindow, previousWindow, resolveOutcomesWindow, sortFeatureRows, sortTopTraces, successRate, windowDays, windowInputProblem, ZERO_BUCKET } from "@/lib/view/outcomes";
import { parseOutcomesPageState } from "@/lib/schemas/pages/outcomes";
import { addDays } from "@/lib/time";

const NOW = new Date("2026-11-15T13:45:00Z");

describe("page state and window", () => {
  it("defaults to the last 30 full UTC days, today left out", () => {
    const state = parseOutcomesPageState({});
    expect(state).toMatchObject({ sort: "cost_per_success_usd", dir: "desc" });
    expect(resolveOutcomesWindow(state, NOW)).toEqual({ from: "2026-10-16", to: "2026-11-15" });
    expect(windowDays({ from: "2026-10-16", to: "2026-11-15" })).toBe(30);
  });

  it("keeps a valid URL window, filters and sort; drops malformed values instead of failing", () => {
    const state = parseOutcomesPageState({ from: "2026-01-01", to: "2026-02-01", type: ["ticket_resolved", "x"], feature: "ticket-triage", sort: "requests", dir: "asc" });
    expect(state).toEqual({ from: "2026-01-01", to: "2026-02-01", type: "ticket_resolved", feature: "ticket-triage", sort: "requests", dir: "asc" });
    expect(resolveOutcomesWindow(state, NOW)).toEqual({ from: "2026-01-01", to: "2026-02-01" });

    const bad = parseOutcomesPageState({ from: "2026-13-01", to: "yesterday", type: "", sort: "nope", dir: "up" });
    expect(bad).toEqual({ from: undefined, to: undefined, type: undefined, feature: undefined, sort: "cost_per_success_usd", dir: "desc" });
  });

  it("falls back to the default for backwards or over-long windows (the API allows 366 days)", () => {
    expect(resolveOutcomesWindow({ from: "2026-02-01", to: "2026-01-01" }, NOW)).toEqual({ from: "2026-10-16", to: "2026-11-15" });
    expect(resolveOutcomesWindow({ from: "2025-01-01", to: "2026-01-03" }, NOW)).toEqual({ from: "2026-10-16", to: "2026-11-15" });
    expect(resolveOutcomesWindow({ from: "2025-01-01", to: "2026-01-02" }, NOW)).toEqual({ from: "2025-01-01", to: "2026-01-02" });
  });

  it("names the active preset, the previous window and the inclusive range", () => {
    expect(presetWindow("2026-11-15", 7)).toEqual({ from: "2026-11-08", to: "2026-11-15" });
    expect(activePreset({ from: "2026-08-17", to: "2026-11-15" }, "2026-11-15")).toBe(90);
    expect(activePreset({ from: "2026-11-08", to: "2026-11-15" }, "2026-11-16")).toBeNull();
    expect(activePreset({ from: "2026-11-01", to: "2026-11-15" }, "2026-11-15")).toBeNull();
    expect(previousWindow({ from: "2026-03-01", to: "2026-03-31" })).toEqual({ from: "2026-01-30", to: "2026-03-01" });
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(formatWindow({ from: "2026-10-16", to: "2026-11-15" })).toBe("Oct 16 – Nov 14, 2026");
    expect(formatWindow({ from: "2025-12-30", to: "2026-01-02" })).toBe("Dec 30, 2025 – Jan 1, 2026");
    expect(formatWindow({ from: "2026-11-14", to: "2026-11-15" })).toBe("Nov 14, 2026");
  });

  it("explains unusable date inputs (both days inclusive)", () => {
    expect(windowInputProblem("2026-11-01", "2026-11-01")).toBeNull();
    expect(windowInputProblem("", "2026-11-01")).toMatch(/both/);
    expect(windowInputProblem("2026-11-02", "2026-11-01")).toMatch(/before/);
    expect(windowInputProblem("2025-01-01", "2025-12-31")).toBeNull();
    expect(windowInputProblem("2025-01-01", "2026-01-01")).toBeNull();
    expect(windowInputProblem("2025-01-01", "2026-01-02")).toMatch(/366/);
  });
});

describe("figures", () => {
  it("computes success rates exactly and says when there is none", () => {
    expect(successRate(3, 1)).toMatch(/^0\.3{40,}$/);
    expect(successRate(4, 3)).toBe("0.75");
    expect(successRate(0, 0)).toBeNull();
  });

  it("never shows an unpriced cost as $0", () => {
    expect(formatCostWithUnpriced(null, 3)).toBe("unpriced");
    expect(formatCostWithUnpriced("1.234000000000", 2)).toBe("$1.23 + 2 unpriced");
    expect(formatCostWithUnpriced("0.000420000000", 0)).toBe("$0.00042");
    expect(formatCostWithUnpriced("0.000000000000", 0)).toBe("$0.00");
  });

  it("formats axis ticks, durations and times", () => {
    expect(formatAxisMoney(0)).toBe("$0");
    expect(formatAxisMoney(0.0042)).toBe("$0.0042");
    expect(formatAxisMoney(0.123)).toBe("$0.12");
    expect(formatAxisMoney(1500)).toBe("$1.5K");
    expect(formatDuration(350)).toBe("350 ms");
    expect(formatDuration(1234)).toBe("1.2 s");
    expect(formatDuration(125_000)).toBe("2 min 5 s");
    expect(formatDuration(3 * 3_600_000 + 60_000)).toBe("3 h 1 min");
    expect(formatTimeOfDay("2026-11-03T14:03:22.123Z")).toBe("14:03:22.123");
  });
});

function typeReport(type: string, daily: Array<[string, number, number, string, string | null]>, overrides: Partial<OutcomeTypeReport> = {}): OutcomeTypeReport {
  return {
    type,
    outcomes: daily.reduce((s, d) => s + d[1], 0),
    successful: daily.reduce((s, d) => s + d[2], 0),
    cost_usd: "1.000000000000",
    cost_per_success_usd: "0.500000000000",
    failed_cost_usd: "0.000000000000",
    retry_cost_usd: "0.000000000000",
    retry_share: "0.000000000000",
    requests: 10,
    retries: 0,
    unpriced_requests: 0,
    daily: daily.map(([day, outcomes, successful, cost_usd, cost_per_success_usd]) => ({ day, outcomes, successful, cost_usd, cost_per_success_usd })),
    ...overrides,
  };
}

describe("cost per success per day", () => {
  const a = typeReport("ticket.resolved", [
    ["2026-11-01", 2, 2, "0.200000000000", "0.100000000000"],
    ["2026-11-02", 1, 0, "0.300000000000", null],
    ["2026-11-03", 4, 2, "0.500000000000", "0.250000000000"],
  ]);

  it("keys series safely, keeps days without a success as gaps, and labels exact figures", () => {
    const { series, days, scale } = costPerSuccessSeries([a]);
    expect(series).toEqual([{ key: "s0", name: "ticket.resolved" }]);
    expect(scale).toBe("linear");
    expect(days.map((d) => d.values.s0)).toEqual([0.1, null, 0.25]);
    expect(days[0]).toMatchObject({ day: "2026-11-01", label: "Nov 1" });
    expect(days[0]?.labels.s0).toBe("$0.10 per success · 2 successes · $0.20");
    expect(days[1]?.labels.s0).toBe("no successes · $0.30 spent");
  });

  it("switches to a log axis when the lines span more than 10x, leaving $0 days as gaps", () => {
    const b = typeReport("answer_accepted", [
      ["2026-11-01", 1, 1, "0.000000000000", "0.000000000000"],
      ["2026-11-02", 1, 1, "0.002000000000", "0.002000000000"],
      ["2026-11-03", 1, 1, "0.003000000000", "0.003000000000"],
    ]);
    const { days, scale } = costPerSuccessSeries([a, b]);
    expect(scale).toBe("log");
    expect(days.map((d) => d.values.s1)).toEqual([null, 0.002, 0.003]);
    expect(days[0]?.labels.s1).toBe("$0.00 per success · 1 success · $0.00");
  });

  it("summarises each type for screen readers", () => {
    const summary = costPerSuccessSummary([a], { from: "2026-11-01", to: "2026-11-04" });
    expect(summary).toBe(
      "Line chart of cost per successful outcome per UTC day, Nov 1 – Nov 3, 2026. ticket.resolved: $0.50 overall, lowest $0.10 on Nov 1, highest $0.25 on Nov 3.",
    );
    expect(costPerSuccessSummary([], { from: "2026-11-01", to: "2026-11-04" })).toMatch(/no outcomes/);
  });
});

function distributionOf(values: string[], extra: Partial<TraceCostDistribution> = {}): TraceCostDistribution {
  return { traces: values.length, traces_without_calls: 0, traces_with_unpriced_calls: 0, ...amountDistribution(values), histogram: logHistogram(values, 4), ...extra };
}

describe("cost per trace histogram", () => {
  const values = ["0", "0", "0.001", "0.002", "0.004", "0.008", "0.016", "0.5", "1"];
  const d = distributionOf(values);

  it("puts $0 traces in their own first bar and labels buckets by formatted money edges", () => {
    const bars = histogramBars(d.histogram);
    expect(bars.map((b) => b.key)).toEqual([ZERO_BUCKET, "0", "1", "2", "3"]);
    expect(bars.map((b) => b.count)).toEqual([2, 3, 2, 0, 2]);
    expect(bars[0]).toMatchObject({ label: "$0", rangeLabel: "exactly $0.00", countLabel: "2 traces (22.2%)" });
    // Edges: 0.001 * 1000^(i/4): 0.001, 0.005623…, 0.031622…, 0.177827…, 1.
    expect(bars[1]).toMatchObject({ label: "$0.001", rangeLabel: "$0.001 to under $0.00562" });
    expect(bars[2]).toMatchObject({ label: "$0.0056", rangeLabel: "$0.00562 to under $0.0316" });
    expect(bars[4]).toMatchObject({ label: "$0.18", rangeLabel: "$0.178 to $1.00", countLabel: "2 traces (22.2%)" });
  });

  it("labels edges so that neighbours stay apart, formatMoney from $1", () => {
    expect(formatMoneyEdge("0.012345")).toBe("$0.012");
    expect(formatMoneyEdge("0.014999")).toBe("$0.015");
    expect(formatMoneyEdge("0.000000000000")).toBe("$0.00");
    expect(formatMoneyEdge("1.2345")).toBe("$1.23");
    expect(formatMoneyEdge("1234.5")).toBe("$1,234.50");
  });

  it("finds the bucket of an amount, the maximum in the last one", () => {
    expect(bucketKeyOf(d.histogram, "0")).toBe(ZERO_BUCKET);
    expect(bucketKeyOf(d.histogram, "0.001")).toBe("0");
    expect(bucketKeyOf(d.histogram, "0.016")).toBe("1");
    expect(bucketKeyOf(d.histogram, "1")).toBe("3");
    expect(bucketKeyOf(d.histogram, "1.000000000001")).toBeNull();
    expect(bucketKeyOf(logHistogram(["0.5"]), "0")).toBeNull();
    expect(bucketKeyOf(logHistogram(["0.5", "0.5"]), "0.5")).toBe("0");
  });

  it("marks p50, p95 and p99, merging markers that share a bar", () => {
    // n = 9: p50 is the 5th value (0.004), p95 and p99 the 9th (1).
    expect(d.p50_usd).toBe("0.004000000000");
    expect(percentileMarkers(d)).toEqual([
      { key: "0", label: "p50" },
      { key: "3", label: "p95 · p99" },
    ]);
    expect(percentileMarkers(distributionOf([]))).toEqual([]);
  });

  it("summarises the distribution", () => {
    expect(histogramSummary(d)).toBe(
      "Histogram of cost per trace over 9 priced traces in 4 log-spaced buckets from $0.00 to $1.00, 2 traces (22.2%) at $0; median $0.004, p95 $1.00, p99 $1.00.",
    );
    expect(histogramSummary(distributionOf([]))).toMatch(/no priced traces/);
  });
});

function costRow(feature: string | null, cost: string, outcomes: number, successful: number, extra: Partial<OutcomeCostRow> = {}): OutcomeCostRow {
  return {
    feature,
    outcomes,
    successful,
    cost_usd: cost,
    cost_per_success_usd: successful > 0 ? String(Number(cost) / successful) : null,
    requests: outcomes * 2,
    unpriced_requests: 0,
    ...extra,
  };
}

describe("cost per success by feature", () => {
  const answers = [
    { type: "ticket_resolved", rows: [costRow("ticket-triage", "3", 10, 6), costRow(null, "1", 2, 0)] },
    { type: "answer_accepted", rows: [costRow("semantic-answer", "1.6", 5, 4, { unpriced_requests: 1 })] },
  ];

  it("flattens one answer per type and narrows to a feature", () => {
    const rows = featureCostRows(answers);
    expect(rows.map((r) => r.id)).toEqual(["ticket_resolved/ticket-triage", "ticket_resolved/∅", "answer_accepted/semantic-answer"]);
    expect(rows[0]?.success_rate).toBe("0.6");
    expect(rows[1]).toMatchObject({ feature: null, success_rate: "0", cost_per_success_usd: null });
    expect(featureCostRows(answers, "semantic-answer").map((r) => r.id)).toEqual(["answer_accepted/semantic-answer"]);
  });

  it("sorts by any column; missing figures last in both directions", () => {
    const rows = featureCostRows(answers);
    const ids = (key: Parameters<typeof sortFeatureRows>[1]["key"], direction: "asc" | "desc") => sortFeatureRows(rows, { key, direction }).map((r) => r.feature);
    expect(ids("cost_per_success_usd", "desc")).toEqual(["ticket-triage", "semantic-answer", null]);
    expect(ids("cost_per_success_usd", "asc")).toEqual(["semantic-answer", "ticket-triage", null]);
    expect(ids("feature", "asc")).toEqual(["semantic-answer", "ticket-triage", null]);
    expect(ids("feature", "desc")).toEqual(["ticket-triage", "semantic-answer", null]);
    expect(ids("outcomes", "asc")).toEqual([null, "semantic-answer", "ticket-triage"]);
    expect(ids("success_rate", "desc")).toEqual(["semantic-answer", "ticket-triage", null]);
    expect(ids("type", "asc")).toEqual(["semantic-answer", "ticket-triage", null]);
    expect(ids("cost_usd", "desc")).toEqual(["ticket-triage", "semantic-answer", null]);
  });

  it("compares money exactly, not as floats", () => {
    const close = [
      { type: "t", rows: [costRow("a", "0.300000000000000000001", 1, 1), costRow("b", "0.3", 1, 1)] },
    ];
    expect(sortFeatureRows(featureCostRows(close), { key: "cost_usd", direction: "desc" }).map((r) => r.feature)).toEqual(["a", "b"]);
  });
});

function trace(id: string, cost: string | null, calls: number, first: string | null, last: string | null): TopTrace {
  return { trace_id: id, outcome_type: "t", success: true, outcomes: 1, cost_usd: cost, unpriced_requests: cost === null ? calls : 0, calls, retries: 0, first_call_at: first, last_call_at: last, team: null, feature: null };
}

describe("top traces", () => {
  const traces = [
    trace("a", "0.5", 2, "2026-11-01T00:00:00Z", "2026-11-01T00:00:10Z"),
    trace("b", null, 3, "2026-11-01T00:00:00Z", "2026-11-01T00:00:01Z"),
    trace("c", "0.9", 1, null, null),
  ];

  it("sorts locally with unknown costs and durations last", () => {
    expect(sortTopTraces(traces, { key: "cost_usd", direction: "desc" }).map((t) => t.trace_id)).toEqual(["c", "a", "b"]);
    expect(sortTopTraces(traces, { key: "cost_usd", direction: "asc" }).map((t) => t.trace_id)).toEqual(["a", "c", "b"]);
    expect(sortTopTraces(traces, { key: "calls", direction: "desc" }).map((t) => t.trace_id)).toEqual(["b", "a", "c"]);
    expect(sortTopTraces(traces, { key: "duration", direction: "asc" }).map((t) => t.trace_id)).toEqual(["b", "a", "c"]);
  });

  it("starts a new column in its first direction and flips the same one", () => {
    expect(nextSort({ key: "cost_usd", direction: "desc" }, "calls")).toEqual({ key: "calls", direction: "desc" });
    expect(nextSort({ key: "calls", direction: "desc" }, "calls")).toEqual({ key: "calls", direction: "asc" });
    expect(nextSort({ key: "calls", direction: "asc" }, "calls")).toEqual({ key: "calls", direction: "desc" });
    expect(nextSort({ key: "calls", direction: "asc" }, "feature", "asc")).toEqual({ key: "feature", direction: "asc" });
  });
});

describe("allUnpriced", () => {
  it("is true only when every counted call lacks a price", () => {
    expect(allUnpriced({ requests: 3, unpriced_requests: 3 })).toBe(true);
    expect(allUnpriced({ requests: 3, unpriced_requests: 2 })).toBe(false);
    expect(allUnpriced({ requests: 0, unpriced_requests: 0 })).toBe(false);
  });
});
