import { describe, expect, it } from "vitest";
import { forecastJson, forecastNote, spendForecastFromDaily } from "@/lib/budgets/forecast-spend";
import { forecastMonthEnd, type DailyCost } from "@/lib/budgets/forecast";
import {
  buildShowbackRows,
  currentMonthWindow,
  isCurrentMonthWindow,
  showbackCsv,
  sortShowbackRows,
  withForecasts,
  type SpendRow,
} from "@/lib/view/showback";
import { forecastQuerySchema } from "@/lib/schemas/forecast";

/**
 * Forecasts without a budget: the budgets' forecaster on any daily series, described for
 * people (days left, enough history, a note), and Showback's Forecast column. Expected
 * figures are worked out by hand (2026-11-01 is a Sunday; 2026-11-18 a Wednesday).
 */

const DAY_MS = 86_400_000;
const usd = (amount: string) => `${amount}.000000000000`;

function series(from: string, to: string, cost: string): DailyCost[] {
  const out: DailyCost[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    out.push({ day: new Date(t).toISOString().slice(0, 10), costUsd: cost });
  }
  return out;
}

describe("spendForecastFromDaily", () => {
  it("flat $10 a day: actual 175 + 12.5 days × $10 = 300, a zero-width range, 13 days left", () => {
    const now = new Date("2026-11-18T12:00:00Z");
    const { forecast, days } = spendForecastFromDaily(now, [...series("2026-09-06", "2026-11-18", "10"), { day: "2026-11-18", costUsd: "5" }]);
    expect(forecast).toEqual({
      month: "2026-11",
      periodStart: new Date("2026-11-01T00:00:00Z"),
      periodEnd: new Date("2026-12-01T00:00:00Z"),
      now,
      daysLeft: 13,
      spentUsd: usd("175"),
      forecastUsd: usd("300"),
      lowUsd: usd("300"),
      highUsd: usd("300"),
      method: "weekday_mean+trend",
      basisDays: 28,
      enoughHistory: true,
      note: "From the last 4 of each weekday and the recent trend.",
    });
    expect(days).toHaveLength(30);
    expect(days[16]).toEqual({ day: "2026-11-17", actualCumulativeUsd: usd("170"), forecastCumulativeUsd: usd("170"), lowCumulativeUsd: usd("170"), highCumulativeUsd: usd("170") });
    expect(days[17]).toEqual({ day: "2026-11-18", actualCumulativeUsd: usd("175"), forecastCumulativeUsd: usd("180"), lowCumulativeUsd: usd("180"), highCumulativeUsd: usd("180") });
    expect(days[29]?.actualCumulativeUsd).toBeNull();
    expect(days[29]?.forecastCumulativeUsd).toBe(usd("300"));
  });

  it("three days of history: their mean projected, the range at least half the projection", () => {
    // Sun 15 $10, Mon 16 $20, Tue 17 $30; now Wed 18 00:00. Mean 20 × 13 days = 260; actual 60 → 320.
    // σ = √(200/3): 1.28 σ √13 = 37.68… < 0.5 × 260 = 130 → low max(60, 190) = 190, high 450.
    const now = new Date("2026-11-18T00:00:00Z");
    const { forecast } = spendForecastFromDaily(now, [
      { day: "2026-11-15", costUsd: "10" },
      { day: "2026-11-16", costUsd: "20" },
      { day: "2026-11-17", costUsd: "30" },
    ]);
    expect(forecast).toMatchObject({
      daysLeft: 13,
      spentUsd: usd("60"),
      forecastUsd: usd("320"),
      lowUsd: usd("190"),
      highUsd: usd("450"),
      method: "recent_mean",
      basisDays: 3,
      enoughHistory: true,
      note: "Under a week of history (3 days): the range is at least half the projection.",
    });
  });

  it("only today's spend: the run rate is projected but there are not enough days yet", () => {
    // $3 in the first 6 hours → $12 a day; 0.75 + 12 days left → 153 projected, forecast 156;
    // thin band 76.5 → low 79.5, high 232.5.
    const { forecast } = spendForecastFromDaily(new Date("2026-11-18T06:00:00Z"), [{ day: "2026-11-18", costUsd: "3" }]);
    expect(forecast).toMatchObject({
      spentUsd: usd("3"),
      forecastUsd: usd("156"),
      lowUsd: "79.500000000000",
      highUsd: "232.500000000000",
      method: "today_run_rate",
      basisDays: 0,
      enoughHistory: false,
    });
    expect(forecast.note).toMatch(/^Not enough days yet to forecast/);
  });

  it("nothing spent: no history, a zero forecast, not enough days yet", () => {
    const { forecast } = spendForecastFromDaily(new Date("2026-12-01T00:30:00Z"), []);
    expect(forecast).toMatchObject({
      month: "2026-12",
      daysLeft: 31,
      spentUsd: usd("0"),
      forecastUsd: usd("0"),
      lowUsd: usd("0"),
      highUsd: usd("0"),
      method: "no_history",
      enoughHistory: false,
    });
  });

  it("is forecastMonthEnd's answer for the same month, to the last digit", () => {
    const now = new Date("2026-11-20T07:15:00Z");
    const daily = series("2026-10-10", "2026-11-21", "1.234567").map((d, i) => ({ ...d, costUsd: String(Number(d.costUsd) + (i % 5)) }));
    const { forecast } = spendForecastFromDaily(now, daily);
    const expected = forecastMonthEnd({ monthStart: new Date("2026-11-01T00:00:00Z"), monthEnd: new Date("2026-12-01T00:00:00Z"), now, daily });
    expect([forecast.spentUsd, forecast.forecastUsd, forecast.lowUsd, forecast.highUsd, forecast.method, forecast.basisDays]).toEqual([
      expected.actualUsd,
      expected.forecastUsd,
      expected.lowUsd,
      expected.highUsd,
      expected.method,
      expected.basisDays,
    ]);
  });
});

describe("forecastNote", () => {
  it("names what the forecast rests on", () => {
    expect(forecastNote("complete", 28)).toBe("The month has ended: the forecast is what was spent.");
    expect(forecastNote("no_history", 0)).toBe("Not enough days yet to forecast: no spend in the last 28 days.");
    expect(forecastNote("weekday_mean", 28)).toBe("From the last 4 of each weekday.");
    expect(forecastNote("weekday_mean_partial+trend", 20)).toBe("From 20 days of history, by weekday where it has 4 samples and the recent trend.");
    expect(forecastNote("recent_mean", 10)).toBe("From the mean of 10 days of history.");
    expect(forecastNote("recent_mean", 1)).toBe("Under a week of history (1 day): the range is at least half the projection.");
  });
});

describe("forecastJson", () => {
  it("writes the API's snake_case answer with the days and groups", () => {
    const now = new Date("2026-11-18T00:00:00Z");
    const result = spendForecastFromDaily(now, [{ day: "2026-11-17", costUsd: "2" }]);
    const json = forecastJson({ ...result, groups: [{ keys: { team: null }, forecast: result.forecast }] }, { team: "search" }, ["team"]);
    expect(json).toMatchObject({
      currency: "USD",
      month: "2026-11",
      period_start: "2026-11-01T00:00:00.000Z",
      period_end: "2026-12-01T00:00:00.000Z",
      as_of: "2026-11-18T00:00:00.000Z",
      days_left: 13,
      spent_usd: usd("2"),
      // one day of history: $2 × 13 days; band at least half of 26.
      forecast_usd: usd("28"),
      low_usd: usd("15"),
      high_usd: usd("41"),
      method: "recent_mean",
      basis_days: 1,
      enough_history: true,
      filters: { team: "search" },
      group_by: ["team"],
      groups: [{ team: null, spent_usd: usd("2"), forecast_usd: usd("28"), low_usd: usd("15"), high_usd: usd("41"), method: "recent_mean", basis_days: 1, enough_history: true }],
    });
    expect(json.days[16]).toEqual({
      day: "2026-11-17",
      actual_cumulative_usd: usd("2"),
      forecast_cumulative_usd: usd("2"),
      low_cumulative_usd: usd("2"),
      high_cumulative_usd: usd("2"),
    });
  });
});

describe("GET /api/v1/forecast query", () => {
  it("takes the spend filters and group_by; refuses unknown parameters and group keys at their names", () => {
    expect(forecastQuerySchema.parse({ team: "search", provider: "OpenAI", group_by: "feature,feature,model" })).toEqual({
      team: "search",
      provider: "openai",
      group_by: ["feature", "model"],
    });
    expect(forecastQuerySchema.parse({})).toEqual({ group_by: [] });
    const bad = forecastQuerySchema.safeParse({ group_by: "day", team: "" });
    expect(bad.error?.issues.map((i) => i.path.join(".")).sort()).toEqual(["group_by", "team"]);
    const typo = forecastQuerySchema.safeParse({ teams: "search" });
    expect(typo.error?.issues.map((i) => i.path.join("."))).toEqual(["teams"]);
  });
});

describe("Showback's Forecast column", () => {
  function row(keys: Record<string, string | null>, cost: string): SpendRow {
    return { ...keys, cost_usd: cost, requests: 1, input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0, response_cache_hits: 0, retries: 0, unpriced_requests: 0 };
  }
  const built = buildShowbackRows({
    primary: "team",
    secondary: "feature",
    current: [row({ team: "search", feature: "rewrite" }, "0.1"), row({ team: null, feature: null }, "0.3"), row({ team: "growth", feature: "email" }, "0.4")],
    previous: [],
    daily: [],
    days: ["2026-11-01"],
    totalCostUsd: "0.8",
  });
  const groups = [
    { team: "growth", forecast_usd: "0.5", low_usd: "0.45", high_usd: "0.55" },
    { team: null, forecast_usd: "2.25", low_usd: "1", high_usd: "3.5" },
    { team: "search", forecast_usd: "1", low_usd: "0.9", high_usd: "1.1" },
  ];

  it("attaches each primary row's forecast (untagged included), none to second-level rows, and sorts by it", () => {
    const rows = sortShowbackRows(withForecasts(built, "team", groups), { key: "forecast_usd", direction: "desc" });
    expect(rows.map((r) => [r.key, r.forecast?.forecastUsd])).toEqual([
      [null, "2.25"],
      ["search", "1"],
      ["growth", "0.5"],
    ]);
    expect(rows[1]?.children.map((c) => c.forecast)).toEqual([null]);
    const missing = withForecasts(built, "team", groups.slice(0, 1));
    expect(missing.find((r) => r.key === "search")?.forecast).toBeNull();
  });

  it("ends each CSV line with the forecast and its range, as numbers, only when asked", () => {
    const rows = sortShowbackRows(withForecasts(built, "team", groups), { key: "forecast_usd", direction: "asc" });
    const csv = showbackCsv(rows, "team", "feature", "all", { forecast: true }).trimEnd().split("\r\n");
    expect(csv[0]?.endsWith(",change,forecast_usd,forecast_low_usd,forecast_high_usd")).toBe(true);
    expect(csv[1]?.startsWith("growth,(all),0.4,")).toBe(true);
    expect(csv[1]?.endsWith(",0.5,0.45,0.55")).toBe(true);
    expect(csv[2]?.startsWith("growth,email,")).toBe(true);
    expect(csv[2]?.endsWith(",,,")).toBe(true);
    expect(showbackCsv(rows, "team", "feature", "all").split("\r\n")[0]?.endsWith(",change")).toBe(true);
  });

  it("shows the column only for exactly the current month", () => {
    const now = new Date("2026-12-31T23:59:59Z");
    expect(currentMonthWindow(now)).toEqual({ from: "2026-12-01", to: "2027-01-01" });
    expect(isCurrentMonthWindow({ from: "2026-12-01", to: "2027-01-01" }, now)).toBe(true);
    expect(isCurrentMonthWindow({ from: "2026-12-01", to: "2026-12-31" }, now)).toBe(false);
    expect(isCurrentMonthWindow({ from: "2026-11-01", to: "2026-12-01" }, now)).toBe(false);
  });
});
