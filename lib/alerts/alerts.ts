import "server-only";
import { prisma } from "@/lib/db";
import { teamScope, type Principal } from "@/lib/auth/permissions";
import { writeAudit } from "@/lib/audit/audit-log";
import { iso, SqlParams } from "@/lib/db/sql";
import { ApiError } from "@/lib/http/errors";
import type { AlertScope, AlertsQuery, AlertStateName } from "@/lib/schemas/alerts";
import { evaluateAlerts, type EvaluationResult } from "@/lib/alerts/evaluate";
import { dbOf, ipOf, nowOf, type Ctx } from "@/lib/context";

/**
 * Alerts as people read them (GET /api/v1/alerts, POST /api/v1/alerts/{id}/acknowledge).
 * Team-scoped in SQL: a principal limited to some teams (a team lead, a viewer, a
 * team-bound key) sees the alerts whose scope.team is one of theirs — not org-wide alerts
 * (no team in their scope) nor other teams'. An alert outside the caller's scope answers
 * 404, as if it did not exist.
 */

export interface AlertView {
  id: string;
  type: string;
  state: AlertStateName;
  rule_id: string | null;
  budget_id: string | null;
  scope: AlertScope;
  period_start: string;
  message: string;
  /** The webhook body as it was sent. */
  payload: Record<string, unknown>;
  fired_at: string;
  acknowledged_at: string | null;
  acknowledged_by: { id: string; email: string } | null;
  resolved_at: string | null;
  deliveries: { pending: number; delivered: number; failed: number };
}

interface AlertRow {
  id: string;
  type: string;
  state: AlertStateName;
  rule_id: string | null;
  budget_id: string | null;
  scope: AlertScope;
  period_start: Date;
  message: string;
  payload: Record<string, unknown>;
  fired_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by_id: string | null;
  acknowledged_by_email: string | null;
  resolved_at: Date | null;
  pending: number;
  delivered: number;
  failed: number;
}

const SELECT = `
  SELECT e.id::text AS id, e.type, e.state::text AS state, e.rule_id::text AS rule_id, e.budget_id::text AS budget_id,
         e.scope, e.period_start, e.message, e.payload, e.fired_at, e.acknowledged_at,
         e.acknowledged_by_id::text AS acknowledged_by_id, u.email AS acknowledged_by_email, e.resolved_at,
         (SELECT count(*) FROM alert_deliveries d WHERE d.alert_event_id = e.id AND d.status = 'pending')::int AS pending,
         (SELECT count(*) FROM alert_deliveries d WHERE d.alert_event_id = e.id AND d.status = 'delivered')::int AS delivered,
         (SELECT count(*) FROM alert_deliveries d WHERE d.alert_event_id = e.id AND d.status = 'failed')::int AS failed
  FROM alert_events e
  LEFT JOIN users u ON u.id = e.acknowledged_by_id`;

function alertView(row: AlertRow): AlertView {
  return {
    id: row.id,
    type: row.type,
    state: row.state,
    rule_id: row.rule_id,
    budget_id: row.budget_id,
    scope: row.scope,
    period_start: row.period_start.toISOString(),
    message: row.message,
    payload: row.payload,
    fired_at: row.fired_at.toISOString(),
    acknowledged_at: row.acknowledged_at?.toISOString() ?? null,
    acknowledged_by: row.acknowledged_by_id && row.acknowledged_by_email ? { id: row.acknowledged_by_id, email: row.acknowledged_by_email } : null,
    resolved_at: row.resolved_at?.toISOString() ?? null,
    deliveries: { pending: row.pending, delivered: row.delivered, failed: row.failed },
  };
}

/** `AND e.scope->>'team' = ANY($n)` for a team-scoped principal. */
function scopeCondition(principal: Principal, params: SqlParams): string {
  return params.teamScope(teamScope(principal), "e.scope->>'team'");
}

/** Newest first (fired_at), filtered by state, type, team (scope.team) and fired_at in [from, to). */
export async function listAlerts(ctx: Ctx, query: AlertsQuery): Promise<AlertView[]> {
  const { principal } = ctx;
  const params = new SqlParams();
  let where = "true";
  if (query.state) where += ` AND e.state = ${params.add(query.state, '"AlertState"')}`;
  if (query.type) where += ` AND e.type = ${params.add(query.type)}`;
  if (query.team) where += ` AND e.scope->>'team' = ${params.add(query.team)}`;
  if (query.from) where += ` AND e.fired_at >= ${params.add(iso(query.from), "timestamptz")}`;
  if (query.to) where += ` AND e.fired_at < ${params.add(iso(query.to), "timestamptz")}`;
  where += scopeCondition(principal, params);
  const result = await dbOf(ctx).query<AlertRow>(
    `${SELECT} WHERE ${where} ORDER BY e.fired_at DESC, e.id LIMIT ${params.add(query.limit)}`,
    params.values,
  );
  return result.rows.map(alertView);
}

/** One alert in the caller's scope, or 404. */
export async function getAlertOrThrow(ctx: Ctx, { id }: { id: string }): Promise<AlertView> {
  const { principal } = ctx;
  const params = new SqlParams();
  const result = await dbOf(ctx).query<AlertRow>(`${SELECT} WHERE e.id = ${params.add(id, "uuid")}${scopeCondition(principal, params)}`, params.values);
  const row = result.rows[0];
  if (!row) throw new ApiError("not_found", "No such alert.");
  return alertView(row);
}

/**
 * open → acknowledged, by the caller (acknowledged_by for a user; a key is named in the
 * audit entry). 409 when the alert is already acknowledged or resolved.
 */
export async function acknowledgeAlert(ctx: Ctx, { id }: { id: string }): Promise<AlertView> {
  const { principal } = ctx;
  const ip = ipOf(ctx);
  const now = nowOf(ctx);
  const alert = await getAlertOrThrow(ctx, { id });
  await prisma.$transaction(async (tx) => {
    const updated = await tx.alertEvent.updateMany({
      where: { id, state: "open" },
      data: { state: "acknowledged", acknowledgedAt: now, acknowledgedById: principal.kind === "user" ? principal.userId : null },
    });
    if (updated.count === 0) {
      const state = (await tx.alertEvent.findUnique({ where: { id }, select: { state: true } }))?.state ?? "resolved";
      throw new ApiError("conflict", `The alert is already ${state}.`);
    }
    const team = alert.scope.team ? await tx.team.findUnique({ where: { slug: alert.scope.team }, select: { id: true } }) : null;
    await writeAudit(tx, principal, {
      action: "alert.acknowledge",
      targetType: "alert",
      targetId: id,
      teamId: team?.id ?? null,
      before: { state: alert.state },
      after: { state: "acknowledged", type: alert.type, scope: alert.scope },
      ip,
    });
  });
  return getAlertOrThrow(ctx, { id });
}

/** POST /api/v1/alerts/evaluate: every rule now (evaluateAlerts), audited as alert.evaluate. */
export async function evaluateAlertsNow(ctx: Ctx): Promise<EvaluationResult> {
  const { principal } = ctx;
  const ip = ipOf(ctx);
  const result = await evaluateAlerts();
  await writeAudit(prisma, principal, {
    action: "alert.evaluate",
    targetType: "alert_rules",
    after: { skipped: result.skipped, fired: result.fired.map((a) => a.id), resolved: result.resolved.map((a) => a.id), errors: result.errors.length },
    ip,
  });
  return result;
}
