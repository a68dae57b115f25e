import "server-only";
import type pg from "pg";
import { principalForEmail } from "@/lib/auth/user-principal";
import type { UserPrincipal } from "@/lib/auth/permissions";
import { createBudget } from "@/lib/budgets/budgets";
import { budgetForecastDays, dailySpendByBudget } from "@/lib/budgets/status";
import { markNotificationsRead } from "@/lib/notifications/notifications";
import { setAllocation } from "@/lib/quotas/allocations";
import { createBurstRequest, decideBurstRequest } from "@/lib/quotas/bursts";
import type { BudgetScopeInput } from "@/lib/schemas/budget";
import { replayAlerts, type ReplaySummary } from "./alert-replay";
import {
  DEMO_ALLOCATIONS,
  DEMO_BUDGETS,
  DEMO_BURSTS,
  allocationAmountFor,
  budgetAmountFor,
  burstAmountFor,
  setupTimes,
} from "./workflow-plan";
import { DEMO_ACCOUNTS } from "./company";
import { DAY_MS, HOUR_MS } from "@/lib/time";

/**
 * The demo company's 90 days of planning, after its events are in: finance sets budgets,
 * the platform admin sets quota allocations, the lead files burst requests and the admin
 * decides them — each through the same lib/ functions the API calls, as those accounts,
 * at its past time (audit entries and notifications dated then) — and the alert history
 * is replayed over the days (alert-replay.ts). Notifications older than five days are
 * marked read, as people who use the product would have.
 *
 * Only on an installation with no budgets, allocations or burst requests yet: it never
 * adds a second set next to what someone planned.
 */

export interface WorkflowSummary {
  budgets: number;
  allocations: number;
  bursts: number;
  alerts: ReplaySummary;
}

const ACCOUNTS = { admin: "admin@example.com", finance: "finance@example.com", lead: "lead@example.com" } as const;

export async function hasPlanningData(pool: pg.Pool): Promise<boolean> {
  const result = await pool.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM budgets) OR EXISTS (SELECT 1 FROM quota_allocations) OR EXISTS (SELECT 1 FROM burst_requests) AS found`,
  );
  return result.rows[0]?.found === true;
}

async function account(email: string): Promise<UserPrincipal> {
  const principal = await principalForEmail(email);
  if (!principal) throw new Error(`demo account ${email} is missing or disabled`);
  return principal;
}

/** This month's spend so far and the month-end forecast (with its high end) of each scope at `now`, as budgets see them. */
async function monthOutlook(pool: pg.Pool, now: Date, scopes: readonly BudgetScopeInput[]) {
  const keyed = scopes.map((scope, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, scope }));
  const daily = await dailySpendByBudget(pool, now, keyed);
  return keyed.map(({ id }) => {
    const { forecast } = budgetForecastDays(now, daily.get(id) ?? []);
    return { spent: forecast.actualUsd, forecast: forecast.forecastUsd, high: forecast.highUsd };
  });
}

export async function seedWorkflows(
  pool: pg.Pool,
  window: { startMs: number; endMs: number },
  progress: (message: string) => void = () => {},
): Promise<WorkflowSummary | null> {
  if (await hasPlanningData(pool)) {
    progress("Budgets, allocations or burst requests exist already: the demo's planning history is left out.");
    return null;
  }
  const started = Date.now();
  const [admin, finance, lead] = await Promise.all([account(ACCOUNTS.admin), account(ACCOUNTS.finance), account(ACCOUNTS.lead)]);
  const end = new Date(window.endMs);
  const { budgetsAt, allocationsAt } = setupTimes(window.startMs, window.endMs);

  const budgetOutlook = await monthOutlook(pool, end, DEMO_BUDGETS.map((b) => b.scope));
  for (const [i, budget] of DEMO_BUDGETS.entries()) {
    const outlook = budgetOutlook[i];
    if (!outlook) continue;
    await createBudget(
      { principal: finance, now: new Date(budgetsAt.getTime() + i * 7 * 60_000), db: pool },
      {
        name: budget.name,
        scope: budget.scope,
        period: "month",
        amount_usd: budgetAmountFor(budget.target, outlook.spent, outlook.forecast, outlook.high),
        thresholds: [50, 80, 100],
      },
    );
  }

  const teamOutlook = await monthOutlook(pool, end, DEMO_ALLOCATIONS.map((a) => ({ team: a.team })));
  const spentByTeam = new Map<string, { spent: string; forecast: string }>();
  for (const [i, allocation] of DEMO_ALLOCATIONS.entries()) {
    const outlook = teamOutlook[i];
    if (!outlook) continue;
    spentByTeam.set(allocation.team, outlook);
    await setAllocation(
      { principal: admin, now: new Date(allocationsAt.getTime() + i * 4 * 60_000), db: pool },
      {
        team: allocation.team,
        unit: "usd",
        amount: allocationAmountFor(allocation.target, outlook.spent, outlook.forecast),
        period: "month",
        model: null,
        requests_per_minute: null,
        tokens_per_minute: null,
      },
    );
  }

  for (const burst of DEMO_BURSTS) {
    const filedAt = new Date(window.endMs - burst.filedBeforeEndMs);
    const outlook = spentByTeam.get(burst.team) ?? { spent: "0", forecast: "0" };
    // A request from another month is sized by a month's spend; this month's by what is spent so far.
    const basis = burst.filedBeforeEndMs > 28 * DAY_MS ? outlook.forecast : outlook.spent;
    const amount = burstAmountFor(burst.amountShareOfSpent, basis);
    const startsAt = filedAt.getTime() + burst.startsAfterFilingMs;
    const request = await createBurstRequest(
      { principal: lead, now: filedAt },
      {
        team: burst.team,
        amount,
        unit: "usd",
        starts_at: new Date(startsAt).toISOString(),
        ends_at: new Date(startsAt + burst.lengthMs).toISOString(),
        reason: burst.reason,
        expected_usage: burst.expectedUsage,
        notify: false,
      },
    );
    if (burst.outcome.kind === "pending") continue;
    const decidedAt = new Date(filedAt.getTime() + burst.decidedAfterMs);
    const comment = burst.comment;
    if (burst.outcome.kind === "reject") {
      await decideBurstRequest({ principal: admin, now: decidedAt }, { id: request.id, action: { kind: "reject", comment }, notify: false });
    } else {
      const granted = burst.outcome.share ? burstAmountFor(burst.outcome.share, basis) : undefined;
      await decideBurstRequest({ principal: admin, now: decidedAt }, { id: request.id, action: { kind: "approve", comment, amount: granted }, notify: false });
    }
  }

  // Alert history from the day the budgets were set.
  const alerts = await replayAlerts(pool, budgetsAt.getTime(), window.endMs);

  // What people would have read by now.
  const readBefore = new Date(window.endMs - 5 * DAY_MS);
  for (const principal of await Promise.all(DEMO_ACCOUNTS.map((demo) => account(demo.email)))) {
    await markNotificationsRead({ principal, db: pool, now: new Date(window.endMs - HOUR_MS) }, { all: true, createdBefore: readBefore });
  }

  progress(
    `Planning history: ${DEMO_BUDGETS.length} budgets, ${DEMO_ALLOCATIONS.length} allocations, ${DEMO_BURSTS.length} burst requests; ` +
      `alerts replayed over ${alerts.evaluations} evaluations (${alerts.fired} fired, ${alerts.resolved} resolved) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return { budgets: DEMO_BUDGETS.length, allocations: DEMO_ALLOCATIONS.length, bursts: DEMO_BURSTS.length, alerts };
}
