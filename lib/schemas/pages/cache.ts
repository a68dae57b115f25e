import { z } from "zod";
import { parsePageState, type SearchParams } from "./search-params";
import { MAX_WINDOW_DAYS, type Bucket, type CacheGroupBy, type TokensGroupBy } from "@/lib/schemas/cache";
import { isTagDimension, tagDimensionProblem, TAG_KEY_PATTERN, type TagDimension } from "@/lib/schemas/spend";
import { addDays, DAY_MS, utcDayKey } from "@/lib/time";

/**
 * The Cache page's state, kept in its URL: the window (a preset or from/to), the bucket,
 * the grouping and filters, and the tables' sort orders; and the window it then shows.
 */

export const CACHE_GROUPS = ["tenant", "feature", "prompt_version", "team", "model"] as const satisfies readonly CacheGroupBy[];
export const TOKENS_GROUPS = ["feature", "prompt_version", "model"] as const satisfies readonly TokensGroupBy[];
export const CACHE_FILTERS = ["team", "feature", "tenant", "environment", "model"] as const;
export type CacheFilter = (typeof CACHE_FILTERS)[number];

export const DIMENSION_LABELS: Record<Exclude<CacheGroupBy, `tag.${string}`> | CacheFilter, string> = {
  tenant: "Tenant",
  feature: "Feature",
  prompt_version: "Prompt version",
  team: "Team",
  model: "Model",
  environment: "Environment",
};

/** A grouping's or filter's label: "Tenant", or "language (tag)" for an extra tag. */
export function cacheDimensionLabel(dimension: CacheGroupBy | CacheFilter | string): string {
  if (dimension.startsWith("tag.")) return `${dimension.slice(4)} (tag)`;
  return (DIMENSION_LABELS as Record<string, string>)[dimension] ?? dimension;
}

export const WINDOW_PRESETS = ["7", "30", "90"] as const;
export type WindowPreset = (typeof WINDOW_PRESETS)[number];

export const MODEL_SORT_KEYS = [
  "model",
  "requests",
  "input_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "hit_rate",
  "saved_usd",
] as const;
export type ModelSortKey = (typeof MODEL_SORT_KEYS)[number];

export const TOKENS_SORT_KEYS = [
  "key",
  "requests",
  "avg_input",
  "recent_input",
  "input_change",
  "avg_output",
  "recent_output",
  "output_change",
] as const;
export type TokensSortKey = (typeof TOKENS_SORT_KEYS)[number];

export type SortDirection = "asc" | "desc";

const day = z.iso.date().optional().catch(undefined);
/** An extra tag as a grouping (`tag.<key>`). */
const tagDimension = z.string().refine((value) => isTagDimension(value) && tagDimensionProblem(value) === null) as unknown as z.ZodType<TagDimension>;
const tag = z.string().min(1).max(256).optional().catch(undefined);
const direction = z.enum(["asc", "desc"]).catch("desc").default("desc");

/** `to` is exclusive like the API's; the page shows the inclusive last day. */
export const cachePageSchema = z.object({
  from: day,
  to: day,
  /** A relative window ("last N UTC days, today included"), used when from/to are absent. */
  days: z.enum(WINDOW_PRESETS).catch("30").default("30"),
  bucket: z.enum(["day", "hour"]).catch("day").default("day"),
  by: z.union([z.enum(CACHE_GROUPS), tagDimension]).catch("tenant").default("tenant"),
  /** A filter on one extra tag: `tag_key=language&tag_value=fr` (the API's `tag.language=fr`). */
  tag_key: z.string().regex(TAG_KEY_PATTERN).optional().catch(undefined),
  tag_value: tag,
  team: tag,
  feature: tag,
  tenant: tag,
  environment: tag,
  model: tag,
  msort: z.enum(MODEL_SORT_KEYS).catch("input_tokens").default("input_tokens"),
  mdir: direction,
  tby: z.union([z.enum(TOKENS_GROUPS), tagDimension]).catch("feature").default("feature"),
  tmetric: z.enum(["input", "output"]).catch("input").default("input"),
  tsort: z.enum(TOKENS_SORT_KEYS).catch("requests").default("requests"),
  tdir: direction,
});

export type CachePageState = z.infer<typeof cachePageSchema>;

/** The page state from a Next searchParams object (first value of repeated keys). */
export function parseCachePageState(raw: SearchParams): CachePageState {
  return parsePageState(cachePageSchema, raw);
}

export interface CacheWindow {
  /** "YYYY-MM-DD", inclusive. */
  from: string;
  /** "YYYY-MM-DD", exclusive. */
  to: string;
  /** The preset in use, or null for a custom from/to. */
  preset: WindowPreset | null;
  /** The bucket the API is asked for (hourly falls back to daily on long windows). */
  bucket: Bucket;
  /** Why the page shows something other than what the URL asked for. */
  notice: string | null;
}

const midnight = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The window and bucket to show: a custom from/to when valid, else the last N UTC days (today included). */
export function resolveCacheWindow(state: CachePageState, now: Date): CacheWindow {
  let from: string;
  let to: string;
  let preset: WindowPreset | null = null;
  if (state.from && state.to && state.from < state.to) {
    from = state.from;
    to = state.to;
  } else {
    preset = state.days;
    to = addDays(utcDayKey(now), 1);
    from = addDays(to, -Number(state.days));
  }
  const days = (midnight(to) - midnight(from)) / DAY_MS;
  if (state.bucket === "hour" && days > MAX_WINDOW_DAYS.hour) {
    return {
      from,
      to,
      preset,
      bucket: "day",
      notice: `Hourly buckets cover at most ${MAX_WINDOW_DAYS.hour} days; this ${days}-day window is shown by day.`,
    };
  }
  return { from, to, preset, bucket: state.bucket, notice: null };
}
