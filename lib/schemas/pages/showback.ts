import { z } from "zod";
import { SHOWBACK_DIMENSIONS, MEASURES, type ShowbackDimension } from "@/lib/view/showback";
import { isTagDimension, tagDimensionProblem, TAG_KEY_PATTERN } from "@/lib/schemas/spend";

/**
 * The Showback page's state, all of it in the URL (shareable, back-button friendly).
 * `to` is exclusive like the API's; the page shows the inclusive last day.
 */
const day = z.iso.date();

export const SHOWBACK_FILTERS = ["team", "feature", "environment", "tenant", "provider", "model"] as const;
export type ShowbackFilter = (typeof SHOWBACK_FILTERS)[number];

/** A fixed dimension or an extra tag (`tag.<key>`). */
const dimensionSchema = z.union([
  z.enum(SHOWBACK_DIMENSIONS),
  z.string().refine((value) => isTagDimension(value) && tagDimensionProblem(value) === null) as unknown as z.ZodType<ShowbackDimension>,
]);

export const showbackPageSchema = z.object({
  from: day.optional(),
  to: day.optional(),
  by: dimensionSchema.catch("team").default("team"),
  then: z.union([dimensionSchema, z.literal("none")]).catch("none").optional(),
  /** A filter on one extra tag: `tag_key=language&tag_value=fr` (the API's `tag.language=fr`). */
  tag_key: z.string().regex(TAG_KEY_PATTERN).optional().catch(undefined),
  tag_value: z.string().min(1).max(256).optional().catch(undefined),
  sort: z.enum(["key", "share", "change", "reported_cost_usd", "forecast_usd", ...MEASURES]).catch("cost_usd").default("cost_usd"),
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
  team: z.string().max(256).optional(),
  feature: z.string().max(256).optional(),
  environment: z.string().max(256).optional(),
  tenant: z.string().max(256).optional(),
  provider: z.string().max(256).optional(),
  model: z.string().max(256).optional(),
});

export type ShowbackPageState = z.infer<typeof showbackPageSchema>;

/** This month so far: from the 1st (UTC) to tomorrow's midnight. */
export function defaultShowbackWindow(now: Date): { from: string; to: string } {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

/** The secondary grouping: feature under team by default, none otherwise. */
export function secondaryOf(state: ShowbackPageState): ShowbackDimension | null {
  const then = state.then ?? (state.by === "team" ? "feature" : "none");
  return then === "none" || then === state.by ? null : then;
}

/** The page's tag filter as the API's parameter (`{"tag.language": "fr"}`), or nothing. */
export function tagFilterOf(state: Pick<ShowbackPageState, "tag_key" | "tag_value">): Record<string, string> {
  return state.tag_key && state.tag_value ? { [`tag.${state.tag_key}`]: state.tag_value } : {};
}
