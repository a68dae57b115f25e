import { cache } from "react";
import type { z } from "zod";
import { listTeams } from "@/lib/access/teams";
import { listAlerts } from "@/lib/alerts/alerts";
import { listChannels } from "@/lib/alerts/channels";
import { listRules } from "@/lib/alerts/rule-store";
import { getCacheReport } from "@/lib/analytics/cache";
import { outcomeCost } from "@/lib/analytics/outcome-cost";
import { querySpend } from "@/lib/analytics/spend";
import { getTokensPerRequest } from "@/lib/analytics/tokens-per-request";
import { outcomeReport } from "@/lib/analytics/outcome-report";
import { can, teamScope, type Permission, type UserPrincipal } from "@/lib/auth/permissions";
import { budgetBurndown, listBudgets, type BudgetView } from "@/lib/budgets/budgets";
import { queryForecast } from "@/lib/budgets/forecast-spend";
import { getPool } from "@/lib/db";
import { parseBody } from "@/lib/http/parse";
import { listAllocations } from "@/lib/quotas/allocations";
import { listBurstRequests } from "@/lib/quotas/bursts";
import { quotaReview } from "@/lib/quotas/review";
import { alertsQuerySchema } from "@/lib/schemas/alerts";
import { cacheQuerySchema, tokensPerRequestQuerySchema } from "@/lib/schemas/cache";
import { forecastQuerySchema } from "@/lib/schemas/forecast";
import { outcomeCostQuerySchema, outcomeReportQuerySchema } from "@/lib/schemas/outcome-cost";
import { allocationsQuerySchema, burstsQuerySchema, reviewQuerySchema } from "@/lib/schemas/quota";
import { spendQuerySchema } from "@/lib/schemas/spend";
import { queries, type ApiQuery } from "@/components/queries/keys";

/**
 * The server's side of components/queries/keys.ts: for a query the browser would GET, the
 * answer its API route gives, computed in the page's own request. Same query-string
 * parsing (the route's zod schema), same permission, same team scope (the signed-in
 * principal's), same JSON (a JSON round trip: Dates and Money as the route sends them).
 * A query that fails here (bad parameters, no permission, an error) is simply not
 * prefetched: the browser asks the API as before and shows the API's answer.
 */
export interface ServerQuery {
  queryKey: readonly unknown[];
  load: () => Promise<unknown>;
}

/** Answers already computed in this request, by key: panels that share a query run it once. */
const answersOfRequest = cache(() => new Map<string, Promise<unknown>>());

function serverQuery<T>(query: ApiQuery<T>, principal: UserPrincipal, permission: Permission, answer: () => Promise<unknown>): ServerQuery {
  return {
    queryKey: query.queryKey,
    load: () => {
      const answers = answersOfRequest();
      const hash = JSON.stringify(query.queryKey);
      let pending = answers.get(hash);
      if (!pending) {
        pending = (async () => {
          if (!can(principal, permission)) throw new Error(`${query.path} needs ${permission}`);
          return JSON.parse(JSON.stringify(await answer())) as unknown;
        })();
        answers.set(hash, pending);
      }
      return pending;
    },
  };
}

/** The route's reading of the query string (lib/http/parse.ts parseQuery), from the path the browser would request. */
function parsedQuery<S extends z.ZodType>(schema: S, path: string): z.infer<S> {
  return parseBody(schema, Object.fromEntries(new URL(path, "http://localhost").searchParams.entries()), "The query is not valid.");
}

/** The queries the dashboard pages prefetch, each as its API route answers `principal`. */
export function serverQueries(principal: UserPrincipal) {
  const scope = teamScope(principal);
  return {
    spend(params: Parameters<typeof queries.spend>[0]) {
      const q = queries.spend(params);
      return serverQuery(q, principal, "spend:read", () => querySpend(getPool(), parsedQuery(spendQuerySchema, q.path), scope));
    },
    forecast(params: Parameters<typeof queries.forecast>[0] = {}) {
      const q = queries.forecast(params);
      return serverQuery(q, principal, "spend:read", () => queryForecast(getPool(), parsedQuery(forecastQuerySchema, q.path), scope));
    },
    cacheReport(params: Parameters<typeof queries.cacheReport>[0]) {
      const q = queries.cacheReport(params);
      return serverQuery(q, principal, "spend:read", () => getCacheReport(parsedQuery(cacheQuerySchema, q.path), { scope }));
    },
    tokensPerRequest(params: Parameters<typeof queries.tokensPerRequest>[0]) {
      const q = queries.tokensPerRequest(params);
      return serverQuery(q, principal, "spend:read", () => getTokensPerRequest(parsedQuery(tokensPerRequestQuerySchema, q.path), { scope }));
    },
    outcomeReport(params: Parameters<typeof queries.outcomeReport>[0]) {
      const q = queries.outcomeReport(params);
      return serverQuery(q, principal, "spend:read", () => outcomeReport(getPool(), parsedQuery(outcomeReportQuerySchema, q.path), scope));
    },
    outcomeCost(params: Parameters<typeof queries.outcomeCost>[0]) {
      const q = queries.outcomeCost(params);
      return serverQuery(q, principal, "spend:read", () => {
        const query = parsedQuery(outcomeCostQuerySchema, q.path);
        return outcomeCost(getPool(), { from: query.from, to: query.to, type: query.type, groupBy: query.group_by }, scope);
      });
    },
    budgets() {
      return serverQuery(queries.budgets(), principal, "budgets:read", async () => ({ budgets: await listBudgets(principal) }));
    },
    burndown(budget: Pick<BudgetView, "id" | "amount_usd">) {
      return serverQuery(queries.burndown(budget), principal, "budgets:read", () => budgetBurndown(principal, budget.id));
    },
    alerts(params: Parameters<typeof queries.alerts>[0]) {
      const q = queries.alerts(params);
      return serverQuery(q, principal, "spend:read", async () => ({ alerts: await listAlerts(principal, parsedQuery(alertsQuerySchema, q.path)) }));
    },
    alertRules() {
      return serverQuery(queries.alertRules(), principal, "alerts:manage", async () => ({ rules: await listRules() }));
    },
    alertChannels() {
      return serverQuery(queries.alertChannels(), principal, "alerts:manage", async () => ({ channels: await listChannels() }));
    },
    teams() {
      return serverQuery(queries.teams(), principal, "teams:read", async () => ({ teams: await listTeams(principal) }));
    },
    allocations() {
      const q = queries.allocations();
      return serverQuery(q, principal, "quota:read", async () => ({ allocations: await listAllocations(principal, parsedQuery(allocationsQuerySchema, q.path)) }));
    },
    burstRequests(filters: Parameters<typeof queries.burstRequests>[0] = {}) {
      const q = queries.burstRequests(filters);
      return serverQuery(q, principal, "quota:read", async () => ({ requests: await listBurstRequests(principal, parsedQuery(burstsQuerySchema, q.path)) }));
    },
    quotaReview(month: string | null) {
      const q = queries.quotaReview(month);
      return serverQuery(q, principal, "quota:read", () => quotaReview(principal, parsedQuery(reviewQuerySchema, q.path).month));
    },
  };
}

export type ServerQueries = ReturnType<typeof serverQueries>;
