import "server-only";
import { prisma } from "@/lib/db";
import { writeAudit } from "@/lib/audit/audit-log";
import { inTeamScope, type TeamScope } from "@/lib/auth/permissions";
import { txRows } from "@/lib/quotas/records";
import { ApiError } from "@/lib/http/errors";
import { csvTable } from "@/lib/http/csv";
import { Money, type MoneyValue } from "@/lib/money";
import type { Queryable } from "@/lib/db/sql";
import { addMonths, monthStart, type ChargebackQuery, type CloseMonthInput, type StatementQuery } from "@/lib/schemas/chargeback";
import { dbOf, ipOf, nowOf, teamScopeFor, teamScopeOf, type Ctx } from "@/lib/context";
import { allocateMonth, CENT_DIGITS, type AllocationRuleSpec, type MonthAllocation, type TeamStatement } from "./allocate";
import { adjustmentsDue, sumAdjustments, type AdjustmentLine, type ChargebackSnapshot, type ClosedMonthNow } from "./adjustments";
import { loadAllocationRules } from "./rules";
import { monthSpendLines } from "./spend-lines";

/**
 * Monthly chargeback: the month's spend (the showback aggregate, every team), spread by the
 * allocation rules (lib/chargeback/allocate.ts), with closed months served from their
 * snapshot and the differences since booked on the next open month (adjustments.ts).
 *
 * A team lead reads only their teams' rows and statements (the month's total is then the sum
 * of those rows, and the unallocated line is not theirs to see).
 */

/** How far back a run of closed months is followed for adjustments. */
const MAX_CLOSED_CHAIN = 36;

export interface ChargebackRow {
  team: string;
  direct_usd: string;
  allocated_usd: string;
  /** direct + allocated: the contract's total. */
  total_usd: string;
  /** Differences booked here for earlier closed months. */
  adjustments_usd: string;
  /** What the team is charged this month: total + adjustments. */
  charge_usd: string;
  /** Last month's total, null when the team had none. */
  previous_total_usd: string | null;
}

export interface MonthState {
  status: "open" | "closed";
  closed_at: string | null;
  closed_by: string | null;
  allocation: MonthAllocation;
  adjustments: AdjustmentLine[];
}

export interface ChargebackView {
  month: string;
  currency: "USD";
  status: "open" | "closed";
  closed_at: string | null;
  closed_by: string | null;
  /** "teams" when the caller sees only some teams (a lead). */
  scope: "all" | "teams";
  rows: ChargebackRow[];
  total_usd: string;
  /** null for a caller who does not see every team. */
  unallocated_usd: string | null;
  unallocated_lines: MonthAllocation["unallocated_lines"];
  adjustments_usd: string;
  adjustment_lines: AdjustmentLine[];
  rules: MonthAllocation["rules"];
}

export interface StatementView {
  month: string;
  currency: "USD";
  team: string;
  status: "open" | "closed";
  closed_at: string | null;
  direct_lines: TeamStatement["direct_lines"];
  allocated_lines: TeamStatement["allocated_lines"];
  adjustment_lines: { for_month: string; cost_usd: string }[];
  direct_usd: string;
  allocated_usd: string;
  total_usd: string;
  adjustments_usd: string;
  charge_usd: string;
}

const usd = (value: MoneyValue) => new Money(value).toFixed(CENT_DIGITS);

interface CloseRecord {
  month: string;
  closedAt: Date;
  closedBy: string;
  snapshot: ChargebackSnapshot;
}

async function closedMonths(db: Queryable): Promise<Set<string>> {
  const result = await db.query<{ month: string }>(`SELECT to_char(month, 'YYYY-MM') AS month FROM chargeback_closes`);
  return new Set(result.rows.map((row) => row.month));
}

async function closeRecords(db: Queryable, months: string[]): Promise<Map<string, CloseRecord>> {
  if (months.length === 0) return new Map();
  const result = await db.query<{ month: string; closed_at: Date; closed_by: string; snapshot: ChargebackSnapshot }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, closed_at, closed_by, snapshot
     FROM chargeback_closes WHERE to_char(month, 'YYYY-MM') = ANY($1::text[])`,
    [months],
  );
  return new Map(
    result.rows.map((row) => [
      row.month,
      { month: row.month, closedAt: new Date(row.closed_at), closedBy: row.closed_by, snapshot: row.snapshot },
    ]),
  );
}

/** The unbroken run of closed months right before `month`, newest first. */
function closedRunBefore(month: string, closed: Set<string>): string[] {
  const run: string[] = [];
  for (let m = addMonths(month, -1); closed.has(m) && run.length < MAX_CLOSED_CHAIN; m = addMonths(m, -1)) run.push(m);
  return run;
}

/**
 * A month as it stands: a closed month's snapshot; an open month computed now with the
 * current rules, carrying what earlier closed months still owe.
 */
export async function monthState(db: Queryable, month: string, rules?: AllocationRuleSpec[]): Promise<MonthState> {
  const closed = await closedMonths(db);
  if (closed.has(month)) {
    const record = (await closeRecords(db, [month])).get(month);
    if (!record) throw new Error(`chargeback close of ${month} vanished`);
    return {
      status: "closed",
      closed_at: record.closedAt.toISOString(),
      closed_by: record.closedBy,
      allocation: record.snapshot.allocation,
      adjustments: record.snapshot.adjustments,
    };
  }
  const currentRules = rules ?? (await loadAllocationRules(db));
  const allocation = allocateMonth(await monthSpendLines(db, month), currentRules, month);
  const run = closedRunBefore(month, closed);
  const records = await closeRecords(db, run);
  const chain: ClosedMonthNow[] = [];
  for (const m of run) {
    const record = records.get(m);
    if (!record) continue;
    chain.push({ snapshot: record.snapshot, live: allocateMonth(await monthSpendLines(db, m), record.snapshot.rules, m) });
  }
  return { status: "open", closed_at: null, closed_by: null, allocation, adjustments: adjustmentsDue(chain) };
}

/** Last month's totals per team, for the "change vs last month" column. */
async function previousTotals(db: Queryable, month: string): Promise<Map<string, string>> {
  const previous = addMonths(month, -1);
  const closed = await closedMonths(db);
  const allocation = closed.has(previous)
    ? (await closeRecords(db, [previous])).get(previous)?.snapshot.allocation
    : allocateMonth(await monthSpendLines(db, previous), await loadAllocationRules(db), previous);
  return new Map((allocation?.statements ?? []).map((s) => [s.team, s.total_usd]));
}

function adjustmentsOf(lines: readonly AdjustmentLine[], team: string | null): AdjustmentLine[] {
  return lines.filter((line) => line.team === team);
}

/** The month's rows in a scope: teams with spend or adjustments. */
export function chargebackRows(state: MonthState, previous: Map<string, string>, scope: TeamScope): ChargebackRow[] {
  const statements = new Map(state.allocation.statements.map((s) => [s.team, s]));
  const teams = new Set<string>([...statements.keys()]);
  for (const line of state.adjustments) if (line.team !== null) teams.add(line.team);
  const rows: ChargebackRow[] = [];
  for (const team of teams) {
    if (!inTeamScope(scope, team)) continue;
    const statement = statements.get(team);
    const total = statement?.total_usd ?? usd(0);
    const adjustments = sumAdjustments(adjustmentsOf(state.adjustments, team));
    rows.push({
      team,
      direct_usd: statement?.direct_usd ?? usd(0),
      allocated_usd: statement?.allocated_usd ?? usd(0),
      total_usd: total,
      adjustments_usd: adjustments,
      charge_usd: usd(new Money(total).plus(adjustments)),
      previous_total_usd: previous.get(team) ?? null,
    });
  }
  return rows.sort((a, b) => new Money(b.total_usd).comparedTo(a.total_usd) || (a.team < b.team ? -1 : 1));
}

/** GET /api/v1/chargeback. */
export async function getChargeback(ctx: Ctx, query: Pick<ChargebackQuery, "month">): Promise<ChargebackView> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const state = await monthState(db, query.month);
  const rows = chargebackRows(state, await previousTotals(db, query.month), scope);
  const all = scope.kind === "all";
  const visibleAdjustments = state.adjustments.filter((line) => (line.team === null ? all : inTeamScope(scope, line.team)));
  return {
    month: query.month,
    currency: "USD",
    status: state.status,
    closed_at: state.closed_at,
    closed_by: all ? state.closed_by : null,
    scope: all ? "all" : "teams",
    rows,
    total_usd: all ? state.allocation.total_usd : usd(rows.reduce((acc, row) => acc.plus(row.total_usd), new Money(0))),
    unallocated_usd: all ? state.allocation.unallocated_usd : null,
    unallocated_lines: all ? state.allocation.unallocated_lines : [],
    adjustments_usd: sumAdjustments(visibleAdjustments),
    adjustment_lines: visibleAdjustments,
    rules: all ? state.allocation.rules : [],
  };
}

/** GET /api/v1/chargeback/statement: one team's lines (403 naming `team` outside the caller's teams). */
export async function getStatement(ctx: Ctx, query: Pick<StatementQuery, "month" | "team">): Promise<StatementView> {
  teamScopeFor(ctx, query.team);
  const state = await monthState(dbOf(ctx), query.month);
  const statement = state.allocation.statements.find((s) => s.team === query.team);
  const adjustments = adjustmentsOf(state.adjustments, query.team).map(({ for_month, cost_usd }) => ({ for_month, cost_usd }));
  const total = statement?.total_usd ?? usd(0);
  const adjustmentsUsd = sumAdjustments(adjustmentsOf(state.adjustments, query.team));
  return {
    month: query.month,
    currency: "USD",
    team: query.team,
    status: state.status,
    closed_at: state.closed_at,
    direct_lines: statement?.direct_lines ?? [],
    allocated_lines: statement?.allocated_lines ?? [],
    adjustment_lines: adjustments,
    direct_usd: statement?.direct_usd ?? usd(0),
    allocated_usd: statement?.allocated_usd ?? usd(0),
    total_usd: total,
    adjustments_usd: adjustmentsUsd,
    charge_usd: usd(new Money(total).plus(adjustmentsUsd)),
  };
}

// ------------------------------------------------------------------ CSV (lib/http/csv.ts)

const MONTH_CSV = csvTable(
  ["month", "team", "direct_usd", "allocated_usd", "total_usd", "adjustments_usd", "charge_usd", "previous_total_usd"] as const,
  ["direct_usd", "allocated_usd", "total_usd", "adjustments_usd", "charge_usd", "previous_total_usd"],
);

/** The month's table; the unallocated line last (for callers who see it). */
export function chargebackCsv(view: ChargebackView): string {
  let out = MONTH_CSV.header();
  for (const row of view.rows) out += MONTH_CSV.record({ month: view.month, ...row });
  if (view.unallocated_usd !== null) {
    out += MONTH_CSV.record({ month: view.month, team: "(unallocated)", total_usd: view.unallocated_usd, charge_usd: view.unallocated_usd });
  }
  return out;
}

const STATEMENT_CSV = csvTable(
  ["month", "team", "line", "feature", "provider", "model", "rule", "share_percent", "for_month", "requests", "cost_usd"] as const,
  ["share_percent", "requests", "cost_usd"],
);

export function statementCsv(view: StatementView): string {
  const base = { month: view.month, team: view.team };
  let out = STATEMENT_CSV.header();
  for (const line of view.direct_lines) {
    out += STATEMENT_CSV.record({ ...base, line: "direct", feature: line.feature, provider: line.provider, model: line.model, requests: line.requests, cost_usd: line.cost_usd });
  }
  for (const line of view.allocated_lines) {
    out += STATEMENT_CSV.record({ ...base, line: "allocated", rule: line.rule_name, share_percent: line.share_percent, cost_usd: line.cost_usd });
  }
  for (const line of view.adjustment_lines) {
    out += STATEMENT_CSV.record({ ...base, line: "adjustment", for_month: line.for_month, cost_usd: line.cost_usd });
  }
  out += STATEMENT_CSV.record({ ...base, line: "total", cost_usd: view.total_usd });
  out += STATEMENT_CSV.record({ ...base, line: "charge", cost_usd: view.charge_usd });
  return out;
}

// ------------------------------------------------------------------ closing a month

const CHARGEBACK_LOCK = "burnrate:chargeback";

async function lockChargeback(tx: Parameters<Parameters<typeof prisma.$transaction>[0]>[0]): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, CHARGEBACK_LOCK);
}

/** POST /api/v1/chargeback/close: freezes a month that has ended (409 when open still or already closed). */
export async function closeMonth(ctx: Ctx, { month }: CloseMonthInput): Promise<ChargebackView> {
  const now = nowOf(ctx);
  if (monthStart(month, 1).getTime() > now.getTime()) {
    throw new ApiError("conflict", `${month} has not ended yet: a month is closed once it is over.`, {
      details: [{ path: "month", message: "has not ended" }],
    });
  }
  const actor = ctx.principal;
  await prisma.$transaction(
    async (tx) => {
      await lockChargeback(tx);
      const db = txRows(tx);
      // One read of the rules: the snapshot stores exactly those its numbers were computed with.
      const allRules = await loadAllocationRules(db);
      const state = await monthState(db, month, allRules);
      if (state.status === "closed") {
        throw new ApiError("conflict", `${month} is already closed.`, { details: [{ path: "month", message: "is already closed" }] });
      }
      const rules = allRules.filter((rule) => rule.effective_from <= month);
      const snapshot: ChargebackSnapshot = { version: 1, month, allocation: state.allocation, rules, adjustments: state.adjustments };
      await tx.chargebackClose.create({
        data: {
          month: monthStart(month),
          closedAt: now,
          closedById: actor.kind === "user" ? actor.userId : null,
          closedBy: actor.kind === "user" ? actor.email : actor.kind === "key" ? `key ${actor.prefix}…` : "system",
          totalUsd: state.allocation.total_usd,
          snapshot: JSON.parse(JSON.stringify(snapshot)),
        },
      });
      await writeAudit(tx, actor, {
        action: "chargeback.close",
        targetType: "chargeback_month",
        targetId: month,
        after: {
          month,
          total_usd: state.allocation.total_usd,
          unallocated_usd: state.allocation.unallocated_usd,
          adjustments_usd: sumAdjustments(state.adjustments),
          teams: state.allocation.statements.length,
        },
        ip: ipOf(ctx),
        at: now,
      });
    },
    { timeout: 60_000 },
  );
  return getChargeback(ctx, { month });
}

/**
 * DELETE /api/v1/chargeback/close?month: reopens the latest closed month (a later closed month
 * already booked this one's adjustments, so only the newest may reopen: 409 otherwise).
 */
export async function reopenMonth(ctx: Ctx, { month }: CloseMonthInput): Promise<ChargebackView> {
  await prisma.$transaction(async (tx) => {
    await lockChargeback(tx);
    const closed = await closedMonths(txRows(tx));
    if (!closed.has(month)) throw new ApiError("not_found", `${month} is not closed.`, { details: [{ path: "month", message: "is not closed" }] });
    const later = [...closed].filter((m) => m > month).sort();
    if (later.length > 0) {
      throw new ApiError("conflict", `${later[0]} is closed after ${month}: reopen the later months first.`, {
        details: [{ path: "month", message: `a later month (${later[0]}) is closed` }],
      });
    }
    const record = await tx.chargebackClose.delete({ where: { month: monthStart(month) } });
    await writeAudit(tx, ctx.principal, {
      action: "chargeback.reopen",
      targetType: "chargeback_month",
      targetId: month,
      before: { month, total_usd: record.totalUsd.toFixed(CENT_DIGITS), closed_at: record.closedAt, closed_by: record.closedBy },
      ip: ipOf(ctx),
    });
  });
  return getChargeback(ctx, { month });
}

/** The months that are closed, newest first (the page's month picker marks them). */
export async function listClosedMonths(ctx: Ctx): Promise<{ months: { month: string; closed_at: string; closed_by: string | null }[] }> {
  const result = await dbOf(ctx).query<{ month: string; closed_at: Date; closed_by: string }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, closed_at, closed_by FROM chargeback_closes ORDER BY month DESC`,
  );
  const all = teamScopeOf(ctx).kind === "all";
  return {
    months: result.rows.map((row) => ({ month: row.month, closed_at: new Date(row.closed_at).toISOString(), closed_by: all ? row.closed_by : null })),
  };
}

