import { cache } from "react";
import { can, type UserPrincipal } from "@/lib/auth/permissions";
import type { BudgetView } from "@/lib/budgets/budgets";
import { answerRead, queryOf, READS, type ReadEndpoint } from "@/lib/http/read-endpoints";
import { queries, type ApiQuery } from "@/components/queries/keys";

/**
 * The server's side of components/queries/keys.ts: for a query the browser would GET, the
 * answer its API route gives, computed in the page's own request from the same endpoint
 * definition (lib/http/read-endpoints.ts: permission, input parsing, lib call), for the
 * signed-in principal, as the same JSON (a JSON round trip: Dates and Money as the route
 * sends them), read from the same database (answerRead: the read replica for the
 * dashboards' figures, the primary for the rest). A query that fails here (bad parameters, no permission, an error) is simply
 * not prefetched: the browser asks the API as before and shows the API's answer.
 */
export interface ServerQuery {
  queryKey: readonly unknown[];
  load: () => Promise<unknown>;
}

/** Answers already computed in this request, by key: panels that share a query run it once. */
const answersOfRequest = cache(() => new Map<string, Promise<unknown>>());

function serverQuery<I>(query: ApiQuery<unknown>, principal: UserPrincipal, endpoint: ReadEndpoint<I>, params: Record<string, string> = {}): ServerQuery {
  return {
    queryKey: query.queryKey,
    load: () => {
      const answers = answersOfRequest();
      const hash = JSON.stringify(query.queryKey);
      let pending = answers.get(hash);
      if (!pending) {
        pending = (async () => {
          if (!can(principal, endpoint.permission)) throw new Error(`${query.path} needs ${endpoint.permission}`);
          const answer = await answerRead(endpoint, { principal }, endpoint.input(queryOf(query.path), params));
          return JSON.parse(JSON.stringify(answer)) as unknown;
        })();
        answers.set(hash, pending);
      }
      return pending;
    },
  };
}

/** The queries the dashboard pages prefetch, each as its API route answers `principal`. */
export function serverQueries(principal: UserPrincipal) {
  const on = <I>(query: ApiQuery<unknown>, endpoint: ReadEndpoint<I>, params?: Record<string, string>) => serverQuery(query, principal, endpoint, params);
  return {
    spend: (params: Parameters<typeof queries.spend>[0]) => on(queries.spend(params), READS.spend),
    forecast: (params: Parameters<typeof queries.forecast>[0] = {}) => on(queries.forecast(params), READS.forecast),
    cacheReport: (params: Parameters<typeof queries.cacheReport>[0]) => on(queries.cacheReport(params), READS.cacheReport),
    tokensPerRequest: (params: Parameters<typeof queries.tokensPerRequest>[0]) => on(queries.tokensPerRequest(params), READS.tokensPerRequest),
    outcomeReport: (params: Parameters<typeof queries.outcomeReport>[0]) => on(queries.outcomeReport(params), READS.outcomeReport),
    outcomeCost: (params: Parameters<typeof queries.outcomeCost>[0]) => on(queries.outcomeCost(params), READS.outcomeCost),
    budgets: () => on(queries.budgets(), READS.budgets),
    burndown: (budget: Pick<BudgetView, "id" | "amount_usd">) => on(queries.burndown(budget), READS.burndown, { id: budget.id }),
    alerts: (params: Parameters<typeof queries.alerts>[0]) => on(queries.alerts(params), READS.alerts),
    alertRules: () => on(queries.alertRules(), READS.alertRules),
    alertChannels: () => on(queries.alertChannels(), READS.alertChannels),
    teams: () => on(queries.teams(), READS.teams),
    allocations: () => on(queries.allocations(), READS.allocations),
    burstRequests: (filters: Parameters<typeof queries.burstRequests>[0] = {}) => on(queries.burstRequests(filters), READS.burstRequests),
    quotaReview: (month: string | null) => on(queries.quotaReview(month), READS.quotaReview),
    reconciliation: (params: Parameters<typeof queries.reconciliation>[0]) => on(queries.reconciliation(params), READS.reconciliation),
    chargeback: (month: string) => on(queries.chargeback(month), READS.chargeback),
    statement: (month: string, team: string) => on(queries.statement(month, team), READS.statement),
    allocationRules: () => on(queries.allocationRules(), READS.allocationRules),
    closedMonths: () => on(queries.closedMonths(), READS.closedMonths),
    savings: (params: Parameters<typeof queries.savings>[0]) => on(queries.savings(params), READS.savings),
    savingsSubstitutes: () => on(queries.savingsSubstitutes(), READS.savingsSubstitutes),
    deferrableFeatures: () => on(queries.deferrableFeatures(), READS.deferrableFeatures),
    featureChanges: (team: string) => on(queries.featureChanges(team), READS.featureChanges),
    tagKeys: () => on(queries.tagKeys(), READS.tagKeys),
  };
}

export type ServerQueries = ReturnType<typeof serverQueries>;
