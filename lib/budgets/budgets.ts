import "server-only";
import { prisma } from "@/lib/db";
import { can, teamScope, type Principal } from "@/lib/auth/permissions";
import { ensureTeam } from "@/lib/access/teams";
import { writeAudit } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { formatUsd } from "@/lib/money";
import type { BudgetScopeInput, CapAction, CreateBudgetInput, EnforceInput, UpdateBudgetInput } from "@/lib/schemas/budget";
import { capLimitUsd, capReached } from "./cap";
import { invalidateQuotaCache } from "@/lib/quotas/cache";
import { startOfUtcMonth } from "@/lib/time";
import {
  budgetForecastDays,
  dailySpendByBudget,
  scopeOf,
  statusFromDaily,
  statusesForBudgets,
  type BudgetRecord,
  type BudgetScope,
  type BudgetStatus,
  type BudgetStatusKind,
} from "./status";
import { dbOf, ipOf, nowOf, type Ctx } from "@/lib/context";

/**
 * Monthly budgets: create, list, read, change, archive, burn-down. Reading is team-scoped in
 * the query (a team lead or viewer sees the budgets of their teams; org-wide budgets and
 * other teams' are not theirs, and their ids answer 404); writing (budgets:write) is for
 * finance and admins, on any budget. Every write is audited in its own transaction; a
 * scope.team with no team yet registers it there (lib/access/teams.ts ensureTeam).
 *
 * Spend and forecasts are computed at `now` (an option, so tests do not depend on the
 * clock; the routes use the real one) from the rollups through `db` (the pool by default).
 */

/** The contract's budget object plus Burnrate's extensions. Money: decimal strings, 12 decimals. */
export interface BudgetView {
  id: string;
  name: string;
  scope: BudgetScope;
  period: "month";
  amount_usd: string;
  thresholds: number[];
  /** This period's spend so far. */
  spent_usd: string;
  /** Month-end projection. */
  forecast_usd: string;
  forecast_low_usd: string;
  forecast_high_usd: string;
  forecast_method: string;
  forecast_basis_days: number;
  status: BudgetStatusKind;
  percent_used: string;
  forecast_percent: string;
  crossed_thresholds: number[];
  period_start: string;
  period_end: string;
  created_at: string;
  archived: boolean;
  /** The cap (contract: "Budget caps"), null when the budget only alerts. */
  enforce: { at_percent: number; action: CapAction; models: string[] } | null;
  /**
   * Extension: the cap's state this month: "enforcing" (the quota check refuses calls in the
   * scope) or "armed"; the checks it refused this month, per team. null without a cap.
   */
  cap: { state: "enforcing" | "armed"; limit_usd: string; refused_checks: number; refused_by_team: { team: string; refused_checks: number }[] } | null;
}

export interface BurndownDay {
  day: string;
  /** null for days after today. */
  actual_cumulative_usd: string | null;
  forecast_cumulative_usd: string;
  low_cumulative_usd: string;
  high_cumulative_usd: string;
  budget_usd: string;
}

export interface BurndownView {
  budget: BudgetView;
  days: BurndownDay[];
}

const BUDGET_SELECT = {
  id: true,
  name: true,
  team: true,
  feature: true,
  environment: true,
  tenant: true,
  amountUsd: true,
  thresholds: true,
  createdAt: true,
  archivedAt: true,
  enforceAtPercent: true,
  enforceAction: true,
  enforceModels: true,
} as const satisfies Prisma.BudgetSelect;

type BudgetRow = Prisma.BudgetGetPayload<{ select: typeof BUDGET_SELECT }>;

function record(row: BudgetRow): BudgetRecord {
  return {
    id: row.id,
    name: row.name,
    scope: scopeOf(row),
    period: "month",
    amountUsd: formatUsd(row.amountUsd.toFixed()),
    thresholds: [...row.thresholds].sort((a, b) => a - b),
    archived: row.archivedAt !== null,
  };
}

function enforceOf(row: Pick<BudgetRow, "enforceAtPercent" | "enforceAction" | "enforceModels">): BudgetView["enforce"] {
  if (row.enforceAtPercent === null || row.enforceAction === null) return null;
  return { at_percent: row.enforceAtPercent, action: row.enforceAction, models: row.enforceAction === "deny_models" ? [...row.enforceModels] : [] };
}

function capView(status: BudgetStatus, enforce: BudgetView["enforce"], hits: readonly { team: string; hits: number }[]): BudgetView["cap"] {
  if (enforce === null) return null;
  const cap = { amountUsd: status.budget.amountUsd, atPercent: enforce.at_percent };
  return {
    state: capReached(cap, status.spentUsd) ? "enforcing" : "armed",
    limit_usd: formatUsd(capLimitUsd(cap)),
    refused_checks: hits.reduce((total, hit) => total + hit.hits, 0),
    refused_by_team: hits.map((hit) => ({ team: hit.team, refused_checks: hit.hits })),
  };
}

export function budgetView(
  status: BudgetStatus,
  createdAt: Date,
  enforce: BudgetView["enforce"] = null,
  hits: readonly { team: string; hits: number }[] = [],
): BudgetView {
  const { budget, forecast } = status;
  return {
    id: budget.id,
    name: budget.name,
    scope: budget.scope,
    period: budget.period,
    amount_usd: budget.amountUsd,
    thresholds: budget.thresholds,
    spent_usd: status.spentUsd,
    forecast_usd: forecast.forecastUsd,
    forecast_low_usd: forecast.lowUsd,
    forecast_high_usd: forecast.highUsd,
    forecast_method: forecast.method,
    forecast_basis_days: forecast.basisDays,
    status: status.status,
    percent_used: status.percentUsed,
    forecast_percent: status.forecastPercent,
    crossed_thresholds: status.crossedThresholds,
    period_start: status.periodStart.toISOString(),
    period_end: status.periodEnd.toISOString(),
    created_at: createdAt.toISOString(),
    archived: budget.archived,
    enforce,
    cap: capView(status, enforce, hits),
  };
}

async function views(rows: readonly BudgetRow[], ctx: Pick<Ctx, "db" | "now">): Promise<BudgetView[]> {
  const now = nowOf(ctx);
  const statuses = await statusesForBudgets(dbOf(ctx), now, rows.map(record));
  const capped = rows.filter((row) => row.enforceAtPercent !== null).map((row) => row.id);
  const hits = new Map<string, { team: string; hits: number }[]>();
  if (capped.length > 0) {
    const result = await dbOf(ctx).query<{ budget_id: string; team: string; hits: string }>(
      `SELECT budget_id::text, team, hits::text FROM budget_cap_hits
       WHERE budget_id = ANY($1::uuid[]) AND month = $2::date ORDER BY hits DESC, team`,
      [capped, startOfUtcMonth(now).toISOString().slice(0, 10)],
    );
    for (const row of result.rows) hits.set(row.budget_id, [...(hits.get(row.budget_id) ?? []), { team: row.team, hits: Number(row.hits) }]);
  }
  return statuses.map((status, i) => {
    const row = rows[i];
    return budgetView(status, row?.createdAt ?? new Date(0), row ? enforceOf(row) : null, hits.get(status.budget.id) ?? []);
  });
}

function scopeWhere(principal: Principal): Prisma.BudgetWhereInput {
  const scope = teamScope(principal);
  return scope.kind === "all" ? {} : { team: { in: scope.slugs } };
}

/** The budgets a principal may read, active ones only (archived budgets are hidden), by name. */
export async function listBudgets(ctx: Ctx): Promise<BudgetView[]> {
  const { principal } = ctx;
  const rows = await prisma.budget.findMany({
    where: { archivedAt: null, ...scopeWhere(principal) },
    select: BUDGET_SELECT,
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
  return views(rows, ctx);
}

async function findReadable(principal: Principal, id: string): Promise<BudgetRow> {
  const row = await prisma.budget.findFirst({ where: { id, ...scopeWhere(principal) }, select: BUDGET_SELECT });
  if (!row) throw new ApiError("not_found", "No such budget.");
  return row;
}

/** One budget (archived ones too, marked `archived`), or 404 — also outside the caller's teams. */
export async function getBudgetOrThrow(ctx: Ctx, { id }: { id: string }): Promise<BudgetView> {
  const { principal } = ctx;
  const [view] = await views([await findReadable(principal, id)], ctx);
  if (!view) throw new ApiError("not_found", "No such budget.");
  return view;
}

function assertCanWrite(principal: Principal): void {
  if (!can(principal, "budgets:write")) throw new ApiError("forbidden", "Only finance and admins may change budgets.");
}

/**
 * The team row a scope names (null for no team). A slug with no team yet is registered in
 * this transaction (audited "team.register"): budgets may be planned before any usage. A
 * new slug that is not a valid team slug is a 400 on scope.team.
 */
async function scopeTeamId(
  tx: Prisma.TransactionClient,
  principal: Principal,
  scope: BudgetScopeInput,
  ctx: Pick<Ctx, "ip">,
): Promise<string | null> {
  if (scope.team === undefined) return null;
  const team = await ensureTeam(tx, scope.team, principal, {
    via: "budget",
    path: "scope.team",
    message: "The budget is not valid.",
    ip: ipOf(ctx),
  });
  return team.id;
}

async function teamIdOf(tx: Prisma.TransactionClient, slug: string | null): Promise<string | null> {
  if (slug === null) return null;
  return (await tx.team.findUnique({ where: { slug }, select: { id: true } }))?.id ?? null;
}

/** What the audit log keeps of a budget. */
function auditSnapshot(row: BudgetRow): Record<string, unknown> {
  return {
    name: row.name,
    scope: scopeOf(row),
    period: "month",
    amount_usd: formatUsd(row.amountUsd.toFixed()),
    thresholds: row.thresholds,
    archived_at: row.archivedAt?.toISOString() ?? null,
    enforce: enforceOf(row),
  };
}

function scopeColumns(scope: BudgetScopeInput): Pick<Prisma.BudgetUncheckedCreateInput, "team" | "feature" | "environment" | "tenant"> {
  return {
    team: scope.team ?? null,
    feature: scope.feature ?? null,
    environment: scope.environment ?? null,
    tenant: scope.tenant ?? null,
  };
}

function enforceColumns(enforce: EnforceInput): Pick<Prisma.BudgetUncheckedCreateInput, "enforceAtPercent" | "enforceAction" | "enforceModels"> {
  if (enforce === null) return { enforceAtPercent: null, enforceAction: null, enforceModels: [] };
  return { enforceAtPercent: enforce.at_percent, enforceAction: enforce.action, enforceModels: enforce.models };
}

export async function createBudget(ctx: Ctx, input: CreateBudgetInput): Promise<BudgetView> {
  const { principal } = ctx;
  assertCanWrite(principal);
  const row = await prisma.$transaction(async (tx) => {
    const teamId = await scopeTeamId(tx, principal, input.scope, ctx);
    const created = await tx.budget.create({
      data: {
        name: input.name,
        ...scopeColumns(input.scope),
        period: input.period,
        amountUsd: input.amount_usd,
        thresholds: input.thresholds,
        ...enforceColumns(input.enforce ?? null),
        createdById: principal.kind === "user" ? principal.userId : null,
        ...(ctx.now ? { createdAt: ctx.now } : {}),
      },
      select: BUDGET_SELECT,
    });
    await writeAudit(tx, principal, {
      action: "budget.create",
      targetType: "budget",
      targetId: created.id,
      teamId,
      after: auditSnapshot(created),
      ip: ipOf(ctx),
      at: ctx.now,
    });
    return created;
  });
  // A cap may have changed: this process's quota checks read it at once (others within 5 s).
  invalidateQuotaCache();
  const [view] = await views([row], ctx);
  if (!view) throw new Error("budget view missing");
  return view;
}

/** Locks the budget row for the rest of the transaction; 404 when there is none. */
async function lockBudget(tx: Prisma.TransactionClient, id: string): Promise<BudgetRow> {
  await tx.$queryRaw`SELECT id FROM budgets WHERE id = ${id}::uuid FOR UPDATE`;
  const row = await tx.budget.findUnique({ where: { id }, select: BUDGET_SELECT });
  if (!row) throw new ApiError("not_found", "No such budget.");
  return row;
}

/** PATCH: name, amount, thresholds and/or the whole scope; archived budgets are not changed (409). */
export async function updateBudget(ctx: Ctx, { id, changes: input }: { id: string; changes: UpdateBudgetInput }): Promise<BudgetView> {
  const { principal } = ctx;
  assertCanWrite(principal);
  const row = await prisma.$transaction(async (tx) => {
    const current = await lockBudget(tx, id);
    if (current.archivedAt !== null) throw new ApiError("conflict", "This budget is archived; it can no longer be changed.");
    const teamId = input.scope ? await scopeTeamId(tx, principal, input.scope, ctx) : await teamIdOf(tx, current.team);
    const updated = await tx.budget.update({
      where: { id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.amount_usd !== undefined ? { amountUsd: input.amount_usd } : {}),
        ...(input.thresholds !== undefined ? { thresholds: input.thresholds } : {}),
        ...(input.scope !== undefined ? scopeColumns(input.scope) : {}),
        ...(input.enforce !== undefined ? enforceColumns(input.enforce) : {}),
      },
      select: BUDGET_SELECT,
    });
    await writeAudit(tx, principal, {
      action: "budget.update",
      targetType: "budget",
      targetId: id,
      teamId,
      before: auditSnapshot(current),
      after: auditSnapshot(updated),
      ip: ipOf(ctx),
    });
    return updated;
  });
  // A cap may have changed: this process's quota checks read it at once (others within 5 s).
  invalidateQuotaCache();
  const [view] = await views([row], ctx);
  if (!view) throw new Error("budget view missing");
  return view;
}

/** DELETE: archives (hidden from the list, kept for the audit log and alert history). Archiving twice changes nothing. */
export async function archiveBudget(ctx: Ctx, { id }: { id: string }): Promise<BudgetView> {
  const { principal } = ctx;
  assertCanWrite(principal);
  const row = await prisma.$transaction(async (tx) => {
    const current = await lockBudget(tx, id);
    if (current.archivedAt !== null) return current;
    const archived = await tx.budget.update({
      where: { id },
      data: { archivedAt: nowOf(ctx) },
      select: BUDGET_SELECT,
    });
    await writeAudit(tx, principal, {
      action: "budget.update",
      targetType: "budget",
      targetId: id,
      teamId: await teamIdOf(tx, current.team),
      before: auditSnapshot(current),
      after: auditSnapshot(archived),
      ip: ipOf(ctx),
    });
    return archived;
  });
  // A cap may have changed: this process's quota checks read it at once (others within 5 s).
  invalidateQuotaCache();
  const [view] = await views([row], ctx);
  if (!view) throw new Error("budget view missing");
  return view;
}

/**
 * The current month day by day, for a burn-down chart: cumulative actual (null after today),
 * the cumulative forecast with its band (equal to the actual up to yesterday, ending at the
 * month-end forecast), and the budget line.
 */
export async function getBudgetBurndown(ctx: Ctx, { id }: { id: string }): Promise<BurndownView> {
  const { principal } = ctx;
  const row = await findReadable(principal, id);
  const now = nowOf(ctx);
  const budget = record(row);
  const daily = (await dailySpendByBudget(dbOf(ctx), now, [budget])).get(budget.id) ?? [];
  const status = statusFromDaily(budget, now, daily);
  const { days } = budgetForecastDays(now, daily);
  return {
    budget: budgetView(status, row.createdAt),
    days: days.map((day) => ({
      day: day.day,
      actual_cumulative_usd: day.actualCumulativeUsd,
      forecast_cumulative_usd: day.forecastCumulativeUsd,
      low_cumulative_usd: day.lowCumulativeUsd,
      high_cumulative_usd: day.highCumulativeUsd,
      budget_usd: budget.amountUsd,
    })),
  };
}
