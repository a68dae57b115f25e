import { z } from "zod";
import { timestampSchema } from "@/lib/schemas/common";

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
export type CacheGroupBy = Exclude<(typeof CACHE_GROUP_BY)[number], "none">;

export const TOKENS_GROUP_BY = ["feature", "prompt_version", "model"] as const;
export type TokensGroupBy = (typeof TOKENS_GROUP_BY)[number];

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

export const cacheQuerySchema = z
  .strictObject({
    from: instantSchema,
    to: instantSchema,
    bucket: z.enum(BUCKETS, { message: "must be hour or day" }).default("day"),
    group_by: z
      .enum(CACHE_GROUP_BY, { message: `must be one of ${CACHE_GROUP_BY.join(", ")}` })
      .default("none")
      .transform((value): CacheGroupBy | null => (value === "none" ? null : value)),
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
  .superRefine(checkWindow);

export type CacheQuery = z.output<typeof cacheQuerySchema>;

export const tokensPerRequestQuerySchema = z
  .strictObject({
    from: instantSchema,
    to: instantSchema,
    bucket: z.enum(BUCKETS, { message: "must be hour or day" }).default("day"),
    group_by: z.enum(TOKENS_GROUP_BY, { message: `must be one of ${TOKENS_GROUP_BY.join(", ")}` }).default("feature"),
    ...filterFields,
  })
  .superRefine(checkWindow);

export type TokensPerRequestQuery = z.output<typeof tokensPerRequestQuerySchema>;
