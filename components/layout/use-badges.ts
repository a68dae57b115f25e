"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "@/components/api-client";
import type { BadgesJson } from "@/lib/schemas/notifications";

/**
 * The navigation's counts (GET /api/v1/badges): one query, polled, shared by the bell and
 * the sidebar so both show the same numbers from one request.
 */
export const BADGES_KEY = ["badges"] as const;
/** The bell's notification lists live under this key. */
export const NOTIFICATIONS_KEY = ["notifications"] as const;

export const BADGES_POLL_MS = 30_000;

export function useBadges() {
  return useQuery({
    queryKey: BADGES_KEY,
    queryFn: () => apiFetch<BadgesJson>("/api/v1/badges"),
    refetchInterval: BADGES_POLL_MS,
    staleTime: 0,
  });
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
