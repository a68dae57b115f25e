import "server-only";
import { prisma } from "@/lib/db";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError, invalidRequest } from "@/lib/http/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import {
  ALERT_TYPE_OF_RULE,
  RULE_PARAMS_SCHEMAS,
  effectiveParams,
  type AlertScope,
  type CreateRuleInput,
  type UpdateRuleInput,
} from "@/lib/schemas/alerts";
import { DEFAULT_RULES, ensureDefaultRules } from "@/lib/alerts/default-rules";
import { BUDGET_RULE_TYPES } from "@/lib/alerts/rule-describe";
import { describeScope, normalizeScope } from "@/lib/alerts/rules";
import { ipOf, nowOf, type Ctx } from "@/lib/context";

/**
 * Alert rules (GET/POST /api/v1/alert-rules, PATCH/DELETE /api/v1/alert-rules/{id}). The
 * default rules (lib/alerts/evaluate.ts DEFAULT_RULES) are created on first listing,
 * evaluation or creation. `params` is what was set on the rule; `effective_params` adds
 * the defaults (lib/schemas/alerts.ts) — what the rule is evaluated with.
 *
 * Built-in rules: per type, the oldest rule without a budget (the default rule, which
 * ensureDefaultRules creates before any other rule of its type can exist). They can be
 * tuned and disabled, never deleted (ensureDefaultRules would only create them again);
 * rules people added can be deleted.
 */

export interface RuleView {
  id: string;
  name: string;
  type: keyof typeof ALERT_TYPE_OF_RULE;
  /** The type of the alerts it fires (budget.threshold, …). */
  alert_type: string;
  enabled: boolean;
  params: Record<string, unknown>;
  effective_params: Record<string, unknown> | null;
  /** Tags the rule watches; null = everything. */
  scope: AlertScope | null;
  budget_id: string | null;
  /** [] = the rule delivers to every enabled channel. */
  channel_ids: string[];
  /** A default rule: can be disabled, not deleted. */
  built_in: boolean;
  created_at: string;
  updated_at: string;
}

const RULE_SELECT = {
  id: true,
  name: true,
  type: true,
  enabled: true,
  params: true,
  scope: true,
  budgetId: true,
  createdAt: true,
  updatedAt: true,
  channels: { select: { id: true }, orderBy: { createdAt: "asc" } },
} as const satisfies Prisma.AlertRuleSelect;

type RuleRow = Prisma.AlertRuleGetPayload<{ select: typeof RULE_SELECT }>;

function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function ruleView(row: RuleRow, builtIn: ReadonlySet<string>): RuleView {
  let effective: Record<string, unknown> | null;
  try {
    effective = effectiveParams(row.type, row.params) as Record<string, unknown>;
  } catch {
    effective = null; // stored params that no longer validate: the rule fails until fixed
  }
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    alert_type: ALERT_TYPE_OF_RULE[row.type],
    enabled: row.enabled,
    params: asObject(row.params),
    effective_params: effective,
    scope: row.scope === null ? null : normalizeScope(row.scope as AlertScope),
    budget_id: row.budgetId,
    channel_ids: row.channels.map((channel) => channel.id),
    built_in: builtIn.has(row.id),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

type RuleDb = Pick<typeof prisma, "alertRule"> | Prisma.TransactionClient;

/** The built-in rules' ids: per type, the oldest rule without a budget. */
async function builtInIds(db: RuleDb): Promise<Set<string>> {
  const rows = await db.alertRule.findMany({
    where: { budgetId: null },
    distinct: ["type"],
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  return new Set(rows.map((row) => row.id));
}

export async function listRules(_ctx: Ctx<AuditActor>): Promise<RuleView[]> {
  await ensureDefaultRules();
  const [rows, builtIn] = await Promise.all([
    prisma.alertRule.findMany({ select: RULE_SELECT, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
    builtInIds(prisma),
  ]);
  return rows.map((row) => ruleView(row, builtIn));
}

function paramsProblem(type: RuleRow["type"], params: Record<string, unknown>): ApiError | null {
  const parsed = RULE_PARAMS_SCHEMAS[type].safeParse(params);
  if (parsed.success) return null;
  return invalidRequest(
    `The params are not valid for a ${type} rule.`,
    parsed.error.issues.map((issue) => ({ ...issue, path: ["params", ...issue.path] })),
  );
}

/** 400 naming channel_ids.<i> for each channel that does not exist. */
async function assertChannelsExist(tx: Prisma.TransactionClient, channelIds: readonly string[]): Promise<void> {
  const ids = [...new Set(channelIds)];
  const found = new Set((await tx.alertChannel.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((c) => c.id));
  const missing = channelIds.map((cid, index) => ({ cid, index })).filter(({ cid }) => !found.has(cid));
  if (missing.length > 0) {
    throw new ApiError("invalid_request", "Some channels do not exist.", {
      details: missing.map(({ index }) => ({ path: `channel_ids.${index}`, message: "no such channel" })),
    });
  }
}

function invalidRule(path: string, message: string): ApiError {
  return new ApiError("invalid_request", "The rule is not valid.", { details: [{ path, message }] });
}

/** What the audit log keeps of a rule. */
function auditSnapshot(view: RuleView): Record<string, unknown> {
  return { name: view.name, type: view.type, enabled: view.enabled, params: view.params, scope: view.scope, budget_id: view.budget_id, channel_ids: view.channel_ids };
}

/**
 * A rule people add: any type, scoped to tags or (budget types) to one budget — which then
 * leaves the rules without a budget for it — delivering to the given channels (none: every
 * enabled channel). 400 on params.<field>, scope, budget_id (not a budget type, no such
 * budget, or archived) and channel_ids.<i>; 409 when the budget already has its own rule
 * of that type. The default rules are created first, so the new rule is never taken for one.
 */
export async function createRule(ctx: Ctx<AuditActor>, input: CreateRuleInput): Promise<RuleView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  await ensureDefaultRules();
  const params = input.params ?? {};
  const problem = paramsProblem(input.type, params);
  if (problem) throw problem;
  const scope = input.scope ? normalizeScope(input.scope) : {};
  const budgetId = input.budget_id ?? null;
  if (budgetId !== null && !BUDGET_RULE_TYPES.includes(input.type)) {
    throw invalidRule("budget_id", `only ${BUDGET_RULE_TYPES.join(" and ")} rules watch one budget`);
  }
  if (budgetId !== null && Object.keys(scope).length > 0) {
    throw invalidRule("scope", "must be empty for a rule of one budget (it watches the budget's own scope)");
  }
  return prisma.$transaction(async (tx) => {
    let budgetName: string | null = null;
    if (budgetId !== null) {
      const budget = await tx.budget.findUnique({ where: { id: budgetId }, select: { name: true, archivedAt: true } });
      if (!budget) throw invalidRule("budget_id", "no such budget");
      if (budget.archivedAt) throw invalidRule("budget_id", "the budget is archived");
      const clash = await tx.alertRule.findFirst({ where: { budgetId, type: input.type }, select: { id: true } });
      if (clash) {
        throw new ApiError("conflict", `The budget already has its own ${input.type} rule: tune that one.`, {
          details: [{ path: "budget_id", message: `rule ${clash.id} watches this budget` }],
        });
      }
      budgetName = budget.name;
    }
    if (input.channel_ids !== undefined) await assertChannelsExist(tx, input.channel_ids);
    const typeName = DEFAULT_RULES.find((r) => r.type === input.type)?.name ?? input.type;
    const defaultName = `${typeName} (${budgetName !== null ? `budget ${budgetName}` : describeScope(scope)})`.slice(0, 120);
    const row = await tx.alertRule.create({
      data: {
        name: input.name ?? defaultName,
        type: input.type,
        enabled: input.enabled ?? true,
        params: params as Prisma.InputJsonValue,
        scope: Object.keys(scope).length > 0 ? scope : Prisma.DbNull,
        budgetId,
        channels: { connect: [...new Set(input.channel_ids ?? [])].map((cid) => ({ id: cid })) },
      },
      select: RULE_SELECT,
    });
    const view = ruleView(row, new Set());
    await writeAudit(tx, actor, { action: "alert_rule.create", targetType: "alert_rule", targetId: row.id, after: auditSnapshot(view), ip });
    return view;
  });
}

/**
 * Deletes a rule people added (404 unknown; 409 for a built-in rule: disable it instead).
 * Its open and acknowledged alerts are resolved (nothing would resolve them any more);
 * past alerts stay, without their rule.
 */
export async function deleteRule(ctx: Ctx<AuditActor>, { id }: { id: string }): Promise<{ id: string; deleted: true; resolved_alerts: number }> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  const now = nowOf(ctx);
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM alert_rules WHERE id = ${id}::uuid FOR UPDATE`;
    const current = await tx.alertRule.findUnique({ where: { id }, select: RULE_SELECT });
    if (!current) throw new ApiError("not_found", "No such alert rule.");
    const builtIn = await builtInIds(tx);
    if (builtIn.has(id)) throw new ApiError("conflict", "Built-in rules cannot be deleted: disable the rule instead.");
    const resolved = await tx.alertEvent.updateMany({ where: { ruleId: id, state: { in: ["open", "acknowledged"] } }, data: { state: "resolved", resolvedAt: now } });
    await tx.alertRule.delete({ where: { id } });
    await writeAudit(tx, actor, {
      action: "alert_rule.delete",
      targetType: "alert_rule",
      targetId: id,
      before: auditSnapshot(ruleView(current, builtIn)),
      after: { resolved_alerts: resolved.count },
      ip,
    });
    return { id, deleted: true, resolved_alerts: resolved.count };
  });
}


/**
 * Changes a rule. `params` is merged into the stored params (a null value removes that
 * override), then validated against the type's schema (400 naming params.<field>);
 * `channel_ids` replaces the linked channels (each must exist).
 */
export async function updateRule(ctx: Ctx<AuditActor>, { id, changes: input }: { id: string; changes: UpdateRuleInput }): Promise<RuleView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    const current = await tx.alertRule.findUnique({ where: { id }, select: RULE_SELECT });
    if (!current) throw new ApiError("not_found", "No such alert rule.");

    let params: Record<string, unknown> | undefined;
    if (input.params !== undefined) {
      params = { ...asObject(current.params) };
      for (const [key, value] of Object.entries(input.params)) {
        if (value === null) delete params[key];
        else params[key] = value;
      }
      const problem = paramsProblem(current.type, params);
      if (problem) throw problem;
    }

    if (input.channel_ids !== undefined) await assertChannelsExist(tx, input.channel_ids);

    const row = await tx.alertRule.update({
      where: { id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
        ...(params !== undefined ? { params: params as Prisma.InputJsonValue } : {}),
        ...(input.scope !== undefined
          ? { scope: input.scope === null || Object.keys(normalizeScope(input.scope)).length === 0 ? Prisma.DbNull : normalizeScope(input.scope) }
          : {}),
        ...(input.channel_ids !== undefined ? { channels: { set: [...new Set(input.channel_ids)].map((cid) => ({ id: cid })) } } : {}),
      },
      select: RULE_SELECT,
    });
    const builtIn = await builtInIds(tx);
    const before = ruleView(current, builtIn);
    const after = ruleView(row, builtIn);
    await writeAudit(tx, actor, {
      action: "alert_rule.update",
      targetType: "alert_rule",
      targetId: id,
      before: { name: before.name, enabled: before.enabled, params: before.params, scope: before.scope, channel_ids: before.channel_ids },
      after: { name: after.name, enabled: after.enabled, params: after.params, scope: after.scope, channel_ids: after.channel_ids },
      ip,
    });
    return after;
  });
}
