/**
 * The one query-string builder: API requests, the react-query keys made from them, page
 * URLs and links all go through it. Parameters without a value (undefined, null, "") are
 * left out, the rest keep the order they are given in, so equal requests give equal
 * strings (and share one cache entry). Plain module: the server pages build the same keys
 * when they prefetch.
 */
export type QueryParams = Readonly<Record<string, string | null | undefined>>;

/** "a=1&b=x%20y" of the parameters that have a value; "" when none has. */
export function queryString(params: QueryParams): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== "") search.set(name, value);
  return search.toString();
}

/** `path?query`, or the bare path when no parameter has a value. */
export function withQuery(path: string, params: QueryParams | string): string {
  const search = typeof params === "string" ? params : queryString(params);
  return search ? `${path}?${search}` : path;
}

/**
 * The current URL's query with one parameter set (or removed when `value` is empty): the
 * filters that live beside other pages' parameters (`?id=`, `?request=`) keep those.
 */
export function withParam(current: string | URLSearchParams, name: string, value: string | null | undefined): string {
  const search = new URLSearchParams(current.toString());
  if (value) search.set(name, value);
  else search.delete(name);
  return search.toString();
}
