"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useApiQuery } from "@/components/queries/hooks";
import { queries, QUERY_ROOTS } from "@/components/queries/keys";

/**
 * The navigation's counts (GET /api/v1/badges): one query, polled, shared by the bell and
 * the sidebar so both show the same numbers from one request.
 */
export const BADGES_KEY = QUERY_ROOTS.badges;
/** The bell's notification lists live under this key. */
export const NOTIFICATIONS_KEY = QUERY_ROOTS.notifications;

export const BADGES_POLL_MS = 30_000;

export function useBadges() {
  return useApiQuery(queries.badges(), { refetchInterval: BADGES_POLL_MS, staleTime: 0 });
}

/** Refreshes the counts and the bell's list: after anything that may file, decide or fire something. */
export function useRefreshBadges(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    await Promise.all([client.invalidateQueries({ queryKey: BADGES_KEY }), client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY })]);
  };
}

/** "3", or "99+" past 99. */
export function badgeText(count: number): string {
  return count > 99 ? "99+" : String(count);
}
