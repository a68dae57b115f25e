import { z } from "zod";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { timestampSchema } from "@/lib/schemas/common";
import { DAY_MS } from "@/lib/time";

/**
 * The query of GET /api/v1/spend (and of its export), as the contract defines it. Every
 * error names its field: an unknown group key is reported at "group_by", a window that
 * is empty or too long at "to", a misspelt parameter at its own name (a typo such as
 * `teams=search` would otherwise silently answer with everybody's spend).
 */

export const SPEND_GROUP_KEYS = [
  "team",
  "feature",
  "environment",
  "tenant",
  "user",
  "prompt_version",
  "provider",
  "model",
  "service_tier",
  "day",
  "month",
] as const;
export type SpendGroupKey = (typeof SPEND_GROUP_KEYS)[number];

/**
 * Any extra tag as a dimension (`tag.<key>`, e.g. `tag.language`): groupable in `group_by` and
 * filterable as the parameter `tag.<key>=<value>`, like the fixed keys. The key is the tag's
 * name as sent, restricted to characters that read unambiguously in a comma list and a URL.
 */
export const TAG_DIMENSION_PREFIX = "tag.";
export type TagDimension = `tag.${string}`;
export type SpendDimension = SpendGroupKey | TagDimension;
// At most 59 characters: "tag.<key>" is a result column name, and PostgreSQL keeps 63 bytes of one.
export const TAG_KEY_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]{0,58}$/;
/** Extra tag keys per query: one reads the tag rollups, more read the raw events. */
export const MAX_TAG_DIMENSIONS = 3;
const WELL_KNOWN_KEYS: readonly string[] = ["team", "feature", "environment", "tenant", "user", "prompt_version"];

export function isTagDimension(key: string): key is TagDimension {
  return key.startsWith(TAG_DIMENSION_PREFIX);
}

export function tagKeyOf(dimension: TagDimension): string {
  return dimension.slice(TAG_DIMENSION_PREFIX.length);
}

/** Why `tag.<key>` cannot be a dimension, or null when it can. */
export function tagDimensionProblem(dimension: string): string | null {
  const key = dimension.slice(TAG_DIMENSION_PREFIX.length);
  if (!TAG_KEY_PATTERN.test(key)) return `${dimension}: a tag key is 1-59 letters, digits, _ . : / or -`;
  if (WELL_KNOWN_KEYS.includes(key)) return `${dimension}: ${key} is a fixed key; use ${key}`;
  return null;
}

/** Exact-match filters; each is a column of both usage_events and usage_rollup_hourly. */
export const SPEND_FILTER_KEYS = ["team", "feature", "environment", "tenant", "provider", "model"] as const;
export type SpendFilterKey = (typeof SPEND_FILTER_KEYS)[number];
export type SpendFilters = Partial<Record<SpendFilterKey, string>>;

/** Longest window a query may span: a bit over a year, so year-over-year views fit. */
export const MAX_SPEND_WINDOW_DAYS = 400;

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const bareDateSchema = z.iso.date();

/** A bound: an RFC 3339 timestamp, or a bare date meaning midnight UTC (contract). */
const instantSchema = z
  .string({ message: "required: an RFC 3339 timestamp or a date (YYYY-MM-DD)" })
  .transform((value, ctx) => {
    // zod checks the calendar (no February 30th); Date alone would roll it over to March.
    const valid = BARE_DATE.test(value) ? bareDateSchema.safeParse(value).success : timestampSchema.safeParse(value).success;
    const at = new Date(BARE_DATE.test(value) ? `${value}T00:00:00Z` : value);
    if (!valid || Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: "custom", message: "must be an RFC 3339 timestamp with a time zone, or a date (YYYY-MM-DD)" });
      return z.NEVER;
    }
    return at;
  });

/**
 * A comma list of group keys drawn from `allowed` (repeats dropped); shared by spend and
 * forecast queries. With `tags`, `tag.<key>` entries are group keys too.
 */
export function groupByListSchema<K extends string>(allowed: readonly K[]): z.ZodType<K[], string | undefined>;
export function groupByListSchema<K extends string>(allowed: readonly K[], options: { tags: true }): z.ZodType<(K | TagDimension)[], string | undefined>;
export function groupByListSchema<K extends string>(allowed: readonly K[], options: { tags?: boolean } = {}) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const keys = (value ?? "")
        .split(",")
        .map((key) => key.trim())
        .filter((key) => key !== "");
      const isTag = (key: string) => options.tags === true && isTagDimension(key);
      const unknown = keys.filter((key) => !(allowed as readonly string[]).includes(key) && !isTag(key));
      if (unknown.length > 0) {
        const tagHint = options.tags ? ", or tag.<key> for an extra tag" : "";
        ctx.addIssue({ code: "custom", message: `unknown group key ${unknown.join(", ")}; use ${allowed.join(", ")}${tagHint}` });
        return z.NEVER;
      }
      const problems = keys.filter(isTag).map(tagDimensionProblem).filter((problem) => problem !== null);
      if (problems.length > 0) {
        ctx.addIssue({ code: "custom", message: problems.join("; ") });
        return z.NEVER;
      }
      // A repeated key would only repeat a column: keep the first mention.
      return [...new Set(keys)] as (K | TagDimension)[];
    });
}

const groupBySchema = groupByListSchema(SPEND_GROUP_KEYS, { tags: true });

// An empty value is refused rather than matched against "": omitting the parameter is
// how a client asks for everything, and `team=` reading as "nothing" would mislead.
export const filterSchema = z
  .string()
  .min(1, "must not be empty; omit the parameter to include everything")
  .max(256, "must be at most 256 characters")
  .optional();

/** The exact-match filters of the spend and forecast queries. */
export const filterShape = {
  team: filterSchema,
  feature: filterSchema,
  environment: filterSchema,
  tenant: filterSchema,
  // Stored names are normalized, so a filter written as a sender writes it ("OpenAI", "openai.chat") still matches.
  provider: filterSchema.transform((name) => (name === undefined ? undefined : normalizeProvider(name))),
  model: filterSchema,
};

const spendShape = {
  from: instantSchema,
  to: instantSchema,
  group_by: groupBySchema,
  ...filterShape,
};

/**
 * Known parameters only: each unknown one is reported at its name (a typo such as
 * `teams=search` must not silently widen the answer), and the output holds only known keys.
 */
export function knownParameters<S extends z.ZodRawShape>(shape: S, refine?: (value: Record<string, unknown>, ctx: z.RefinementCtx) => void) {
  const known = new Set(Object.keys(shape));
  return z
    .looseObject(shape)
    .superRefine((value, ctx) => {
      for (const key of Object.keys(value)) {
        if (!known.has(key)) {
          ctx.addIssue({ code: "custom", path: [key], message: `unknown query parameter; use ${[...known].join(", ")}` });
        }
      }
      refine?.(value, ctx);
    })
    .transform(
      (value) => Object.fromEntries(Object.entries(value).filter(([key]) => known.has(key))) as z.output<z.ZodObject<S>>,
    );
}

/**
 * Like knownParameters, and `tag.<key>=<value>` parameters too (exact-match filters on extra
 * tags), returned as `tag_filters` ({key: value}); a bad key or value is refused at its name.
 */
export function knownParametersWithTags<S extends z.ZodRawShape>(shape: S, refine?: (value: Record<string, unknown>, ctx: z.RefinementCtx) => void) {
  const known = new Set(Object.keys(shape));
  return z
    .looseObject(shape)
    .superRefine((value, ctx) => {
      let tags = 0;
      for (const [key, raw] of Object.entries(value)) {
        if (known.has(key)) continue;
        if (!isTagDimension(key)) {
          ctx.addIssue({ code: "custom", path: [key], message: `unknown query parameter; use ${[...known].join(", ")}, or tag.<key>=<value>` });
          continue;
        }
        const problem = tagDimensionProblem(key);
        const valueProblem = filterSchema.safeParse(raw).error?.issues[0]?.message ?? (typeof raw === "string" ? null : "must be a tag value");
        if (problem ?? valueProblem) ctx.addIssue({ code: "custom", path: [key], message: problem ?? valueProblem ?? "" });
        tags++;
      }
      if (tags > MAX_TAG_DIMENSIONS) ctx.addIssue({ code: "custom", path: ["tag"], message: `at most ${MAX_TAG_DIMENSIONS} tag.<key> filters` });
      refine?.(value, ctx);
    })
    .transform((value) => {
      const out = Object.fromEntries(Object.entries(value).filter(([key]) => known.has(key))) as z.output<z.ZodObject<S>>;
      const tagFilters: Record<string, string> = {};
      for (const [key, raw] of Object.entries(value)) if (isTagDimension(key)) tagFilters[tagKeyOf(key)] = String(raw);
      return { ...out, tag_filters: tagFilters };
    });
}

/** Known parameters (and tag filters) only, and a sensible window; at most MAX_TAG_DIMENSIONS extra tag keys in all. */
function spendQuery<S extends typeof spendShape>(shape: S) {
  return knownParametersWithTags(shape, (value, ctx) => {
    const groupBy = Array.isArray(value.group_by) ? (value.group_by as string[]) : [];
    const tagKeys = new Set([...groupBy.filter(isTagDimension), ...Object.keys(value).filter(isTagDimension)]);
    if (tagKeys.size > MAX_TAG_DIMENSIONS) {
      ctx.addIssue({ code: "custom", path: ["group_by"], message: `at most ${MAX_TAG_DIMENSIONS} extra tag keys (tag.<key>) in group_by and filters together` });
    }
    const { from, to } = value as { from: unknown; to: unknown };
    if (!(from instanceof Date) || !(to instanceof Date)) return;
    if (from.getTime() >= to.getTime()) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from (from is inclusive, to exclusive)" });
    } else if (to.getTime() - from.getTime() > MAX_SPEND_WINDOW_DAYS * DAY_MS) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `the window may span at most ${MAX_SPEND_WINDOW_DAYS} days` });
    }
  });
}

export const spendQuerySchema = spendQuery(spendShape);

export const SPEND_EXPORT_FORMATS = ["csv", "focus"] as const;
export type SpendExportFormat = (typeof SPEND_EXPORT_FORMATS)[number];

/** The export takes the same parameters plus `format` (csv when omitted). */
export const spendExportQuerySchema = spendQuery({
  ...spendShape,
  format: z.enum(SPEND_EXPORT_FORMATS, { message: "must be csv or focus" }).default("csv"),
});

export type SpendQuery = z.output<typeof spendQuerySchema>;
export type SpendExportQuery = z.output<typeof spendExportQuerySchema>;

/** The filters of a parsed query (spend or forecast), without the undefined ones. */
export function spendFilters(query: Partial<Record<SpendFilterKey, string | undefined>>): SpendFilters {
  const filters: SpendFilters = {};
  for (const key of SPEND_FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined) filters[key] = value;
  }
  return filters;
}
