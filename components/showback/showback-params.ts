import { previousWindow } from "@/lib/view/showback";
import { SHOWBACK_FILTERS, secondaryOf, tagFilterOf, type ShowbackPageState } from "@/lib/schemas/pages/showback";
import { isTagDimension } from "@/lib/schemas/spend";
import { utcDayKey } from "@/lib/time";
import type { QueryParams } from "@/components/queries/query-string";

export type ShowbackWindow = { from: string; to: string };

/** The tag filters of the page state (undefined when unset). */
export function showbackFilters(state: ShowbackPageState): Record<(typeof SHOWBACK_FILTERS)[number], string | undefined> {
  return Object.fromEntries(SHOWBACK_FILTERS.map((f) => [f, state[f]])) as Record<(typeof SHOWBACK_FILTERS)[number], string | undefined>;
}

/**
 * The API requests of a Showback view: the page prefetches exactly these on the server and
 * the panels ask for them in the browser, so both build them here.
 */
export function showbackRequests(state: ShowbackPageState, window: ShowbackWindow) {
  const primary = state.by;
  const secondary = secondaryOf(state);
  const filters = { ...showbackFilters(state), ...tagFilterOf(state) };
  const previous = previousWindow(new Date(`${window.from}T00:00:00Z`), new Date(`${window.to}T00:00:00Z`));
  const groupBy = secondary ? `${primary},${secondary}` : primary;
  return {
    /** The table's rows and the total. */
    current: { from: window.from, to: window.to, group_by: groupBy, ...filters },
    /** The window just before, for "vs prev.". */
    prior: { from: utcDayKey(previous.from), to: utcDayKey(previous.to), group_by: groupBy, ...filters },
    /** The sparklines. */
    daily: { from: window.from, to: window.to, group_by: `${primary},day`, ...filters },
    /** The filters' choices: every tag value seen in the window. */
    options: { from: window.from, to: window.to, group_by: SHOWBACK_FILTERS.join(",") },
    /** The month-end forecast per primary row (the current month only; fixed dimensions only). */
    forecast: { group_by: primary, ...showbackFilters(state) } satisfies QueryParams,
    /** Whether the forecast applies: the forecast API splits by fixed dimensions and filters on them only. */
    forecastable: !isTagDimension(primary) && Object.keys(tagFilterOf(state)).length === 0,
    /** The extra tag keys for the grouping and filter choices. */
    tagValues: state.tag_key ? { from: window.from, to: window.to, group_by: `tag.${state.tag_key}` } : null,
  };
}
