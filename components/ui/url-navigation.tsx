"use client";

import { usePathname, useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useMemo, useTransition, type ReactNode } from "react";
import { withQuery, type QueryParams } from "@/components/queries/query-string";

/**
 * A page whose state lives in its URL. Changing it is a navigation: the server renders the
 * page again with the new state and its panels' data (they prefetch), and React keeps the
 * current view until that arrives. `pending` says a change is on its way, so every panel
 * of the page can dim itself, whichever panel started it.
 */
interface UrlNavigation {
  pending: boolean;
  /**
   * Replaces the query string (scroll position kept; no parameter, no "?"). `optimistic`
   * runs in the same transition: a useOptimistic setter there shows the new choice in its
   * control at once, until the page with it arrives.
   */
  replaceQuery: (params: QueryParams | string, optimistic?: () => void) => void;
}

const Context = createContext<UrlNavigation | null>(null);

function useNavigation(): UrlNavigation {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const replaceQuery = useCallback(
    (params: QueryParams | string, optimistic?: () => void) =>
      startTransition(() => {
        optimistic?.();
        router.replace(withQuery(pathname, params), { scroll: false });
      }),
    [router, pathname],
  );
  return useMemo(() => ({ pending, replaceQuery }), [pending, replaceQuery]);
}

/** Shares one navigation state among the panels below it. */
export function UrlNavigationProvider({ children }: { children: ReactNode }) {
  return <Context.Provider value={useNavigation()}>{children}</Context.Provider>;
}

/** The page's navigation state (the provider's), or a panel's own outside a provider. */
export function useUrlNavigation(): UrlNavigation {
  const own = useNavigation();
  return useContext(Context) ?? own;
}
