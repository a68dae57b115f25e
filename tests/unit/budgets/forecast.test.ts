import { describe, expect, it } from "vitest";
import { forecastMonthDays, forecastMonthEnd, type DailyCost, type ForecastInput } from "@/lib/budgets/forecast";

/**
 * The month-end forecast on synthetic series. Every expected figure is worked out by hand
 * in the comments (calendar: 2026-11-01 is a Sunday, 2026-12-01 a Tuesday).
 */

const DAY_MS = 86_400_000;

/** One entry per day in [from, to) whose cost `cost` gives (null: no entry, i.e. no spend). */
function series(from: string, to: string, cost: (day: Date, index: number) => string | null): DailyCost[] {
  const out: DailyCost[] = [];
  let index = 0;
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += DAY_MS, index += 1) {
    const value = cost(new Date(t), index);
    if (value !== null) out.push({ day: new Date(t).toISOString().slice(0, 10), costUsd: value });
  }
  return out;
}

function month(start: string, end: string): Pick<ForecastInput, "monthStart" | "monthEnd"> {
  return { monthStart: new Date(`${start}T00:00:00Z`), monthEnd: new Date(`${end}T00:00:00Z`) };
}

const NOV = month("2026-11-01", "2026-12-01");
const DEC = month("2026-12-01", "2027-01-01");
const weekend = (day: Date) => day.getUTCDay() === 0 || day.getUTCDay() === 6;
const usd = (amount: string) => `${amount}.000000000000`;

describe("forecastMonthEnd", () => {
  it("flat: $10 a day projects actual + $10 for each remaining day, including the rest of today", () => {
    // Nov 1..17 complete (17 × 10) + today half gone with $5 = 175; left: half of today + Nov 19..30 (12) = 12.5 days.
    const result = forecastMonthEnd({
      ...NOV,
      now: new Date("2026-11-18T12:00:00Z"),
      daily: [...series("2026-09-06", "2026-11-18", () => "10"), { day: "2026-11-18", costUsd: "5" }],
    });
    expect(result).toEqual({
      actualUsd: usd("175"),
      forecastUsd: usd("300"),
      lowUsd: usd("300"),
      highUsd: usd("300"),
      method: "weekday_mean+trend",
      basisDays: 28,
    });
  });

  it("steadily growing: the lagging weekday means are scaled by the median trend", () => {
    // History starts Oct 23: day i (1..28) costs 100 + i, so Nov 1..19 (i = 10..28) = 1900 + 361 = 2261.
    // Weekday baselines: the 4 samples of class j are 100 + j + {0, 7, 14, 21} → mean 110.5 + j.
    // Trend: median(i = 22..28) / median(i = 15..21) = 125 / 118.
    // Nov 20..30 are i = 29..39 → classes 1..7, 1..4: 11 × 100 + (11.5 … 17.5) + (11.5 … 14.5) = 1100 + 101.5 + 52 = 1253.5.
    // Projection = 1253.5 × 125 / 118 = 1327.860169491525…; forecast = 3588.860169491525…
    // Residuals 7k − 10.5 (k = 0..3) → σ² = (110.25 + 12.25 + 12.25 + 110.25) / 4 = 61.25;
    // half-width = 1.28 × √61.25 × 125/118 × √11 = 35.195518243843…
    const result = forecastMonthEnd({
      ...NOV,
      now: new Date("2026-11-20T00:00:00Z"),
      daily: series("2026-10-23", "2026-11-20", (_day, i) => String(101 + i)),
    });
    expect(result).toEqual({
      actualUsd: usd("2261"),
      forecastUsd: "3588.860169491525",
      lowUsd: "3553.664651247682",
      highUsd: "3624.055687735369",
      method: "weekday_mean+trend",
      basisDays: 28,
    });
  });

  it("weekly pattern: remaining weekdays and weekend days are each counted at their own level", () => {
    // Weekends $2, weekdays $10. Nov 1..15: Sun 1 (2) + 5 weekdays + Sat/Sun + 5 weekdays + Sat/Sun
    // = 2 + 50 + 4 + 50 + 4 = 110. Nov 16..30 (15 days): weekend Nov 21, 22, 28, 29 → 11 × 10 + 4 × 2 = 118.
    const result = forecastMonthEnd({
      ...NOV,
      now: new Date("2026-11-16T00:00:00Z"),
      daily: series("2026-09-06", "2026-11-16", (day) => (weekend(day) ? "2" : "10")),
    });
    expect(result).toEqual({
      actualUsd: usd("110"),
      forecastUsd: usd("228"),
      lowUsd: usd("228"),
      highUsd: usd("228"),
      method: "weekday_mean+trend",
      basisDays: 28,
    });
  });

  it("a single spike day widens the band and moves the forecast by less than the spike", () => {
    const now = new Date("2026-11-16T00:00:00Z");
    const flat = forecastMonthEnd({ ...NOV, now, daily: series("2026-09-06", "2026-11-16", () => "10") });
    // Sunday Oct 25 spends $80 instead of $10 (+70). Sunday baseline = (80 + 3 × 10) / 4 = 27.5; the
    // medians (trend) do not move. Nov 16..30 holds 2 Sundays: 2 × 27.5 + 13 × 10 = 185 (flat: 150).
    // Residuals 52.5 and 3 × −17.5 → σ² = (2756.25 + 918.75) / 28 = 131.25;
    // half-width = 1.28 × √131.25 × √15 = 1.28 × √1968.75 = 56.794365917756…
    const spiked = forecastMonthEnd({
      ...NOV,
      now,
      daily: series("2026-09-06", "2026-11-16", (day) => (day.toISOString().startsWith("2026-10-25") ? "80" : "10")),
    });
    expect(flat).toMatchObject({ actualUsd: usd("150"), forecastUsd: usd("300"), lowUsd: usd("300"), highUsd: usd("300") });
    expect(spiked).toEqual({
      actualUsd: usd("150"),
      forecastUsd: usd("335"),
      lowUsd: "278.205634082244",
      highUsd: "391.794365917756",
      method: "weekday_mean+trend",
      basisDays: 28,
    });
    // +35 < +70
    expect(Number(spiked.forecastUsd) - Number(flat.forecastUsd)).toBeLessThan(70);
  });

  it("a one-week spike does not double the month: the trend uses medians", () => {
    // Last week (Nov 9..15) has one $500 day; the medians of both weeks stay $10.
    const result = forecastMonthEnd({
      ...NOV,
      now: new Date("2026-11-16T00:00:00Z"),
      daily: series("2026-10-01", "2026-11-16", (day) => (day.toISOString().startsWith("2026-11-12") ? "500" : "10")),
    });
    // Thursday baseline = (500 + 30) / 4 = 132.5; Nov 16..30 has 2 Thursdays (19, 26): 2 × 132.5 + 13 × 10 = 395.
    // actual = 15 × 10 + 490 = 640.
    expect(result.actualUsd).toBe(usd("640"));
    expect(result.forecastUsd).toBe(usd("1035"));
  });

  it("a new budget with only 2 days of history projects their mean, with a wide band", () => {
    // Nov 16 $10, Nov 17 $20, today (noon) $6: mean 15 over 12.5 remaining days = 187.5; actual 36.
    // σ = 5, so 1.28 × 5 × √12.5 = 22.63 — below the thin-history floor of half the projection, 93.75.
    const result = forecastMonthEnd({
      ...NOV,
      now: new Date("2026-11-18T12:00:00Z"),
      daily: [
        { day: "2026-11-16", costUsd: "10" },
        { day: "2026-11-17", costUsd: "20" },
        { day: "2026-11-18", costUsd: "6" },
      ],
    });
    expect(result).toEqual({
      actualUsd: usd("36"),
      forecastUsd: "223.500000000000",
      lowUsd: "129.750000000000",
      highUsd: "317.250000000000",
      method: "recent_mean",
      basisDays: 2,
    });
  });

  it("with no complete day, today's run rate is projected", () => {
    // $6 in the first half of today → $12 a day × 12.5 days = 150; band ± 75.
    const result = forecastMonthEnd({ ...NOV, now: new Date("2026-11-18T12:00:00Z"), daily: [{ day: "2026-11-18", costUsd: "6" }] });
    expect(result).toEqual({
      actualUsd: usd("6"),
      forecastUsd: usd("156"),
      lowUsd: usd("81"),
      highUsd: usd("231"),
      method: "today_run_rate",
      basisDays: 0,
    });
  });

  it("today's run rate is never extrapolated from less than an hour", () => {
    // 5 minutes in, $1: the rate is $1 per hour (not per 5 minutes) = $24 a day. Left: 1435/1440 of
    // today (23.916666…) + Nov 3..30 (28 × 24 = 672); + actual 1 = 696.916666…
    const result = forecastMonthEnd({ ...NOV, now: new Date("2026-11-02T00:05:00Z"), daily: [{ day: "2026-11-02", costUsd: "1" }] });
    expect(result.forecastUsd).toBe("696.916666666667");
  });

  it("with no data at all, the forecast is zero", () => {
    expect(forecastMonthEnd({ ...NOV, now: new Date("2026-11-18T12:00:00Z"), daily: [] })).toEqual({
      actualUsd: usd("0"),
      forecastUsd: usd("0"),
      lowUsd: usd("0"),
      highUsd: usd("0"),
      method: "no_history",
      basisDays: 0,
    });
  });

  it("February has 28 days (2027) or 29 (2028)", () => {
    const feb2027 = forecastMonthEnd({
      ...month("2027-02-01", "2027-03-01"),
      now: new Date("2027-02-27T00:00:00Z"),
      daily: series("2026-12-01", "2027-02-27", () => "10"),
    });
    expect(feb2027).toMatchObject({ actualUsd: usd("260"), forecastUsd: usd("280") });
    const feb2028 = forecastMonthEnd({
      ...month("2028-02-01", "2028-03-01"),
      now: new Date("2028-02-27T00:00:00Z"),
      daily: series("2027-12-01", "2028-02-27", () => "10"),
    });
    expect(feb2028).toMatchObject({ actualUsd: usd("260"), forecastUsd: usd("290") });
  });

  it("a 31-day month in its last hours projects only what is left of the 31st", () => {
    // Dec 1..30 (300) + $7.50 by 18:00 on the 31st; 6 hours left = 0.25 × 10.
    const result = forecastMonthEnd({
      ...DEC,
      now: new Date("2026-12-31T18:00:00Z"),
      daily: [...series("2026-11-01", "2026-12-31", () => "10"), { day: "2026-12-31", costUsd: "7.5" }],
    });
    expect(result).toMatchObject({ actualUsd: "307.500000000000", forecastUsd: usd("310"), lowUsd: usd("310"), highUsd: usd("310") });
  });

  it("at the very start of a month, last month's history projects the whole month", () => {
    // December 2026: 8 weekend days (5, 6, 12, 13, 19, 20, 26, 27) and 23 weekdays → 23 × 10 + 8 × 2 = 246.
    const weekly = forecastMonthEnd({
      ...DEC,
      now: new Date("2026-12-01T00:00:00Z"),
      daily: series("2026-10-01", "2026-12-01", (day) => (weekend(day) ? "2" : "10")),
    });
    expect(weekly).toEqual({
      actualUsd: usd("0"),
      forecastUsd: usd("246"),
      lowUsd: usd("246"),
      highUsd: usd("246"),
      method: "weekday_mean+trend",
      basisDays: 28,
    });
    const flat = forecastMonthEnd({ ...DEC, now: new Date("2026-12-01T00:00:00Z"), daily: series("2026-10-01", "2026-12-01", () => "10") });
    expect(flat.forecastUsd).toBe(usd("310"));
  });

  it("three weeks of history: weekdays with 4 samples are seasonal, the others use the overall mean", () => {
    // History Oct 28 (Wed) .. Nov 22 (Sun) = 26 days before today (Mon Nov 23): weekends $2, weekdays $10.
    // Basis = 26 days; Wed..Sun have 4 samples each, Mon and Tue only 3 → overall mean.
    // Overall: 26 days with 8 weekend days (Oct 31, Nov 1, 7, 8, 14, 15, 21, 22) → (18 × 10 + 8 × 2) / 26 = 196/26.
    // Nov 23..30: Mon 23, Tue 24 → 2 × 196/26; Wed..Fri 25..27 → 30; Sat/Sun 28, 29 → 4; Mon 30 → 196/26.
    // Projection = 3 × 196/26 + 30 + 4 = 22.615384… + 34 = 56.615384…; actual Nov 1..22 = 22 days
    // with 7 weekend days (1, 7, 8, 14, 15, 21, 22) → 15 × 10 + 7 × 2 = 164; forecast 220.615384…
    const result = forecastMonthEnd({
      ...NOV,
      now: new Date("2026-11-23T00:00:00Z"),
      daily: series("2026-10-28", "2026-11-23", (day) => (weekend(day) ? "2" : "10")),
    });
    expect(result.basisDays).toBe(26);
    expect(result.method).toBe("weekday_mean_partial+trend");
    expect(result.actualUsd).toBe(usd("164"));
    expect(result.forecastUsd).toBe("220.615384615385");
  });

  it("after the month has ended, the forecast is the actual", () => {
    const result = forecastMonthEnd({ ...NOV, now: new Date("2026-12-03T10:00:00Z"), daily: series("2026-10-01", "2026-12-03", () => "10") });
    expect(result).toMatchObject({ actualUsd: usd("300"), forecastUsd: usd("300"), lowUsd: usd("300"), highUsd: usd("300"), method: "complete" });
  });
});

describe("forecastMonthDays", () => {
  it("gives cumulative actuals up to today, the forecast band after, and ends at the month-end forecast", () => {
    const input: ForecastInput = {
      ...NOV,
      now: new Date("2026-11-18T12:00:00Z"),
      daily: [
        { day: "2026-11-16", costUsd: "10" },
        { day: "2026-11-17", costUsd: "20" },
        { day: "2026-11-18", costUsd: "6" },
      ],
    };
    const { forecast, days } = forecastMonthDays(input);
    expect(forecast).toEqual(forecastMonthEnd(input));
    expect(days).toHaveLength(30);
    expect(days[0]).toEqual({
      day: "2026-11-01",
      actualCumulativeUsd: usd("0"),
      forecastCumulativeUsd: usd("0"),
      lowCumulativeUsd: usd("0"),
      highCumulativeUsd: usd("0"),
    });
    expect(days[16]).toEqual({
      day: "2026-11-17",
      actualCumulativeUsd: usd("30"),
      forecastCumulativeUsd: usd("30"),
      lowCumulativeUsd: usd("30"),
      highCumulativeUsd: usd("30"),
    });
    // Today: 36 actual + half a day at 15 = 43.5, band ± max(1.28 × 5 × √0.5, 3.75) = 4.525… → low 38.97…, never below 36.
    expect(days[17]).toMatchObject({ day: "2026-11-18", actualCumulativeUsd: usd("36"), forecastCumulativeUsd: "43.500000000000" });
    expect(days[18]).toMatchObject({ day: "2026-11-19", actualCumulativeUsd: null, forecastCumulativeUsd: "58.500000000000" });
    const lastDay = days.at(-1);
    expect(lastDay).toEqual({
      day: "2026-11-30",
      actualCumulativeUsd: null,
      forecastCumulativeUsd: forecast.forecastUsd,
      lowCumulativeUsd: forecast.lowUsd,
      highCumulativeUsd: forecast.highUsd,
    });
    for (const day of days) {
      expect(Number(day.lowCumulativeUsd)).toBeGreaterThanOrEqual(Math.min(36, Number(day.forecastCumulativeUsd)));
      expect(Number(day.highCumulativeUsd)).toBeGreaterThanOrEqual(Number(day.forecastCumulativeUsd));
    }
  });
});
