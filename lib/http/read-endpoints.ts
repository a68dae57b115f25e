import "server-only";
import type { z } from "zod";
import { listTeams } from "@/lib/access/teams";
import { listAlerts } from "@/lib/alerts/alerts";
import { listChannels } from "@/lib/alerts/channels";
import { listRules } from "@/lib/alerts/rule-store";
import { getCacheReport } from "@/lib/analytics/cache";
import { getOutcomeCost } from "@/lib/analytics/outcome-cost";
import { getOutcomeReport } from "@/lib/analytics/outcome-report";
import { querySpend } from "@/lib/analytics/spend";
import { getTokensPerRequest } from "@/lib/analytics/tokens-per-request";
import { listTagKeys } from "@/lib/analytics/tag-keys";
import type { Permission } from "@/lib/auth/permissions";
import { getBudgetBurndown, listBudgets } from "@/lib/budgets/budgets";
import { queryForecast } from "@/lib/budgets/forecast-spend";
import type { Ctx } from "@/lib/context";
import { withReadPool } from "@/lib/db/read-routing";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { listAllocations } from "@/lib/quotas/allocations";
import { listBurstRequests } from "@/lib/quotas/bursts";
import { getQuotaReview } from "@/lib/quotas/review";
import { getReconciliation } from "@/lib/reconciliation/reconciliation";
import { getChargeback, getStatement, listClosedMonths } from "@/lib/chargeback/chargeback";
import { listAllocationRules } from "@/lib/chargeback/rules";
import { getSavings, listDeferrable, listSubstitutes } from "@/lib/savings/savings";
import { featureChangesQuerySchema, savingsQuerySchema } from "@/lib/schemas/savings";
import { listFeatureChanges } from "@/lib/savings/feature-changes";
import { chargebackQuerySchema, statementQuerySchema } from "@/lib/schemas/chargeback";
import { alertsQuerySchema } from "@/lib/schemas/alerts";
import { cacheQuerySchema, tokensPerRequestQuerySchema } from "@/lib/schemas/cache";
import { forecastQuerySchema } from "@/lib/schemas/forecast";
import { outcomeCostQuerySchema, outcomeReportQuerySchema } from "@/lib/schemas/outcome-cost";
import { allocationsQuerySchema, burstsQuerySchema, reviewQuerySchema } from "@/lib/schemas/quota";
import { reconciliationQuerySchema } from "@/lib/schemas/reconciliation";
import { spendQuerySchema } from "@/lib/schemas/spend";

/**
 * The GET endpoints the dashboard pages read, each said once: its permission, how its input
 * is read from the query string and the path, and the lib call that answers it. The route
 * handler (`readRoute`) and the server-side prefetch of the pages
 * (app/(dashboard)/_prefetch/server-queries.ts) both answer from here (`answerRead`), so a
 * page's first render holds exactly what the browser would have been sent, read from the
 * same database.
 *
 * `reads` says where: "replica" for the dashboards' and reports' figures over ingested usage
 * (rollups, events, outcomes), which may lag the primary by the replica's lag
 * (lib/db/read-routing.ts: the primary when there is no replica or it is down); "primary"
 * for quotas, budgets (their caps decide), and whatever the caller edits from the page and
 * reads back at once (alerts they acknowledge, rules, channels, teams, connections and their
 * runs, closed months, substitutes, deferrable features; the chargeback month and statements,
 * which are computed from the allocation rules and closures edited on the same page). Prisma
 * reads inside a replica entry (a feature change's list, savings' dismissals) stay on the
 * primary anyway, so what the caller just marked shows at once.
 */
export interface ReadEndpoint<I> {
  permission: Permission;
  reads: "replica" | "primary";
  /** The input from the query string and the path's segments; a 400 naming the field when it is not valid. */
  input: (query: Record<string, string>, params: Record<string, string>) => I;
  /** The JSON answer (before serialization). */
  answer: (ctx: Ctx, input: I) => Promise<unknown>;
}

function endpoint<I>(definition: {
  permission: Permission;
  reads: "replica" | "primary";
  input: (query: Record<string, string>, params: Record<string, string>) => I;
  answer: (ctx: Ctx, input: I) => Promise<unknown>;
}): ReadEndpoint<I> {
  return definition;
}

/** The route's reading of the query string: a repeated name keeps its last value (lib/http/parse.ts parseQuery). */
function fromQuery<S extends z.ZodType>(schema: S): (query: Record<string, string>) => z.infer<S> {
  return (query) => parseBody(schema, query, "The query is not valid.");
}

const noInput = (): Record<string, never> => ({});

export const READS = {
  spend: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(spendQuerySchema), answer: querySpend }),
  forecast: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(forecastQuerySchema), answer: queryForecast }),
  cacheReport: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(cacheQuerySchema), answer: getCacheReport }),
  tokensPerRequest: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(tokensPerRequestQuerySchema), answer: getTokensPerRequest }),
  outcomeReport: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(outcomeReportQuerySchema), answer: getOutcomeReport }),
  outcomeCost: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(outcomeCostQuerySchema), answer: getOutcomeCost }),
  budgets: endpoint({ reads: "primary", permission: "budgets:read", input: noInput, answer: async (ctx) => ({ budgets: await listBudgets(ctx) }) }),
  burndown: endpoint({ reads: "primary", permission: "budgets:read", input: (_query, params) => ({ id: uuidParam(params, "id") }), answer: getBudgetBurndown }),
  alerts: endpoint({ reads: "primary", permission: "spend:read", input: fromQuery(alertsQuerySchema), answer: async (ctx, query: z.infer<typeof alertsQuerySchema>) => ({ alerts: await listAlerts(ctx, query) }) }),
  alertRules: endpoint({ reads: "primary", permission: "alerts:manage", input: noInput, answer: async (ctx) => ({ rules: await listRules(ctx) }) }),
  alertChannels: endpoint({ reads: "primary", permission: "alerts:manage", input: noInput, answer: async (ctx) => ({ channels: await listChannels(ctx) }) }),
  teams: endpoint({ reads: "primary", permission: "teams:read", input: noInput, answer: async (ctx) => ({ teams: await listTeams(ctx) }) }),
  allocations: endpoint({
    reads: "primary",
    permission: "quota:read",
    input: fromQuery(allocationsQuerySchema),
    answer: async (ctx, query: z.infer<typeof allocationsQuerySchema>) => ({ allocations: await listAllocations(ctx, query) }),
  }),
  burstRequests: endpoint({
    reads: "primary",
    permission: "quota:read",
    input: fromQuery(burstsQuerySchema),
    answer: async (ctx, query: z.infer<typeof burstsQuerySchema>) => ({ requests: await listBurstRequests(ctx, query) }),
  }),
  quotaReview: endpoint({ reads: "primary", permission: "quota:read", input: fromQuery(reviewQuerySchema), answer: getQuotaReview }),
  reconciliation: endpoint({ reads: "primary", permission: "reconciliation:read", input: fromQuery(reconciliationQuerySchema), answer: getReconciliation }),
  chargeback: endpoint({ reads: "primary", permission: "chargeback:read", input: fromQuery(chargebackQuerySchema), answer: getChargeback }),
  statement: endpoint({ reads: "primary", permission: "chargeback:read", input: fromQuery(statementQuerySchema), answer: getStatement }),
  // Other teams' names and percents: for finance and admins (a lead's statement names the rules that reach them).
  allocationRules: endpoint({ reads: "primary", permission: "allocation:manage", input: noInput, answer: listAllocationRules }),
  closedMonths: endpoint({ reads: "primary", permission: "chargeback:read", input: noInput, answer: listClosedMonths }),
  tagKeys: endpoint({ reads: "replica", permission: "spend:read", input: noInput, answer: listTagKeys }),
  savings: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(savingsQuerySchema), answer: getSavings }),
  savingsSubstitutes: endpoint({ reads: "primary", permission: "spend:read", input: noInput, answer: listSubstitutes }),
  deferrableFeatures: endpoint({ reads: "primary", permission: "spend:read", input: noInput, answer: listDeferrable }),
  featureChanges: endpoint({ reads: "replica", permission: "spend:read", input: fromQuery(featureChangesQuerySchema), answer: listFeatureChanges }),
};

export type ReadName = keyof typeof READS;

/** The query string of a request or of a path as a plain object (a repeated name keeps its last value). */
export function queryOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url, "http://localhost").searchParams.entries());
}

/**
 * The endpoint's answer for `ctx` (input already parsed), read where the endpoint reads: a
 * replica entry on lib/db/read-routing.ts's pool (falling back to the primary), unless the
 * caller chose a database (`ctx.db`: a test's pool).
 */
export function answerRead<I>(endpoint: ReadEndpoint<I>, ctx: Ctx, input: I): Promise<unknown> {
  if (endpoint.reads === "primary" || ctx.db) return endpoint.answer(ctx, input);
  return withReadPool((db) => endpoint.answer({ ...ctx, db }, input));
}

/** A GET route handler answering `endpoint` (authentication, permission and errors by withRoute). */
export function readRoute<I>(endpoint: ReadEndpoint<I>) {
  return withRoute({ permission: endpoint.permission }, async (route) =>
    jsonResponse(await answerRead(endpoint, route, endpoint.input(queryOf(route.request.url), route.params))),
  );
}
