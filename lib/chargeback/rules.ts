import "server-only";
import { prisma } from "@/lib/db";
import { ensureTeam } from "@/lib/access/teams";
import { writeAudit } from "@/lib/audit/audit-log";
import { ApiError, invalidRequest } from "@/lib/http/errors";
import { Money } from "@/lib/money";
import type { Queryable } from "@/lib/db/sql";
import { Prisma } from "@/lib/generated/prisma/client";
import {
  createAllocationRuleSchema,
  monthKey,
  monthStart,
  type CreateAllocationRuleInput,
  type PreviewAllocationRuleInput,
  type UpdateAllocationRuleInput,
} from "@/lib/schemas/chargeback";
import { dbOf, ipOf, nowOf, type Ctx } from "@/lib/context";
import { monthSpendLines } from "./spend-lines";
import { allocateMonth, CENT_DIGITS, orderRules, type AllocationRuleSpec, type RuleMatch } from "./allocate";

/**
 * Allocation rules (finance, admin): stored, listed in the order they apply, changed and
 * deleted, each change audited; a fixed rule's target team with no usage yet is registered
 * (ensureTeam). A rule applies to open months from its effective month; a closed month keeps
 * the rules it was closed with (lib/chargeback/adjustments.ts).
 */

export interface AllocationRuleView extends AllocationRuleSpec {
  /** 1-based place in the order rules claim spend. */
  order: number;
  updated_at: string;
}

interface RuleRow {
  id: string;
  name: string;
  match: RuleMatch;
  method: AllocationRuleSpec["method"];
  targets: AllocationRuleSpec["targets"];
  effective_from: string;
  created_at: Date;
  updated_at: Date;
}

/** Every stored rule, as the allocation core takes them. */
export async function loadAllocationRules(db: Queryable): Promise<AllocationRuleSpec[]> {
  const result = await db.query<RuleRow>(
    `SELECT id::text, name, match, method::text AS method, targets, to_char(effective_from, 'YYYY-MM') AS effective_from, created_at, updated_at
     FROM allocation_rules`,
  );
  return result.rows.map(specOf);
}

function specOf(row: RuleRow): AllocationRuleSpec {
  return {
    id: row.id,
    name: row.name,
    match: row.match,
    method: row.method,
    targets: row.targets ?? null,
    effective_from: row.effective_from,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** GET /api/v1/allocation-rules: in the order they claim spend. */
export async function listAllocationRules(ctx: Ctx): Promise<{ rules: AllocationRuleView[] }> {
  const result = await dbOf(ctx).query<RuleRow>(
    `SELECT id::text, name, match, method::text AS method, targets, to_char(effective_from, 'YYYY-MM') AS effective_from, created_at, updated_at
     FROM allocation_rules`,
  );
  const updated = new Map(result.rows.map((row) => [row.id, new Date(row.updated_at).toISOString()]));
  return {
    rules: orderRules(result.rows.map(specOf)).map((rule, i) => ({ ...rule, order: i + 1, updated_at: updated.get(rule.id) ?? rule.created_at })),
  };
}

async function ruleOrThrow(ctx: Ctx, id: string): Promise<AllocationRuleView> {
  const rule = (await listAllocationRules(ctx)).rules.find((r) => r.id === id);
  if (!rule) throw new ApiError("not_found", "No allocation rule with this id.", { details: [{ path: "id", message: "not found" }] });
  return rule;
}

export async function getAllocationRuleOrThrow(ctx: Ctx, { id }: { id: string }): Promise<AllocationRuleView> {
  return ruleOrThrow(ctx, id);
}

function dataOf(input: CreateAllocationRuleInput) {
  return {
    name: input.name,
    match: input.match as Prisma.InputJsonValue,
    method: input.method,
    targets: input.method === "fixed" && input.targets ? (input.targets as Prisma.InputJsonValue) : undefined,
    effectiveFrom: monthStart(input.effective_from),
  };
}

async function registerTargets(tx: Prisma.TransactionClient, ctx: Ctx, input: CreateAllocationRuleInput): Promise<void> {
  const targets = input.method === "fixed" ? (input.targets ?? []) : [];
  for (const [i, target] of targets.entries()) {
    await ensureTeam(tx, target.team, ctx.principal, {
      via: "allocation_rule",
      path: `targets.${i}.team`,
      message: "The allocation rule is not valid.",
      ip: ipOf(ctx),
    });
  }
}

function auditView(input: CreateAllocationRuleInput) {
  return { name: input.name, match: input.match, method: input.method, targets: input.targets ?? null, effective_from: input.effective_from };
}

/** POST /api/v1/allocation-rules → 201 with the rule. */
export async function createAllocationRule(ctx: Ctx, input: CreateAllocationRuleInput): Promise<AllocationRuleView> {
  const id = await prisma.$transaction(async (tx) => {
    await registerTargets(tx, ctx, input);
    const row = await tx.allocationRule.create({
      data: { ...dataOf(input), createdById: ctx.principal.kind === "user" ? ctx.principal.userId : null },
    });
    await writeAudit(tx, ctx.principal, {
      action: "allocation_rule.create",
      targetType: "allocation_rule",
      targetId: row.id,
      after: auditView(input),
      ip: ipOf(ctx),
    });
    return row.id;
  });
  return ruleOrThrow(ctx, id);
}

/** PATCH /api/v1/allocation-rules/{id}: the merged rule is checked as a whole (400 naming the field). */
export async function updateAllocationRule(
  ctx: Ctx,
  { id, changes }: { id: string; changes: UpdateAllocationRuleInput },
): Promise<AllocationRuleView> {
  const current = await ruleOrThrow(ctx, id);
  const method = changes.method ?? current.method;
  const merged = {
    name: changes.name ?? current.name,
    match: changes.match ?? current.match,
    method,
    // Moving away from fixed drops the targets unless new ones are given (and refused).
    targets: changes.targets !== undefined ? changes.targets : method === "fixed" ? current.targets : null,
    effective_from: changes.effective_from ?? current.effective_from,
  };
  const parsed = createAllocationRuleSchema.safeParse(merged);
  if (!parsed.success) throw invalidRequest("The change is not valid.", parsed.error.issues);
  const input = parsed.data;
  await prisma.$transaction(async (tx) => {
    await registerTargets(tx, ctx, input);
    await tx.allocationRule.update({ where: { id }, data: { ...dataOf(input), targets: dataOf(input).targets ?? Prisma.DbNull } });
    await writeAudit(tx, ctx.principal, {
      action: "allocation_rule.update",
      targetType: "allocation_rule",
      targetId: id,
      before: auditView({ ...current, targets: current.targets ?? undefined }),
      after: auditView(input),
      ip: ipOf(ctx),
    });
  });
  return ruleOrThrow(ctx, id);
}

/** DELETE /api/v1/allocation-rules/{id} → the deleted rule. Closed months keep their own copy. */
export async function deleteAllocationRule(ctx: Ctx, { id }: { id: string }): Promise<AllocationRuleView> {
  const current = await ruleOrThrow(ctx, id);
  await prisma.$transaction(async (tx) => {
    await tx.allocationRule.delete({ where: { id } });
    await writeAudit(tx, ctx.principal, {
      action: "allocation_rule.delete",
      targetType: "allocation_rule",
      targetId: id,
      before: auditView({ ...current, targets: current.targets ?? undefined }),
      ip: ipOf(ctx),
    });
  });
  return current;
}

export interface RulePreview {
  month: string;
  /** What the rule would claim this month. */
  matched_usd: string;
  rows: { team: string; before_usd: string; after_usd: string; change_usd: string; from_rule_usd: string }[];
  unallocated_before_usd: string;
  unallocated_after_usd: string;
}

/**
 * POST /api/v1/allocation-rules/preview: each team's month total with the current rules and
 * with this rule added (or replacing `replace_id`), computed live; nothing is saved.
 */
export async function previewAllocationRule(ctx: Ctx, input: PreviewAllocationRuleInput): Promise<RulePreview> {
  const db = dbOf(ctx);
  const month = input.month ?? monthKey(nowOf(ctx));
  const lines = await monthSpendLines(db, month);
  const stored = await loadAllocationRules(db);
  const replaced = stored.find((rule) => rule.id === input.replace_id);
  const rules = stored.filter((rule) => rule.id !== input.replace_id);
  const candidate: AllocationRuleSpec = {
    id: input.replace_id ?? "preview",
    name: input.name,
    match: input.match,
    method: input.method,
    targets: input.method === "fixed" ? (input.targets ?? null) : null,
    effective_from: input.effective_from,
    // An edited rule keeps its place in the order (its creation time breaks ties).
    created_at: replaced?.created_at ?? nowOf(ctx).toISOString(),
  };
  const before = allocateMonth(lines, stored, month);
  const after = allocateMonth(lines, [...rules, candidate], month);
  const totals = (statements: typeof before.statements) => new Map(statements.map((s) => [s.team, s.total_usd]));
  const beforeTotals = totals(before.statements);
  const afterTotals = totals(after.statements);
  const fromRule = new Map(
    after.statements.map((s) => [
      s.team,
      s.allocated_lines.filter((line) => line.rule_id === candidate.id).reduce((acc, line) => acc.plus(line.cost_usd), new Money(0)),
    ]),
  );
  const teams = [...new Set([...beforeTotals.keys(), ...afterTotals.keys()])];
  const zero = new Money(0).toFixed(CENT_DIGITS);
  const rows = teams
    .map((team) => {
      const b = beforeTotals.get(team) ?? zero;
      const a = afterTotals.get(team) ?? zero;
      return {
        team,
        before_usd: b,
        after_usd: a,
        change_usd: new Money(a).minus(b).toFixed(CENT_DIGITS),
        from_rule_usd: (fromRule.get(team) ?? new Money(0)).toFixed(CENT_DIGITS),
      };
    })
    .sort((x, y) => new Money(y.after_usd).comparedTo(x.after_usd) || (x.team < y.team ? -1 : 1));
  return {
    month,
    matched_usd: after.rules.find((rule) => rule.rule_id === candidate.id)?.pool_usd ?? zero,
    rows,
    unallocated_before_usd: before.unallocated_usd,
    unallocated_after_usd: after.unallocated_usd,
  };
}
