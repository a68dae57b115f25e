"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { BADGES_KEY } from "@/components/layout/use-badges";
import type { AllocationView, BurstRequestView, BurstStatus, ReviewView } from "./quota-types";

/** Every quota query lives under ["quota"]: a decision changes allocations' limits, so any write refreshes them all. */
export const QUOTA_KEY = ["quota"] as const;

export function useAllocations() {
  return useQuery({
    queryKey: [...QUOTA_KEY, "allocations"],
    queryFn: () => apiFetch<{ allocations: AllocationView[] }>("/api/v1/quota/allocations"),
  });
}

export function useBurstRequests(filters: { status?: BurstStatus | ""; team?: string } = {}) {
  const query = new URLSearchParams({
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.team ? { team: filters.team } : {}),
  }).toString();
  return useQuery({
    queryKey: [...QUOTA_KEY, "requests", query],
    queryFn: () => apiFetch<{ requests: BurstRequestView[] }>(`/api/v1/quota/requests${query ? `?${query}` : ""}`),
  });
}

export function useQuotaReview(month: string | null) {
  return useQuery({
    queryKey: [...QUOTA_KEY, "review", month ?? "default"],
    queryFn: () => apiFetch<ReviewView>(`/api/v1/quota/review${month ? `?month=${encodeURIComponent(month)}` : ""}`),
  });
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
