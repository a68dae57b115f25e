import { z } from "zod";
import { parsePageState, type SearchParams } from "./search-params";

/** The Outcomes page's state, all of it in its URL: window, type and feature filters, the table's sort. */

export const FEATURE_SORT_KEYS = [
  "type",
  "feature",
  "outcomes",
  "successful",
  "success_rate",
  "cost_usd",
  "cost_per_success_usd",
  "requests",
  "unpriced_requests",
] as const;
export type FeatureSortKey = (typeof FEATURE_SORT_KEYS)[number];

export interface SortState<K extends string> {
  key: K;
  direction: "asc" | "desc";
}

/** A UTC day key, "YYYY-MM-DD". */
export const dayKeySchema = z.iso.date();
const day = dayKeySchema;

/** Everything the page keeps in its URL; a malformed value falls back instead of failing the page. */
export const outcomesPageSchema = z.object({
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  type: z.string().min(1).max(128).optional().catch(undefined),
  feature: z.string().min(1).max(256).optional().catch(undefined),
  sort: z.enum(FEATURE_SORT_KEYS).catch("cost_per_success_usd").default("cost_per_success_usd"),
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
});

export type OutcomesPageState = z.infer<typeof outcomesPageSchema>;

/** The page state from Next's searchParams (first value of a repeated parameter). */
export function parseOutcomesPageState(raw: SearchParams): OutcomesPageState {
  return parsePageState(outcomesPageSchema, raw);
}

