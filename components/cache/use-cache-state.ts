"use client";

import { useOptimistic } from "react";
import type { CachePageState } from "@/lib/schemas/pages/cache";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import type { Update } from "./cache-filters";
import { cacheQuery } from "./cache-params";

/** The Cache view as shown, and the way to change it: into the URL; the controls show the change at once while the page with it loads. */
export function useCacheState(state: CachePageState): [CachePageState, Update] {
  const { replaceQuery } = useUrlNavigation();
  const [shown, show] = useOptimistic(state, (current, changes: Parameters<Update>[0]) => ({ ...current, ...changes }) as CachePageState);
  return [shown, (changes) => replaceQuery(cacheQuery({ ...state, ...changes }), () => show(changes))];
}
