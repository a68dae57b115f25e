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

/** A comma list of group keys drawn from `allowed` (repeats dropped); shared by spend and forecast queries. */
export function groupByListSchema<K extends string>(allowed: readonly K[]) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const keys = (value ?? "")
        .split(",")
        .map((key) => key.trim())
        .filter((key) => key !== "");
      const unknown = keys.filter((key) => !(allowed as readonly string[]).includes(key));
      if (unknown.length > 0) {
        ctx.addIssue({ code: "custom", message: `unknown group key ${unknown.join(", ")}; use ${allowed.join(", ")}` });
        return z.NEVER;
      }
      // A repeated key would only repeat a column: keep the first mention.
      return [...new Set(keys)] as K[];
    });
}

const groupBySchema = groupByListSchema(SPEND_GROUP_KEYS);

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

/** Known parameters only, and a sensible window. */
function spendQuery<S extends typeof spendShape>(shape: S) {
  return knownParameters(shape, (value, ctx) => {
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
