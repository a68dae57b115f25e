import { CACHE_FILTERS, cachePageSchema, type CachePageState, type CacheWindow } from "@/lib/schemas/pages/cache";
import type { QueryParams } from "@/components/queries/query-string";
import { isTagDimension, tagKeyOf } from "@/lib/schemas/spend";

const DEFAULTS: Record<string, string | undefined> = cachePageSchema.parse({});

/**
 * The API requests of a Cache view: the page prefetches exactly these on the server and the
 * panels ask for them in the browser, so both build them here.
 */
export function cacheRequests(state: CachePageState, window: CacheWindow) {
  const filters = Object.fromEntries(CACHE_FILTERS.map((f) => [f, state[f]]));
  const tagFilter = state.tag_key && state.tag_value ? { [`tag.${state.tag_key}`]: state.tag_value } : {};
  const base = { from: window.from, to: window.to, bucket: window.bucket, ...filters, ...tagFilter };
  // A report takes one extra tag key: a grouping by another tag than the filter's falls back.
  const clashes = (by: string) => isTagDimension(by) && state.tag_key !== undefined && state.tag_value !== undefined && tagKeyOf(by) !== state.tag_key;
  return {
    report: { ...base, group_by: clashes(state.by) ? "tenant" : state.by },
    tokens: { ...base, group_by: clashes(state.tby) ? "feature" : state.tby },
    /** The chosen tag's values for its filter. */
    tagValues: state.tag_key ? { from: window.from, to: window.to, group_by: `tag.${state.tag_key}` } : null,
    /** The filters' choices: every tag value seen in the window. */
    options: { from: window.from, to: window.to, group_by: CACHE_FILTERS.join(",") },
  };
}

/** The page's query string for a state: defaults left out, so the plain page is plain /cache. */
export function cacheQuery(state: Record<string, string | undefined>): QueryParams {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v === DEFAULTS[k] ? undefined : v]));
}
