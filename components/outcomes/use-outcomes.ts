"use client";

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";
import type { OutcomeCostResult } from "@/lib/analytics/outcome-cost";
import type { DayWindow } from "@/lib/analytics/outcomes-view";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import type { TraceDetail } from "@/lib/analytics/trace-detail";
import { apiFetch } from "@/components/api-client";

function queryString(params: Record<string, string | undefined>): string {
  return new URLSearchParams(
    Object.entries(params).flatMap(([k, v]) => (v === undefined || v === "" ? [] : [[k, v] as [string, string]])),
  ).toString();
}

/**
 * GET /api/v1/outcomes/report. The key is the query string, so equal queries (the page's
 * and the filter options' when no filter is set) share one request. While new filters
 * load, the previous answer stays on screen (marked as updating) instead of a skeleton.
 */
export function useOutcomeReport(params: { from: string; to: string; type?: string; feature?: string }, keepPrevious = true) {
  const search = queryString(params);
  return useQuery({
    queryKey: ["outcome-report", search],
    queryFn: () => apiFetch<OutcomeReport>(`/api/v1/outcomes/report?${search}`),
    placeholderData: keepPrevious ? keepPreviousData : undefined,
  });
}

/** GET /api/v1/outcomes/cost?group_by=feature, one request per outcome type. */
export function useFeatureCosts(window: DayWindow, types: readonly string[]) {
  return useQueries({
    queries: types.map((type) => {
      const search = queryString({ from: window.from, to: window.to, type, group_by: "feature" });
      return {
        queryKey: ["outcome-cost", search],
        queryFn: () => apiFetch<OutcomeCostResult>(`/api/v1/outcomes/cost?${search}`),
      };
    }),
  });
}

/** GET /api/v1/traces/{id}: the drill-down. A 404 (not visible, or gone) is not retried. */
export function useTrace(traceId: string) {
  return useQuery({
    queryKey: ["trace", traceId],
    queryFn: () => apiFetch<TraceDetail>(`/api/v1/traces/${encodeURIComponent(traceId)}`),
    retry: (failures, error) => (error as { status?: number }).status !== 404 && failures < 2,
  });
}
