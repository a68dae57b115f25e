"use client";

import { useQuery } from "@tanstack/react-query";
import type { ForecastJson } from "@/lib/budgets/forecast-spend";
import { apiFetch } from "@/components/api-client";

/** GET /api/v1/forecast through react-query; the key is the query string. */
export function useForecast(params: Record<string, string | undefined>, enabled = true) {
  const search = new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, v] as [string, string]])),
  ).toString();
  return useQuery({
    queryKey: ["forecast", search],
    queryFn: () => apiFetch<ForecastJson>(`/api/v1/forecast?${search}`),
    enabled,
  });
}
