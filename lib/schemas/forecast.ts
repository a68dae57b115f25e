import type { z } from "zod";
import { SPEND_FILTER_KEYS, filterShape, groupByListSchema, knownParameters, spendFilters, type SpendFilters } from "@/lib/schemas/spend";

/**
 * The query of GET /api/v1/forecast: exact-match filters (the spend API's), and an optional
 * `group_by` for one forecast per group (Showback's Forecast column). No window: the answer
 * is always the current UTC month. Unknown parameters are refused at their name, like
 * /api/v1/spend (a typo such as `teams=search` would otherwise forecast everybody's spend).
 */

// The spend API's filters, read the same way.
export const FORECAST_FILTER_KEYS = SPEND_FILTER_KEYS;
export type ForecastFilters = SpendFilters;

/** The dimensions a forecast can be split by: Showback's. */
export const FORECAST_GROUP_KEYS = ["team", "feature", "environment", "tenant", "model", "provider", "prompt_version"] as const;
export type ForecastGroupKey = (typeof FORECAST_GROUP_KEYS)[number];

export const forecastQuerySchema = knownParameters({ group_by: groupByListSchema(FORECAST_GROUP_KEYS), ...filterShape });

export type ForecastQuery = z.output<typeof forecastQuerySchema>;

/** The filters of a parsed query, without the undefined ones. */
export function forecastFilters(query: ForecastQuery): ForecastFilters {
  return spendFilters(query);
}
