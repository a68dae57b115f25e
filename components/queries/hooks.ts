"use client";

import { keepPreviousData, useQueries, useQuery, type QueryKey, type UseQueryOptions } from "@tanstack/react-query";
import { apiFetch } from "@/components/api-client";
import { queries, type ApiQuery, type SpendParams, type WindowParams } from "./keys";
import type { QueryParams } from "./query-string";

type Options<T> = Omit<UseQueryOptions<T, Error, T, QueryKey>, "queryKey" | "queryFn">;

/** The browser's side of a query of ./keys.ts: GET its path through react-query. */
export function useApiQuery<T>(query: ApiQuery<T>, options: Options<T> = {}) {
  return useQuery({ queryKey: query.queryKey, queryFn: () => apiFetch<T>(query.path), ...options });
}

/** The options of a query whose previous answer stays on screen (dimmed) while new filters load. */
export function keepPrevious<T>(keep = true): Options<T> {
  return keep ? { placeholderData: keepPreviousData } : {};
}

export function useSpend(params: SpendParams, enabled = true) {
  return useApiQuery(queries.spend(params), { enabled });
}

export function useForecast(params: QueryParams = {}, enabled = true) {
  return useApiQuery(queries.forecast(params), { enabled });
}

/** GET /api/v1/cache: the previous answer stays while a new one loads, so a filter change dims the charts instead of blanking them. */
export function useCacheReport(params: WindowParams) {
  return useApiQuery(queries.cacheReport(params), keepPrevious());
}

export function useTokensPerRequest(params: WindowParams) {
  return useApiQuery(queries.tokensPerRequest(params), keepPrevious());
}

/**
 * GET /api/v1/outcomes/report. Equal queries (the page's and the filter options' when no
 * filter is set) share one request; `keepPrevious` keeps the last answer on screen, marked
 * as updating, while new filters load.
 */
export function useOutcomeReport(params: WindowParams & { type?: string; feature?: string }, keepPreviousAnswer = true) {
  return useApiQuery(queries.outcomeReport(params), keepPrevious(keepPreviousAnswer));
}

/** GET /api/v1/outcomes/cost?group_by=feature, one request per outcome type. */
export function useFeatureCosts(window: { from: string; to: string }, types: readonly string[]) {
  return useQueries({
    queries: types.map((type) => {
      const query = queries.outcomeCost({ from: window.from, to: window.to, type, group_by: "feature" });
      return { queryKey: query.queryKey, queryFn: () => apiFetch<NonNullable<typeof query.data>>(query.path) };
    }),
  });
}

/** GET /api/v1/traces/{id}: the drill-down. A 404 (not visible, or gone) is not retried. */
export function useTrace(traceId: string) {
  return useApiQuery(queries.trace(traceId), {
    retry: (failures, error) => (error as { status?: number }).status !== 404 && failures < 2,
  });
}

export function useBudgets() {
  return useApiQuery(queries.budgets());
}

export function useAlertRules() {
  return useApiQuery(queries.alertRules());
}

export function useAlertChannels() {
  return useApiQuery(queries.alertChannels());
}

export function useTeams() {
  return useApiQuery(queries.teams());
}
