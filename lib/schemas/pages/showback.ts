import { z } from "zod";
import { SHOWBACK_DIMENSIONS, MEASURES } from "@/lib/view/showback";

/**
 * The Showback page's state, all of it in the URL (shareable, back-button friendly).
 * `to` is exclusive like the API's; the page shows the inclusive last day.
 */
const day = z.iso.date();

export const SHOWBACK_FILTERS = ["team", "feature", "environment", "tenant", "provider", "model"] as const;
export type ShowbackFilter = (typeof SHOWBACK_FILTERS)[number];

export const showbackPageSchema = z.object({
  from: day.optional(),
  to: day.optional(),
  by: z.enum(SHOWBACK_DIMENSIONS).catch("team").default("team"),
  then: z.enum([...SHOWBACK_DIMENSIONS, "none"]).catch("none").optional(),
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
export function secondaryOf(state: ShowbackPageState): (typeof SHOWBACK_DIMENSIONS)[number] | null {
  const then = state.then ?? (state.by === "team" ? "feature" : "none");
  return then === "none" || then === state.by ? null : then;
}
