import { z } from "zod";
import { timestampSchema } from "@/lib/schemas/common";
import { filterSchema, isTagDimension, tagDimensionProblem, tagKeyOf, type TagDimension } from "@/lib/schemas/spend";

/**
 * Query strings of GET /api/v1/cache and GET /api/v1/tokens-per-request. Strict: an
 * unknown parameter is a 400 that names it, as is every wrong value (path = the field).
 * Windows follow the contract: `from` inclusive, `to` exclusive, a bare date is midnight UTC.
 */

export const BUCKETS = ["hour", "day"] as const;
export type Bucket = (typeof BUCKETS)[number];

export const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** The longest window per bucket size, so a response stays a few thousand buckets at most. */
export const MAX_WINDOW_DAYS: Record<Bucket, number> = { hour: 92, day: 1830 };

export const CACHE_GROUP_BY = ["none", "tenant", "feature", "prompt_version", "team", "model"] as const;
/** A fixed dimension, or an extra tag as `tag.<key>`. */
export type CacheGroupBy = Exclude<(typeof CACHE_GROUP_BY)[number], "none"> | TagDimension;

export const TOKENS_GROUP_BY = ["feature", "prompt_version", "model"] as const;
export type TokensGroupBy = (typeof TOKENS_GROUP_BY)[number] | TagDimension;

/** One extra tag key per report (they read the hourly tag rollups: a row holds one key). */
export interface ReportTag {
  key: string;
  value?: string;
}

/** `group_by` of a report: one of `fixed`, or `tag.<key>`. */
function reportGroupBySchema<K extends string>(fixed: readonly K[]) {
  return z.string().transform((value, ctx): K | TagDimension => {
    if ((fixed as readonly string[]).includes(value)) return value as K;
    if (isTagDimension(value)) {
      const problem = tagDimensionProblem(value);
      if (!problem) return value;
      ctx.addIssue({ code: "custom", message: problem });
      return z.NEVER;
    }
    ctx.addIssue({ code: "custom", message: `must be one of ${fixed.join(", ")}, or tag.<key> for an extra tag` });
    return z.NEVER;
  });
}

/**
 * `tag.<key>=<value>` parameters are moved into `tag_filters` before the strict object reads
 * the rest (so any other unknown parameter is still refused by name).
 */
function withTagParameters(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null) return raw;
  const rest: Record<string, unknown> = {};
  const tags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (isTagDimension(key)) tags[key] = value;
    else rest[key] = value;
  }
  return Object.keys(tags).length > 0 ? { ...rest, tag_filters: tags } : rest;
}

// Checked and turned into {key: value} at the root (checkReportTags, tagFiltersOf), so each
// problem is reported at the parameter's own name.
const tagFiltersSchema = z.record(z.string(), z.unknown()).optional();

function tagFiltersOf<T extends { tag_filters?: Record<string, unknown> | undefined }>(value: T): Omit<T, "tag_filters"> & { tag_filters: Record<string, string> } {
  const filters: Record<string, string> = {};
  for (const [param, raw] of Object.entries(value.tag_filters ?? {})) filters[tagKeyOf(param as TagDimension)] = String(raw);
  return { ...value, tag_filters: filters };
}

/** The report's one extra tag: from group_by and the tag filters (more than one key: 400 naming group_by). */
export function reportTagOf(query: { group_by: string | null; tag_filters: Record<string, string> }): ReportTag | null {
  const keys = new Set(Object.keys(query.tag_filters));
  if (query.group_by && isTagDimension(query.group_by)) keys.add(tagKeyOf(query.group_by));
  const [key] = [...keys];
  if (key === undefined) return null;
  return { key, ...(query.tag_filters[key] !== undefined ? { value: query.tag_filters[key] } : {}) };
}

function checkReportTags(value: { group_by: string | null; tag_filters?: Record<string, unknown> | undefined }, ctx: z.RefinementCtx): void {
  const keys = new Set<string>();
  for (const [param, raw] of Object.entries(value.tag_filters ?? {})) {
    const problem = tagDimensionProblem(param) ?? filterSchema.safeParse(raw).error?.issues[0]?.message ?? (typeof raw === "string" ? null : "must be a tag value");
    if (problem) ctx.addIssue({ code: "custom", path: [param], message: problem });
    keys.add(tagKeyOf(param as TagDimension));
  }
  if (value.group_by && isTagDimension(value.group_by)) keys.add(tagKeyOf(value.group_by));
  if (keys.size > 1) ctx.addIssue({ code: "custom", path: ["group_by"], message: "one extra tag key (tag.<key>) at a time in this report" });
}

/** Drop detection defaults (lib/analytics/cache-drops.ts explains the rule). */
export const DEFAULT_DROP_PP = 15;
export const DEFAULT_BASELINE_BUCKETS: Record<Bucket, number> = { day: 7, hour: 24 };
export const DEFAULT_MIN_REQUESTS = 50;
/** A drop must last this many buckets to be reported: one quiet hour's dip is noise. */
export const DEFAULT_MIN_BUCKETS: Record<Bucket, number> = { day: 1, hour: 3 };
export const DEFAULT_TOP_GROUPS = 8;

/** A bare date means midnight UTC (contract); anything else is an RFC 3339 timestamp. */
export function parseInstant(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

const instantSchema = z.iso
  .date({ message: "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp" })
  .or(timestampSchema)
  .transform(parseInstant);

const tagValue = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");

/** Exact-match filters on the rollup's tags (as GET /api/v1/spend has them). */
const filterFields = {
  team: tagValue.optional(),
  feature: tagValue.optional(),
  tenant: tagValue.optional(),
  environment: tagValue.optional(),
  model: tagValue.optional(),
};

export interface RollupFilters {
  team?: string;
  feature?: string;
  tenant?: string;
  environment?: string;
  model?: string;
}

const intParam = (min: number, max: number) =>
  z.coerce
    .number({ message: `must be an integer from ${min} to ${max}` })
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be an integer from ${min} to ${max}`)
    .max(max, `must be an integer from ${min} to ${max}`);

function checkWindow(value: { from: Date; to: Date; bucket: Bucket }, ctx: z.RefinementCtx): void {
  const span = value.to.getTime() - value.from.getTime();
  if (span <= 0) {
    ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from" });
  } else if (span > MAX_WINDOW_DAYS[value.bucket] * BUCKET_MS.day) {
    ctx.addIssue({
      code: "custom",
      path: ["to"],
      message: `the window is at most ${MAX_WINDOW_DAYS[value.bucket]} days with bucket=${value.bucket}`,
    });
  }
}

export const cacheQuerySchema = z.preprocess(
  withTagParameters,
  z.strictObject({
    from: instantSchema,
    to: instantSchema,
    bucket: z.enum(BUCKETS, { message: "must be hour or day" }).default("day"),
    group_by: reportGroupBySchema(CACHE_GROUP_BY)
      .default("none")
      .transform((value): CacheGroupBy | null => (value === "none" ? null : value)),
    tag_filters: tagFiltersSchema,
    /** Groups shown on their own (by input tokens); the rest are folded into one "other" group. */
    limit: intParam(1, 50).default(DEFAULT_TOP_GROUPS),
    drop_pp: intParam(1, 100).default(DEFAULT_DROP_PP),
    /** Default: 7 for daily buckets, 24 for hourly ones. */
    baseline_buckets: intParam(1, 168).optional(),
    min_requests: intParam(0, 1_000_000_000).default(DEFAULT_MIN_REQUESTS),
    /** Default: 1 for daily buckets, 3 for hourly ones. */
    min_buckets: intParam(1, 168).optional(),
    ...filterFields,
  })
  .superRefine(checkWindow)
  .superRefine(checkReportTags)
  .transform(tagFiltersOf),
);

export type CacheQuery = z.output<typeof cacheQuerySchema>;

export const tokensPerRequestQuerySchema = z.preprocess(
  withTagParameters,
  z.strictObject({
    from: instantSchema,
    to: instantSchema,
    bucket: z.enum(BUCKETS, { message: "must be hour or day" }).default("day"),
    group_by: reportGroupBySchema(TOKENS_GROUP_BY).default("feature"),
    tag_filters: tagFiltersSchema,
    ...filterFields,
  })
  .superRefine(checkWindow)
  .superRefine(checkReportTags)
  .transform(tagFiltersOf),
);

export type TokensPerRequestQuery = z.output<typeof tokensPerRequestQuerySchema>;
