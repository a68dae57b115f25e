import { z } from "zod";
import { timestampSchema } from "@/lib/schemas/common";
import { DAY_MS } from "@/lib/time";

/**
 * Query parameters of the outcome endpoints: GET /api/v1/outcomes/cost (contract),
 * GET /api/v1/outcomes/report and GET /api/v1/traces/{trace_id}. Every failure is a 400
 * naming its parameter ("type", "from", "to", "group_by", ...).
 */

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT_HINT = "an RFC 3339 timestamp or a date YYYY-MM-DD (midnight UTC)";

/** A query instant: RFC 3339 with an offset, or a bare date meaning midnight UTC (contract). */
export const queryInstantSchema = z
  .string({ message: `is required: ${INSTANT_HINT}` })
  .transform((value, ctx) => {
    const valid = BARE_DATE.test(value) ? z.iso.date().safeParse(value).success : timestampSchema.safeParse(value).success;
    const at = new Date(BARE_DATE.test(value) ? `${value}T00:00:00Z` : value);
    if (!valid || Number.isNaN(at.getTime())) {
      ctx.addIssue({ code: "custom", message: `must be ${INSTANT_HINT}` });
      return z.NEVER;
    }
    return at;
  });

/** Tag names the outcome cost rows already use for their figures: grouping by them would collide. */
export const RESERVED_GROUP_KEYS = [
  "outcomes",
  "successful",
  "cost_usd",
  "cost_per_success_usd",
  "requests",
  "unpriced_requests",
] as const;
export const MAX_GROUP_KEYS = 8;

/**
 * group_by: a comma list of the outcome's own tag names — team, feature, environment,
 * tenant, or any extra tag (outcomes.extra_tags). Empty or absent: no grouping.
 */
export const outcomeGroupBySchema = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === "") return [];
    const keys = value.split(",").map((key) => key.trim());
    const fail = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (keys.some((key) => key.length === 0 || key.length > 64)) return fail("tag names are 1 to 64 characters, comma separated");
    const reserved = keys.filter((key) => (RESERVED_GROUP_KEYS as readonly string[]).includes(key));
    if (reserved.length > 0) return fail(`cannot group by ${reserved.join(", ")}: it names a figure of the rows`);
    if (new Set(keys).size !== keys.length) return fail("names a tag twice");
    if (keys.length > MAX_GROUP_KEYS) return fail(`at most ${MAX_GROUP_KEYS} tags`);
    return keys;
  });

const outcomeTypeSchema = z
  .string({ message: "is required: the outcome type, e.g. ticket_resolved" })
  .min(1, "must not be empty")
  .max(128, "is at most 128 characters");

/** An optional exact-match filter; an empty value (a cleared form field) means no filter. */
const optionalFilter = z
  .string()
  .max(256, "is at most 256 characters")
  .optional()
  .transform((value) => (value === undefined || value === "" ? undefined : value));

interface Window {
  from: Date;
  to: Date;
}

/** `to` must come after `from`; `maxDays` caps windows that produce per-day series. */
function checkWindow(maxDays?: number) {
  return (query: Window, ctx: z.RefinementCtx) => {
    if (!(query.from instanceof Date) || !(query.to instanceof Date)) return;
    if (query.to.getTime() <= query.from.getTime()) {
      ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from (the window is [from, to))" });
    } else if (maxDays !== undefined && query.to.getTime() - query.from.getTime() > maxDays * DAY_MS) {
      ctx.addIssue({ code: "custom", path: ["to"], message: `the window is at most ${maxDays} days` });
    }
  };
}

/** GET /api/v1/outcomes/cost (contract): from, to, type required; group_by optional. */
export const outcomeCostQuerySchema = z
  .object({
    from: queryInstantSchema,
    to: queryInstantSchema,
    type: outcomeTypeSchema,
    group_by: outcomeGroupBySchema,
  })
  .superRefine(checkWindow());

export const REPORT_MAX_DAYS = 366;

/** GET /api/v1/outcomes/report: from, to required (at most 366 days); type and feature filter. */
export const outcomeReportQuerySchema = z
  .object({
    from: queryInstantSchema,
    to: queryInstantSchema,
    type: optionalFilter,
    feature: optionalFilter,
  })
  .superRefine(checkWindow(REPORT_MAX_DAYS));

/** A trace id as ingestion accepts it (events and outcomes: 1 to 256 characters). */
export const traceIdSchema = z.string().min(1).max(256);

export type OutcomeCostQueryInput = z.infer<typeof outcomeCostQuerySchema>;
export type OutcomeReportQueryInput = z.infer<typeof outcomeReportQuerySchema>;
