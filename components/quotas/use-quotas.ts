"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiClientError } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { queries, QUERY_ROOTS } from "@/components/queries/keys";
import type { BurstStatus } from "./quota-types";

/** Every quota query lives under ["quota"]: a decision changes allocations' limits, so any write refreshes them all. */
export const QUOTA_KEY = QUERY_ROOTS.quota;
const BADGES_KEY = QUERY_ROOTS.badges;

export function useAllocations() {
  return useApiQuery(queries.allocations());
}

export function useBurstRequests(filters: { status?: BurstStatus | ""; team?: string } = {}) {
  return useApiQuery(queries.burstRequests(filters));
}

export function useQuotaReview(month: string | null) {
  return useApiQuery(queries.quotaReview(month));
}

/**
 * A quota write that refreshes every quota query when it settles (also on 409: the state
 * moved on), and the navigation's count of pending requests.
 */
export function useQuotaMutation<TInput, TResult>(run: (input: TInput) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation<TResult, ApiClientError, TInput>({
    mutationFn: run,
    onSettled: () => Promise.all([client.invalidateQueries({ queryKey: QUOTA_KEY }), client.invalidateQueries({ queryKey: BADGES_KEY })]),
  });
}

/** Refreshes every quota query (allocations, requests, review) and the pending count in the navigation. */
export function useRefreshQuotas(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    await Promise.all([client.invalidateQueries({ queryKey: QUOTA_KEY }), client.invalidateQueries({ queryKey: BADGES_KEY })]);
  };
}

/** Any thrown value as an ApiClientError, so forms can always ask `.field(path)`. */
export function asApiError(caught: unknown, fallback: string): ApiClientError {
  return caught instanceof ApiClientError ? caught : new ApiClientError(fallback, 0, "unknown", []);
}

/** The readable message for a decision or cancel that lost a race. */
export function decisionErrorMessage(error: ApiClientError): string {
  return error.status === 409 ? `Someone already decided this request. ${error.message} The list has been refreshed.` : error.message;
}
