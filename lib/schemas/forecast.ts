import { z } from "zod";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { filterSchema, groupByListSchema } from "@/lib/schemas/spend";

/**
 * The query of GET /api/v1/forecast: exact-match filters (the spend API's), and an optional
 * `group_by` for one forecast per group (Showback's Forecast column). No window: the answer
 * is always the current UTC month. Unknown parameters are refused at their name, like
 * /api/v1/spend (a typo such as `teams=search` would otherwise forecast everybody's spend).
 */

export const FORECAST_FILTER_KEYS = ["team", "feature", "environment", "tenant", "provider", "model"] as const;
export type ForecastFilterKey = (typeof FORECAST_FILTER_KEYS)[number];
export type ForecastFilters = Partial<Record<ForecastFilterKey, string>>;

/** The dimensions a forecast can be split by: Showback's. */
export const FORECAST_GROUP_KEYS = ["team", "feature", "environment", "tenant", "model", "provider", "prompt_version"] as const;
export type ForecastGroupKey = (typeof FORECAST_GROUP_KEYS)[number];

// Filters and the group list as /api/v1/spend reads them (an empty filter is refused, not matched against "").
const groupBySchema = groupByListSchema(FORECAST_GROUP_KEYS);

const shape = {
  group_by: groupBySchema,
  team: filterSchema,
  feature: filterSchema,
  environment: filterSchema,
  tenant: filterSchema,
  // Stored names are normalized, so "OpenAI" matches what senders wrote as "openai".
  provider: filterSchema.transform((name) => (name === undefined ? undefined : normalizeProvider(name))),
  model: filterSchema,
};
const known = new Set(Object.keys(shape));

export const forecastQuerySchema = z
  .looseObject(shape)
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      if (!known.has(key)) ctx.addIssue({ code: "custom", path: [key], message: `unknown query parameter; use ${[...known].join(", ")}` });
    }
  })
  .transform((value) => Object.fromEntries(Object.entries(value).filter(([key]) => known.has(key))) as z.output<z.ZodObject<typeof shape>>);

export type ForecastQuery = z.output<typeof forecastQuerySchema>;

/** The filters of a parsed query, without the undefined ones. */
export function forecastFilters(query: ForecastQuery): ForecastFilters {
  const filters: ForecastFilters = {};
  for (const key of FORECAST_FILTER_KEYS) {
    const value = query[key];
    if (value !== undefined) filters[key] = value;
  }
  return filters;
}
