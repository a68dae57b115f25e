import { Money, formatUsd, type MoneyValue } from "@/lib/money";
import { DAY_MS } from "@/lib/time";

/**
 * Month-end spend forecast for a budget. PURE: data in, data out, exact decimals (Money),
 * no database and no clock (the caller passes `now`).
 *
 * Input: the budget's month [monthStart, monthEnd), `now`, and the spend of every UTC day
 * that has any, from some weeks before the month through today (today partial). A day
 * missing from `daily` spent nothing — but days before the first day in `daily` are
 * "no history", not zero (a team that started sending on the 3rd has a 2-day history,
 * not 26 days of $0).
 *
 * Method:
 * 1. actual = the month's spend so far (its complete days plus today's partial day).
 * 2. Basis = the complete days (before today) of the last HISTORY_DAYS (28) days,
 *    starting no earlier than the first day with data. basisDays is their number.
 * 3. Baseline per weekday = the mean of that weekday's last WEEKDAY_SAMPLES (4) complete
 *    days; a weekday with fewer samples in the basis falls back to the overall mean of the
 *    basis (so 2 days of history give a flat projection at their mean).
 * 4. Trend factor, with at least 14 basis days: median of the last 7 complete days over the
 *    median of the 7 before, clamped to [0.5, 2] (1 when the earlier median is 0). Medians,
 *    not sums, so one spike day does not double the whole month's projection.
 * 5. Projection = for the rest of today (proportionally to the time left in it) and every
 *    later day of the month, baseline(weekday) × trend. With no complete day at all, today's
 *    run rate is projected instead: today's spend / max(elapsed part of today, 1 hour).
 * 6. forecast = actual + projection.
 * 7. Band: residual of each basis day = its spend − its weekday's baseline; σ = their root
 *    mean square. half-width = 1.28 × σ × trend × √(projected days) (an ~80% band for a sum
 *    of independent days). With under a week of history (basisDays < 7) the half-width is at
 *    least half of the projection, since a spread of so few days means little.
 *    low = max(actual, forecast − half-width) (never below what is already spent, never
 *    below 0); high = forecast + half-width.
 * After the month has ended, forecast = low = high = actual.
 *
 * `method` names what was used: "weekday_mean" (every weekday had 4 samples),
 * "weekday_mean_partial" (some did), "recent_mean" (none did), each with "+trend" when a
 * trend factor was computed; "today_run_rate"; "no_history" (nothing to project from);
 * "complete" (no time left in the month). Money results are decimal strings with 12
 * fractional digits (ROUND_HALF_EVEN at the very end; arithmetic keeps 60 digits).
 */

export const HISTORY_DAYS = 28;
export const WEEKDAY_SAMPLES = 4;
export const TREND_MIN_BASIS_DAYS = 14;
export const TREND_CLAMP = { min: "0.5", max: "2" } as const;
export const BAND_Z = "1.28";
export const THIN_HISTORY_DAYS = 7;
export const THIN_HISTORY_MIN_BAND = "0.5";
/** Today's run rate is never extrapolated from less than an hour. */
export const MIN_RUN_RATE_MS = 3_600_000;


export interface DailyCost {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  costUsd: string;
}

export interface ForecastInput {
  /** First instant of the month (UTC midnight). */
  monthStart: Date;
  /** First instant of the next month (exclusive). */
  monthEnd: Date;
  now: Date;
  /** Every day with spend from up to 8 weeks before monthStart through today (today partial). */
  daily: readonly DailyCost[];
}

export interface MonthForecast {
  actualUsd: string;
  forecastUsd: string;
  lowUsd: string;
  highUsd: string;
  method: string;
  basisDays: number;
}

export interface ForecastDay {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  /** Cumulative actual through the end of this day (today: through now); null for future days. */
  actualCumulativeUsd: string | null;
  /** Actual so far plus the projection through the end of this day (= actual for past days). */
  forecastCumulativeUsd: string;
  lowCumulativeUsd: string;
  highCumulativeUsd: string;
}

export interface MonthForecastDays {
  forecast: MonthForecast;
  /** Every day of the month, in order; the last day's cumulative figures equal `forecast`. */
  days: ForecastDay[];
}

function dayKey(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function floorDay(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** 0 = Sunday … 6 = Saturday, of a UTC day start. */
function weekday(t: number): number {
  return new Date(t).getUTCDay();
}

function median(values: readonly Money[]): Money {
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? new Money(0);
  if (sorted.length % 2 === 1) return upper;
  return upper.plus(sorted[mid - 1] ?? upper).div(2);
}

function clamp(value: Money, min: MoneyValue, max: MoneyValue): Money {
  return Money.max(min, Money.min(max, value));
}

interface Model {
  /** Projected spend per whole day, by weekday (0 = Sunday). */
  ratePerDay: (weekdayIndex: number) => Money;
  /** σ × trend: the spread of one projected day. */
  daySpread: Money;
  basisDays: number;
  method: string;
}

function buildModel(costs: Map<string, Money>, today: number, now: number, firstDay: number | null): Model {
  const basisStart = firstDay === null ? today : Math.max(firstDay, today - HISTORY_DAYS * DAY_MS);
  const basis: { t: number; cost: Money }[] = [];
  for (let t = basisStart; t < today; t += DAY_MS) basis.push({ t, cost: costs.get(dayKey(t)) ?? new Money(0) });

  if (basis.length === 0) {
    const todayCost = costs.get(dayKey(today));
    if (!todayCost || todayCost.isZero()) {
      return { ratePerDay: () => new Money(0), daySpread: new Money(0), basisDays: 0, method: "no_history" };
    }
    const elapsed = Math.max(now - today, MIN_RUN_RATE_MS);
    const rate = todayCost.times(DAY_MS).div(elapsed);
    return { ratePerDay: () => rate, daySpread: new Money(0), basisDays: 0, method: "today_run_rate" };
  }

  const overall = basis.reduce((sum, d) => sum.plus(d.cost), new Money(0)).div(basis.length);
  const baseline: Money[] = [];
  let seasonal = 0;
  for (let w = 0; w < 7; w += 1) {
    const samples = basis.filter((d) => weekday(d.t) === w).slice(-WEEKDAY_SAMPLES);
    if (samples.length >= WEEKDAY_SAMPLES) {
      seasonal += 1;
      baseline[w] = samples.reduce((sum, d) => sum.plus(d.cost), new Money(0)).div(samples.length);
    } else {
      baseline[w] = overall;
    }
  }
  const base = (w: number) => baseline[w] ?? overall;

  let trend = new Money(1);
  let trendUsed = false;
  if (basis.length >= TREND_MIN_BASIS_DAYS) {
    const recent = median(basis.slice(-7).map((d) => d.cost));
    const prior = median(basis.slice(-14, -7).map((d) => d.cost));
    if (prior.gt(0)) {
      trend = clamp(recent.div(prior), TREND_CLAMP.min, TREND_CLAMP.max);
      trendUsed = true;
    }
  }

  const squares = basis.reduce((sum, d) => sum.plus(d.cost.minus(base(weekday(d.t))).pow(2)), new Money(0));
  const sigma = squares.div(basis.length).sqrt();
  const kind = seasonal === 7 ? "weekday_mean" : seasonal === 0 ? "recent_mean" : "weekday_mean_partial";
  return {
    ratePerDay: (w) => base(w).times(trend),
    daySpread: sigma.times(trend),
    basisDays: basis.length,
    method: trendUsed ? `${kind}+trend` : kind,
  };
}

/** The forecast and, for a burn-down chart, the cumulative actual/forecast/band of every day of the month. */
export function forecastMonthDays(input: ForecastInput): MonthForecastDays {
  const monthStart = input.monthStart.getTime();
  const monthEnd = input.monthEnd.getTime();
  const now = input.now.getTime();
  const today = floorDay(now);

  const costs = new Map<string, Money>();
  let firstDay: number | null = null;
  for (const entry of input.daily) {
    const t = Date.parse(`${entry.day}T00:00:00Z`);
    if (!Number.isFinite(t) || t > today) continue; // not a day, or in the future: nothing spent yet
    costs.set(entry.day, (costs.get(entry.day) ?? new Money(0)).plus(entry.costUsd));
    firstDay = firstDay === null ? t : Math.min(firstDay, t);
  }

  const model = buildModel(costs, today, now, firstDay);
  const z = new Money(BAND_Z);
  const thin = model.basisDays < THIN_HISTORY_DAYS;
  const projectFrom = Math.max(now, monthStart);

  let actual = new Money(0);
  for (let t = monthStart; t < monthEnd && t <= today; t += DAY_MS) actual = actual.plus(costs.get(dayKey(t)) ?? 0);

  const days: ForecastDay[] = [];
  let actualSoFar = new Money(0);
  let projected = new Money(0);
  let projectedDays = new Money(0);
  let last = { forecast: actual, low: actual, high: actual };
  for (let t = monthStart; t < monthEnd; t += DAY_MS) {
    const future = t > today;
    if (!future) actualSoFar = actualSoFar.plus(costs.get(dayKey(t)) ?? 0);
    const dayEnd = Math.min(t + DAY_MS, monthEnd);
    const covered = Math.max(0, dayEnd - Math.max(t, projectFrom));
    if (covered > 0) {
      const fraction = new Money(covered).div(DAY_MS);
      projected = projected.plus(model.ratePerDay(weekday(t)).times(fraction));
      projectedDays = projectedDays.plus(fraction);
    }
    const forecast = actualSoFar.plus(projected);
    let halfWidth = z.times(model.daySpread).times(projectedDays.sqrt());
    if (thin) halfWidth = Money.max(halfWidth, projected.times(THIN_HISTORY_MIN_BAND));
    const floor = Money.max(0, future ? actual : actualSoFar);
    last = { forecast, low: Money.max(floor, forecast.minus(halfWidth)), high: forecast.plus(halfWidth) };
    days.push({
      day: dayKey(t),
      actualCumulativeUsd: future ? null : formatUsd(actualSoFar),
      forecastCumulativeUsd: formatUsd(last.forecast),
      lowCumulativeUsd: formatUsd(last.low),
      highCumulativeUsd: formatUsd(last.high),
    });
  }

  const ended = projectFrom >= monthEnd;
  return {
    forecast: {
      actualUsd: formatUsd(actual),
      forecastUsd: formatUsd(last.forecast),
      lowUsd: formatUsd(last.low),
      highUsd: formatUsd(last.high),
      method: ended ? "complete" : model.method,
      basisDays: model.basisDays,
    },
    days,
  };
}

/** Month-to-date actual and the month-end projection with its band (see the file comment). */
export function forecastMonthEnd(input: ForecastInput): MonthForecast {
  return forecastMonthDays(input).forecast;
}
