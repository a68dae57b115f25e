import { DAY_MS, HOUR_MS, startOfUtcDay } from "@/lib/time";

/**
 * When the demo company calls its models: diurnal and weekly rhythm, steady growth,
 * and two incidents worth finding on the dashboards.
 */

/** Re-exported for the demo modules that still import them from here; new code imports @/lib/time. */
export { DAY_MS, HOUR_MS };

/**
 * Traffic rhythms by UTC hour:
 * - business: EU mornings plus US working hours, quiet at night and on weekends;
 * - consumer: a mobile app, peaking in US evenings, busier on weekends;
 * - nightly: a batch pipeline scheduled 01:00–05:00 UTC;
 * - morning: a daily notification run before people wake up.
 */
export type Profile = "business" | "consumer" | "nightly" | "morning";

const RAW_HOURLY: Record<Profile, readonly number[]> = {
  // 0   1    2    3    4    5    6    7    8    9    10   11   12   13   14   15   16   17   18   19   20   21   22   23
  business: [0.25, 0.2, 0.15, 0.12, 0.12, 0.15, 0.3, 0.6, 0.9, 1.1, 1.2, 1.25, 1.3, 1.6, 1.85, 1.9, 1.85, 1.7, 1.4, 1.1, 0.85, 0.6, 0.45, 0.33],
  consumer: [1.5, 1.6, 1.5, 1.2, 0.8, 0.5, 0.35, 0.3, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.9, 0.95, 1.0, 1.1, 1.3, 1.5, 1.65, 1.7, 1.65, 1.6],
  nightly: [0.3, 4.5, 5.2, 5.0, 4.2, 1.6, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2],
  morning: [0.2, 0.2, 0.2, 0.3, 0.6, 2.5, 4.5, 3.5, 1.8, 1.0, 0.8, 0.7, 0.9, 1.2, 0.9, 0.7, 0.6, 0.5, 0.5, 0.5, 0.4, 0.3, 0.3, 0.2],
};

/** Weekend traffic relative to a weekday. */
const WEEKEND: Record<Profile, number> = { business: 0.35, consumer: 1.15, nightly: 0.95, morning: 0.8 };

/** Each profile scaled to a mean of 1 per hour, so shares of traffic stay as specified. */
const HOURLY: Record<Profile, Float64Array> = Object.fromEntries(
  (Object.keys(RAW_HOURLY) as Profile[]).map((profile) => {
    const raw = RAW_HOURLY[profile];
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    return [profile, Float64Array.from(raw, (v) => v / mean)];
  }),
) as Record<Profile, Float64Array>;

/** Relative traffic of a profile in the hour starting at `ms` (UTC). */
export function rhythm(profile: Profile, ms: number): number {
  const hour = Math.floor(ms / HOUR_MS) % 24;
  // 1970-01-01 was a Thursday: day 0 is weekday 4 (Sunday = 0).
  const weekday = (Math.floor(ms / DAY_MS) + 4) % 7;
  const weekend = weekday === 0 || weekday === 6;
  return (HOURLY[profile][hour] ?? 1) * (weekend ? WEEKEND[profile] : 1);
}

/** Usage grows about 0.5 % a day (roughly +55 % over a quarter). */
const DAILY_GROWTH = 0.005;

export function growth(ms: number, endMs: number): number {
  return Math.exp((DAILY_GROWTH * (ms - endMs)) / DAY_MS);
}

export interface Window {
  start: number;
  end: number;
}

export function within(window: Window, ms: number): boolean {
  return ms >= window.start && ms < window.end;
}

export interface Incidents {
  /**
   * About three weeks before the end, a big tenant's launch puts tenant-specific
   * context at the top of shared prompts for two days: prompt-cache prefixes stop
   * matching for everyone, cache reads collapse and cache writes jump.
   */
  cacheThrash: Window;
  /** One afternoon the code-review agent is pointed at a huge refactoring: 6x its traffic, a spend spike. */
  runawayAgent: Window;
}

export function incidentsBefore(endMs: number): Incidents {
  const thrashStart = startOfUtcDay(new Date(endMs - 22 * DAY_MS)).getTime() + 9 * HOUR_MS;
  const spikeStart = startOfUtcDay(new Date(endMs - 9 * DAY_MS)).getTime() + 13 * HOUR_MS;
  return {
    cacheThrash: { start: thrashStart, end: thrashStart + 46 * HOUR_MS },
    runawayAgent: { start: spikeStart, end: spikeStart + 5 * HOUR_MS },
  };
}

/** How much warmer or colder prompt caches are during the thrash (probability multiplier). */
export const THRASH_CACHE_FACTOR = 0.12;
/** Extra traffic from the launching tenant while it launches. */
export const LAUNCH_VOLUME_FACTOR = 1.35;
export const RUNAWAY_VOLUME_FACTOR = 6;
