import { prisma } from "@/lib/db";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError, invalidRequest } from "@/lib/http/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import { ALERT_TYPE_OF_RULE, RULE_PARAMS_SCHEMAS, effectiveParams, type AlertScope, type UpdateRuleInput } from "@/lib/schemas/alerts";
import { ensureDefaultRules } from "@/lib/alerts/evaluate";
import { normalizeScope } from "@/lib/alerts/rules";

/**
 * Alert rules (GET /api/v1/alert-rules, PATCH /api/v1/alert-rules/{id}). The default
 * rules (lib/alerts/evaluate.ts DEFAULT_RULES) are created on first listing or
 * evaluation. `params` is what was set on the rule; `effective_params` adds the defaults
 * (lib/schemas/alerts.ts) — what the rule is evaluated with.
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

function ruleView(row: RuleRow): RuleView {
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
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function listRules(): Promise<RuleView[]> {
  await ensureDefaultRules();
  const rows = await prisma.alertRule.findMany({ select: RULE_SELECT, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(ruleView);
}


/**
 * Changes a rule. `params` is merged into the stored params (a null value removes that
 * override), then validated against the type's schema (400 naming params.<field>);
 * `channel_ids` replaces the linked channels (each must exist).
 */
export async function updateRule(actor: AuditActor, id: string, input: UpdateRuleInput, ip: string | null = null): Promise<RuleView> {
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
      const parsed = RULE_PARAMS_SCHEMAS[current.type].safeParse(params);
      if (!parsed.success) {
        throw invalidRequest(
          `The params are not valid for a ${current.type} rule.`,
          parsed.error.issues.map((issue) => ({ ...issue, path: ["params", ...issue.path] })),
        );
      }
    }

    if (input.channel_ids !== undefined) {
      const ids = [...new Set(input.channel_ids)];
      const found = new Set((await tx.alertChannel.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((c) => c.id));
      const missing = input.channel_ids.map((cid, index) => ({ cid, index })).filter(({ cid }) => !found.has(cid));
      if (missing.length > 0) {
        throw new ApiError("invalid_request", "Some channels do not exist.", {
          details: missing.map(({ index }) => ({ path: `channel_ids.${index}`, message: "no such channel" })),
        });
      }
    }

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
    const before = ruleView(current);
    const after = ruleView(row);
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
