"use client";

import { useQuery } from "@tanstack/react-query";
import type { SpendRow } from "@/lib/analytics/showback-view";
import { apiFetch } from "@/components/api-client";

export interface SpendResponse {
  currency: "USD";
  from: string;
  to: string;
  group_by: string[];
  rows: SpendRow[];
  total: SpendRow;
}

/** GET /api/v1/spend through react-query; the key is the query string, so equal queries share a cache entry. */
export function useSpend(params: Record<string, string | undefined>, enabled = true) {
  const search = new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, v] as [string, string]])),
  ).toString();
  return useQuery({
    queryKey: ["spend", search],
    queryFn: () => apiFetch<SpendResponse>(`/api/v1/spend?${search}`),
    enabled,
  });
}
