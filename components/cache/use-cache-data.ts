"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { CacheReport } from "@/lib/analytics/cache";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { apiFetch } from "@/components/api-client";

type Params = Record<string, string | undefined>;

function search(params: Params): string {
  return new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, v] as [string, string]])),
  ).toString();
}

/**
 * GET /api/v1/cache and /api/v1/tokens-per-request through react-query, keyed by the
 * query string. The previous answer stays on screen while a new one loads, so changing
 * a filter dims the charts instead of blanking them.
 */
export function useCacheReport(params: Params) {
  const query = search(params);
  return useQuery({
    queryKey: ["cache", query],
    queryFn: () => apiFetch<CacheReport>(`/api/v1/cache?${query}`),
    placeholderData: keepPreviousData,
  });
}

export function useTokensPerRequest(params: Params) {
  const query = search(params);
  return useQuery({
    queryKey: ["tokens-per-request", query],
    queryFn: () => apiFetch<TokensPerRequestReport>(`/api/v1/tokens-per-request?${query}`),
    placeholderData: keepPreviousData,
  });
}
