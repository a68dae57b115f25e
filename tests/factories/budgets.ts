import { POST as postBudgets } from "@/app/api/v1/budgets/route";
import { authenticateRequest } from "@/lib/http/with-route";
import type { Principal } from "@/lib/auth/permissions";
import type { BudgetView } from "@/lib/budgets/budgets";
import type { DailyCost } from "@/lib/budgets/forecast";
import { Money, type MoneyValue } from "@/lib/money";
import { apiRequest } from "./api-keys";
import type { UsageRowSpec } from "./usage-rows";
import { read, sessionRequest } from "./users";

/**
 * Budgets for API tests. Spend is written through the real ingestion path with the
 * usage-rows factory (createUsageWorld: $1 per million input tokens), so `usd(at, 2.5)`
 * is an event that costs exactly $2.50 (2,500,000 input tokens, no output).
 */

/** Who calls: an API key, a session cookie, or nobody. */
export type BudgetAuth = { key: string } | { cookie: string } | null;

export function budgetRequest(path: string, auth: BudgetAuth, options: { method?: string; body?: unknown } = {}): Request {
  const method = options.method ?? "GET";
  if (auth && "cookie" in auth) return sessionRequest(path, { cookie: auth.cookie, method, body: options.body });
  return apiRequest(path, { method, key: auth?.key, body: options.body });
}

/** The principal withRoute would see for these credentials (for calling lib functions with a fixed `now`). */
export async function principalOf(auth: { key: string } | { cookie: string }): Promise<Principal> {
  return authenticateRequest(budgetRequest("/api/v1/budgets", auth));
}

export function budgetBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: "Test budget", scope: {}, period: "month", amount_usd: "100", ...overrides };
}

/** POST /api/v1/budgets; the status and the parsed body. */
export async function postBudget(auth: BudgetAuth, body: unknown) {
  return read<BudgetView>(await postBudgets(budgetRequest("/api/v1/budgets", auth, { method: "POST", body })));
}

/** POST a budget that must be created (201); returns it. */
export async function createTestBudget(auth: BudgetAuth, overrides: Record<string, unknown> = {}): Promise<BudgetView> {
  const { status, body } = await postBudget(auth, budgetBody(overrides));
  if (status !== 201) throw new Error(`budget not created: ${status} ${JSON.stringify(body)}`);
  return body;
}

/** An event costing exactly `amountUsd` (at most 6 decimals) at `at`. */
export function usd(at: string, amountUsd: number | string, tags: Record<string, string> = {}): UsageRowSpec {
  const tokens = new Money(amountUsd).times(1_000_000);
  if (!tokens.isInteger()) throw new Error(`${amountUsd} USD is not a whole number of tokens`);
  return { at, input: tokens.toNumber(), output: 0, tags };
}

/** One event a day at `hour` costing `amountUsd`, for every UTC day in [from, to). */
export function everyDay(
  from: string,
  to: string,
  amountUsd: number | string,
  tags: Record<string, string> = {},
  hour = "10:00:00",
): UsageRowSpec[] {
  const rows: UsageRowSpec[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    rows.push(usd(`${new Date(t).toISOString().slice(0, 10)}T${hour}Z`, amountUsd, tags));
  }
  return rows;
}

/** Expected daily spend of a set of rows (what the rollups should give): sums by UTC day of each row's cost. */
export function dailyOf(rows: readonly UsageRowSpec[], cost: (row: UsageRowSpec) => MoneyValue): DailyCost[] {
  const byDay = new Map<string, Money>();
  for (const row of rows) {
    const day = new Date(row.at).toISOString().slice(0, 10);
    byDay.set(day, (byDay.get(day) ?? new Money(0)).plus(cost(row)));
  }
  return [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, total]) => ({ day, costUsd: total.toFixed() }));
}

/** The cost of a row made by `usd` / `everyDay` ($1 per million input tokens). */
export function costOf(row: UsageRowSpec): string {
  return new Money(row.input ?? 0).div(1_000_000).toFixed();
}
