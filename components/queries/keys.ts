import type { KeyView } from "@/lib/access/api-keys";
import type { TeamView } from "@/lib/access/teams";
import type { UserView } from "@/lib/access/users";
import type { AlertView } from "@/lib/alerts/alerts";
import type { ChannelView, DeliveryView } from "@/lib/alerts/channels";
import type { RuleView } from "@/lib/alerts/rule-store";
import type { CacheReport } from "@/lib/analytics/cache";
import type { OutcomeCostResult } from "@/lib/analytics/outcome-cost";
import type { SpendRow } from "@/lib/view/showback";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import type { TraceDetail } from "@/lib/analytics/trace-detail";
import type { BudgetView, BurndownView } from "@/lib/budgets/budgets";
import type { ForecastJson } from "@/lib/budgets/forecast-spend";
import type { AllocationView } from "@/lib/quotas/standing";
import type { BurstView } from "@/lib/quotas/bursts";
import type { ReviewView } from "@/lib/quotas/review";
import type { BurstState } from "@/lib/quotas/transitions";
import type { SourceActivity } from "@/lib/ingestion/ingest-receipts";
import type { BadgesJson, NotificationPageJson } from "@/lib/schemas/notifications";
import type { ConnectionJson, ReconciliationReportJson } from "@/lib/schemas/reconciliation";
import type { ChargebackView, StatementView } from "@/lib/chargeback/chargeback";
import type { AllocationRuleView } from "@/lib/chargeback/rules";
import type { DeferrableView, SavingsReport, SubstituteView } from "@/lib/savings/savings";
import type { FeatureChangeView } from "@/lib/savings/feature-changes";
import { queryString, withQuery, type QueryParams } from "./query-string";

/**
 * Every react-query key of the app, and the API request each stands for, in one place.
 * A key is the endpoint's name and its query string, so equal requests share one cache
 * entry. Plain module (no hooks, type-only imports of lib): the browser's hooks
 * (./hooks.ts) fetch `path`, and the server pages prefetch the same keys with the lib
 * function behind the route (app/(dashboard)/_prefetch), so the first render already has
 * the answer the browser would have asked for.
 */
export interface ApiQuery<T> {
  queryKey: readonly unknown[];
  /** The GET request the browser makes for it. */
  path: string;
  /** Type only: what the request answers. */
  readonly data?: T;
}

function apiQuery<T>(queryKey: readonly unknown[], path: string): ApiQuery<T> {
  return { queryKey, path };
}

/** A query under `name` whose key is its query string (equal strings, one cache entry). */
function searchQuery<T>(name: string, path: string, params: QueryParams): ApiQuery<T> {
  const search = queryString(params);
  return apiQuery<T>([name, search], withQuery(path, search));
}

/** GET /api/v1/spend, as the pages read it (rows and total as plain records). */
export interface SpendResponse {
  currency: "USD";
  from: string;
  to: string;
  group_by: string[];
  rows: SpendRow[];
  total: SpendRow;
}

export type SpendParams = { from: string; to: string; group_by?: string } & QueryParams;
export type WindowParams = { from: string; to: string } & QueryParams;

/** Prefixes that invalidate a family of queries at once. */
export const QUERY_ROOTS = {
  alerts: ["alerts"],
  alertChannels: ["alert-channels"],
  alertRules: ["alert-rules"],
  budgets: ["budgets"],
  /** Every quota query: a decision changes allocations' limits, so any write refreshes them all. */
  quota: ["quota"],
  badges: ["badges"],
  /** The bell's notification lists. */
  notifications: ["notifications"],
  teams: ["teams"],
  users: ["users"],
  apiKeys: ["api-keys"],
  /** The report and the connections: a pull or a connection change refreshes both. */
  reconciliation: ["reconciliation"],
  /** Months, statements and rules: a rule change or a close changes every statement. */
  chargeback: ["chargeback"],
  /** The report, substitutes and deferrable features: a declaration or dismissal changes the report. */
  savings: ["savings"],
} as const;

export const queries = {
  spend: (params: SpendParams) => searchQuery<SpendResponse>("spend", "/api/v1/spend", params),
  forecast: (params: QueryParams = {}) => searchQuery<ForecastJson>("forecast", "/api/v1/forecast", params),
  cacheReport: (params: WindowParams) => searchQuery<CacheReport>("cache", "/api/v1/cache", params),
  tokensPerRequest: (params: WindowParams) => searchQuery<TokensPerRequestReport>("tokens-per-request", "/api/v1/tokens-per-request", params),
  outcomeReport: (params: WindowParams) => searchQuery<OutcomeReport>("outcome-report", "/api/v1/outcomes/report", params),
  outcomeCost: (params: WindowParams & { type: string; group_by: string }) => searchQuery<OutcomeCostResult>("outcome-cost", "/api/v1/outcomes/cost", params),
  trace: (traceId: string) => apiQuery<TraceDetail>(["trace", traceId], `/api/v1/traces/${encodeURIComponent(traceId)}`),

  budgets: () => apiQuery<{ budgets: BudgetView[] }>(QUERY_ROOTS.budgets, "/api/v1/budgets"),
  /** Keyed by the amount too: editing it redraws the budget line. */
  burndown: (budget: Pick<BudgetView, "id" | "amount_usd">) =>
    apiQuery<BurndownView>(["budget-burndown", budget.id, budget.amount_usd], `/api/v1/budgets/${budget.id}/burndown`),

  alerts: (params: { state?: string; type?: string }) => searchQuery<{ alerts: AlertView[] }>("alerts", "/api/v1/alerts", params),
  alertRules: () => apiQuery<{ rules: RuleView[] }>(QUERY_ROOTS.alertRules, "/api/v1/alert-rules"),
  alertChannels: () => apiQuery<{ channels: ChannelView[] }>(QUERY_ROOTS.alertChannels, "/api/v1/alert-channels"),
  alertDeliveries: (channelId: string) => apiQuery<{ deliveries: DeliveryView[] }>(["alert-deliveries", channelId], `/api/v1/alert-channels/${channelId}/deliveries`),

  allocations: () => apiQuery<{ allocations: AllocationView[] }>([...QUERY_ROOTS.quota, "allocations"], "/api/v1/quota/allocations"),
  burstRequests: (filters: { status?: BurstState | ""; team?: string } = {}) => {
    const search = queryString({ status: filters.status, team: filters.team });
    return apiQuery<{ requests: BurstView[] }>([...QUERY_ROOTS.quota, "requests", search], withQuery("/api/v1/quota/requests", search));
  },
  /** null: the API's default, the last complete month. */
  quotaReview: (month: string | null) =>
    apiQuery<ReviewView>([...QUERY_ROOTS.quota, "review", month ?? "default"], withQuery("/api/v1/quota/review", { month })),

  reconciliation: (params: { from: string; to: string; provider?: string }) => {
    const search = queryString(params);
    return apiQuery<ReconciliationReportJson>([...QUERY_ROOTS.reconciliation, "report", search], withQuery("/api/v1/reconciliation", search));
  },
  reconciliationConnections: () => apiQuery<{ connections: ConnectionJson[] }>([...QUERY_ROOTS.reconciliation, "connections"], "/api/v1/reconciliation/connections"),

  chargeback: (month: string) => apiQuery<ChargebackView>([...QUERY_ROOTS.chargeback, "month", month], withQuery("/api/v1/chargeback", { month })),
  statement: (month: string, team: string) =>
    apiQuery<StatementView>([...QUERY_ROOTS.chargeback, "statement", month, team], withQuery("/api/v1/chargeback/statement", { month, team })),
  allocationRules: () => apiQuery<{ rules: AllocationRuleView[] }>([...QUERY_ROOTS.chargeback, "rules"], "/api/v1/allocation-rules"),
  closedMonths: () =>
    apiQuery<{ months: { month: string; closed_at: string; closed_by: string | null }[] }>([...QUERY_ROOTS.chargeback, "closed"], "/api/v1/chargeback/months"),

  savings: (params: { from: string; to: string; team?: string }) => {
    const search = queryString(params);
    return apiQuery<SavingsReport>([...QUERY_ROOTS.savings, "report", search], withQuery("/api/v1/savings", search));
  },
  savingsSubstitutes: () => apiQuery<{ substitutes: SubstituteView[] }>([...QUERY_ROOTS.savings, "substitutes"], "/api/v1/savings/substitutes"),
  deferrableFeatures: () => apiQuery<{ features: DeferrableView[] }>([...QUERY_ROOTS.savings, "deferrable"], "/api/v1/savings/deferrable"),

  featureChanges: (team: string) =>
    apiQuery<{ changes: FeatureChangeView[] }>([...QUERY_ROOTS.savings, "changes", team], withQuery("/api/v1/feature-changes", { team })),

  /** The extra tag keys seen (each groupable as tag.<key>). */
  tagKeys: () => apiQuery<{ keys: string[] }>(["tag-keys"], "/api/v1/tags"),

  teams: () => apiQuery<{ teams: TeamView[] }>(QUERY_ROOTS.teams, "/api/v1/teams"),
  users: () => apiQuery<{ users: UserView[] }>(QUERY_ROOTS.users, "/api/v1/users"),
  apiKeys: () => apiQuery<{ keys: KeyView[] }>(QUERY_ROOTS.apiKeys, "/api/v1/keys"),
  badges: () => apiQuery<BadgesJson>(QUERY_ROOTS.badges, "/api/v1/badges"),
  latestNotifications: (limit: number) =>
    apiQuery<NotificationPageJson>([...QUERY_ROOTS.notifications, "latest"], withQuery("/api/v1/notifications", { limit: String(limit) })),
  integrationActivity: () => apiQuery<{ sources: SourceActivity[] }>(["integration-activity"], "/api/v1/integrations/activity"),
} as const;

/** The data type of a query, for hooks and prefetches. */
export type QueryData<Q> = Q extends ApiQuery<infer T> ? T : never;
