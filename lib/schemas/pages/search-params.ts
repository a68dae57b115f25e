import type { z } from "zod";

/** Next's searchParams: a name may repeat. */
export type SearchParams = Record<string, string | string[] | undefined>;

/** The first value of each parameter (a repeated name keeps its first). */
export function firstValues(raw: SearchParams): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
}

/** The first values as URLSearchParams: for the view helpers shared with the browser, which read `useSearchParams()`. */
export function urlSearchParamsOf(raw: SearchParams): URLSearchParams {
  return new URLSearchParams(Object.entries(firstValues(raw)).flatMap(([key, value]) => (value === undefined ? [] : [[key, value]])));
}

/**
 * A page's state from its URL: its schema over the first values. Page schemas `.catch`
 * each field, so a malformed value falls back to its default; a state that still fails
 * is the schema's defaults — a bad link never fails the page.
 */
export function parsePageState<S extends z.ZodType>(schema: S, raw: SearchParams): z.output<S> {
  const parsed = schema.safeParse(firstValues(raw));
  return parsed.success ? parsed.data : schema.parse({});
}
