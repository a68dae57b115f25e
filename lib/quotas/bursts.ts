import "server-only";
import { getPool, prisma } from "@/lib/db";
import { ensureTeam } from "@/lib/access/teams";
import { can, canActOnTeam, inTeamScope, teamScope, type Principal } from "@/lib/auth/permissions";
import { writeAudit, type AuditAction } from "@/lib/audit/audit-log";
import { SqlParams } from "@/lib/db/sql";
import { ApiError } from "@/lib/http/errors";
import { recordQuotaDecision } from "@/lib/ops/metrics";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseQuotaAmount, type BurstsQuery, type CreateBurstInput } from "@/lib/schemas/quota";
import { invalidateQuotaCache } from "./cache";
import { notifyBurst, recordBurstNotification, type BurstNotificationType } from "./notify";
import { BURST_SELECT, loadAllocations, txRows, type BurstRow, type RowSource } from "./records";
import { formatUnitAmount, periodToDate, type QuotaUnit } from "./standing";
import { transition, type BurstAction, type BurstActor, type BurstRecord, type Refusal } from "./transitions";
import { usageByTeam } from "./usage";
import { DAY_MS } from "@/lib/time";
import type { Ctx } from "@/lib/context";

/**
 * Burst requests: file, list, read, approve / reject / cancel, expire.
 *
 * - Filing (quota:request): a team lead for a team they lead, or a platform admin; the unit
 *   defaults to the team's allocation unit (the team-wide allocation's, else its oldest
 *   allocation's, else usd). ends_at must be in the future (400 on ends_at). An admin may
 *   file for a slug with no team yet, which registers it (lib/access/teams.ts ensureTeam).
 * - Reading (quota:read) is team-scoped in SQL: admins and finance see every request,
 *   others those of their teams; an id outside the caller's teams is 404.
 * - Decisions go through lib/quotas/transitions.ts only, on the row locked FOR UPDATE in
 *   the same transaction as the write and its audit entry: of two admins deciding at once,
 *   the second waits for the first to commit, then finds the request no longer pending (409).
 * - Expiry: a pending request whose ends_at has passed becomes `expired` — swept
 *   (expireBursts) before every listing and read, when a decision finds it due (the
 *   decision answers 409), and from the quota check's background refresh at most once a
 *   minute per process. An approved burst is never expired: it just stops counting.
 * - Every change is audited; filing and decisions notify every enabled alert channel
 *   (lib/quotas/notify.ts) once the transaction has committed.
 */

export interface PersonRef {
  id: string;
  email: string;
}

/** Attached to pending requests in listings, for the approval queue; amounts in the request's unit. */
export interface TeamUsageView {
  unit: QuotaUnit;
  /** The 30 × 24 hours up to the end of the current hour. */
  last_30_days: string;
  /** This UTC month through the end of the current hour. */
  month_to_date: string;
  /** The team-wide allocation's baseline when it is in this unit, else null. */
  allocation: string | null;
}

export interface BurstView {
  id: string;
  team: string;
  unit: QuotaUnit;
  amount: string;
  approved_amount: string | null;
  starts_at: string;
  ends_at: string;
  reason: string;
  expected_usage: string | null;
  status: BurstRecord["status"];
  requested_by: PersonRef | null;
  decided_by: PersonRef | null;
  decided_at: string | null;
  decision_comment: string | null;
  created_at: string;
  team_usage?: TeamUsageView;
}

interface BurstOptions {
  now?: Date;
  ip?: string | null;
  notify?: boolean;
}

export interface NotifyInput {
  /** Send to the outside channels (webhook, Slack, email; default true). The in-app notification is written in the change's own transaction either way. */
  notify?: boolean;
}

const SYSTEM_ACTOR = { kind: "system", label: "system (burst expiry)" } as const;

const iso = (at: Date | null) => (at ? new Date(at).toISOString() : null);

export function burstView(row: BurstRow, teamUsage?: TeamUsageView): BurstView {
  return {
    id: row.id,
    team: row.team,
    unit: row.unit,
    amount: formatUnitAmount(row.amount, row.unit),
    approved_amount: row.approved_amount === null ? null : formatUnitAmount(row.approved_amount, row.unit),
    starts_at: new Date(row.starts_at).toISOString(),
    ends_at: new Date(row.ends_at).toISOString(),
    reason: row.reason,
    expected_usage: row.expected_usage,
    status: row.status,
    requested_by: row.requested_by_id ? { id: row.requested_by_id, email: row.requested_by_email ?? "" } : null,
    decided_by: row.decided_by_id ? { id: row.decided_by_id, email: row.decided_by_email ?? "" } : null,
    decided_at: iso(row.decided_at),
    decision_comment: row.decision_comment,
    created_at: new Date(row.created_at).toISOString(),
    ...(teamUsage ? { team_usage: teamUsage } : {}),
  };
}

function recordOf(row: BurstRow): BurstRecord {
  return {
    status: row.status,
    amount: row.amount,
    approvedAmount: row.approved_amount,
    requestedById: row.requested_by_id,
    endsAt: new Date(row.ends_at),
    decidedById: row.decided_by_id,
    decidedAt: row.decided_at ? new Date(row.decided_at) : null,
    decisionComment: row.decision_comment,
  };
}

/** What the audit log keeps of a request: its view without people, dates of record or usage. */
function auditSnapshot(row: BurstRow): Record<string, unknown> {
  const { team, unit, amount, approved_amount, starts_at, ends_at, reason, expected_usage, status, decision_comment } = burstView(row);
  return { team, unit, amount, approved_amount, starts_at, ends_at, reason, expected_usage, status, decision_comment };
}

function afterTransition(row: BurstRow, next: BurstRecord): BurstRow {
  return {
    ...row,
    status: next.status,
    approved_amount: next.approvedAmount,
    decided_by_id: next.decidedById,
    decided_at: next.decidedAt,
    decision_comment: next.decisionComment,
  };
}

async function selectBurst(db: RowSource, id: string, lock = false): Promise<BurstRow | null> {
  const result = await db.query<BurstRow>(`${BURST_SELECT} WHERE b.id = $1::uuid${lock ? " FOR UPDATE OF b" : ""}`, [id]);
  return result.rows[0] ?? null;
}

async function writeTransition(tx: Prisma.TransactionClient, row: BurstRow, next: BurstRecord, now: Date): Promise<void> {
  await tx.burstRequest.update({
    where: { id: row.id },
    data: {
      status: next.status,
      approvedAmount: next.approvedAmount,
      decidedById: next.decidedById,
      decidedAt: next.decidedAt,
      decisionComment: next.decisionComment,
      updatedAt: now,
    },
  });
}

/** Expires one locked, due request (through the state machine); false when it is not due. */
async function expireLocked(tx: Prisma.TransactionClient, row: BurstRow, now: Date): Promise<boolean> {
  const result = transition(recordOf(row), { kind: "expire" }, { kind: "system" }, now);
  if (!result.ok) return false;
  await writeTransition(tx, row, result.next, now);
  await writeAudit(tx, SYSTEM_ACTOR, {
    action: "burst_request.expire",
    targetType: "burst_request",
    targetId: row.id,
    teamId: row.team_id,
    before: auditSnapshot(row),
    after: auditSnapshot(afterTransition(row, result.next)),
  });
  return true;
}

/**
 * The sweep: every pending request whose ends_at ≤ now becomes expired (audited as
 * "burst_request.expire" by the system). Cheap when none is due (one indexed probe on
 * (status, ends_at)); rows another transaction holds are skipped (it is deciding them).
 * Returns the ids expired.
 */
export async function expireBursts(options: { now?: Date; db?: RowSource } = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  const probe = await (options.db ?? getPool()).query(
    "SELECT 1 FROM burst_requests WHERE status = 'pending' AND ends_at <= $1::timestamptz LIMIT 1",
    [now.toISOString()],
  );
  if (probe.rows.length === 0) return [];
  const expiredIds = await prisma.$transaction(async (tx) => {
    const due = await txRows(tx).query<BurstRow>(
      `${BURST_SELECT} WHERE b.status = 'pending' AND b.ends_at <= $1::timestamptz ORDER BY b.ends_at, b.id LIMIT 1000 FOR UPDATE OF b SKIP LOCKED`,
      [now.toISOString()],
    );
    const expired: string[] = [];
    for (const row of due.rows) if (await expireLocked(tx, row, now)) expired.push(row.id);
    return expired;
  });
  recordQuotaDecision("expire", expiredIds.length);
  return expiredIds;
}

/** Team usage for the pending requests among `rows`, keyed by request id (three queries whatever the count). */
async function teamUsageFor(rows: readonly BurstRow[], now: Date, db: RowSource): Promise<Map<string, TeamUsageView>> {
  const pending = rows.filter((row) => row.status === "pending");
  const views = new Map<string, TeamUsageView>();
  if (pending.length === 0) return views;
  const teams = [...new Set(pending.map((row) => row.team))];
  const monthToDate = periodToDate(now);
  const last30 = { from: new Date(monthToDate.to.getTime() - 30 * DAY_MS), to: monthToDate.to };
  const [month, recent, allocations] = await Promise.all([
    usageByTeam(db, monthToDate, teams),
    usageByTeam(db, last30, teams),
    loadAllocations(db, teams),
  ]);
  for (const row of pending) {
    const pick = (usage: typeof month) => {
      const team = usage.get(row.team);
      return formatUnitAmount(team ? (row.unit === "usd" ? team.costUsd : team.tokens) : 0, row.unit);
    };
    const teamWide = allocations.find((a) => a.team === row.team && a.model === null);
    views.set(row.id, {
      unit: row.unit,
      last_30_days: pick(recent),
      month_to_date: pick(month),
      allocation: teamWide && teamWide.unit === row.unit ? formatUnitAmount(teamWide.amount, row.unit) : null,
    });
  }
  return views;
}

/** GET /api/v1/quota/requests: newest first, team-scoped; pending ones carry team_usage. */
export async function listBurstRequests(ctx: Ctx, query: BurstsQuery = {}): Promise<BurstView[]> {
  const { principal } = ctx;
  const options: BurstOptions = ctx;
  const now = options.now ?? new Date();
  await expireBursts({ now });
  const scope = teamScope(principal);
  const params = new SqlParams();
  const where: string[] = [];
  if (scope.kind === "teams") where.push(`t.slug = ANY(${params.add(scope.slugs, "text[]")})`);
  if (query.team !== undefined) where.push(`t.slug = ${params.add(query.team)}`);
  if (query.status !== undefined) where.push(`b.status = ${params.add(query.status, '"BurstStatus"')}`);
  const pool = getPool();
  const result = await pool.query<BurstRow>(
    `${BURST_SELECT}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY b.created_at DESC, b.id`,
    params.values,
  );
  const usage = await teamUsageFor(result.rows, now, pool);
  return result.rows.map((row) => burstView(row, usage.get(row.id)));
}

/** One request (with team_usage while pending), or 404 — also outside the caller's teams. */
export async function getBurstRequestOrThrow(ctx: Ctx, { id }: { id: string }): Promise<BurstView> {
  const { principal } = ctx;
  const options: BurstOptions = ctx;
  const now = options.now ?? new Date();
  await expireBursts({ now });
  const row = await selectBurst(getPool(), id);
  if (!row || !inTeamScope(teamScope(principal), row.team)) throw new ApiError("not_found", "No such burst request.");
  const usage = await teamUsageFor([row], now, getPool());
  return burstView(row, usage.get(row.id));
}

function invalid(path: string, message: string): ApiError {
  return new ApiError("invalid_request", "The burst request is not valid.", { details: [{ path, message }] });
}

/** POST /api/v1/quota/requests → the new pending request. */
export async function createBurstRequest(ctx: Ctx, input: CreateBurstInput & NotifyInput): Promise<BurstView> {
  const { principal } = ctx;
  const options: BurstOptions = { ...ctx, notify: input.notify };
  if (!canActOnTeam(principal, "quota:request", input.team)) {
    throw new ApiError("forbidden", "You can file burst requests only for teams you lead.");
  }
  const now = options.now ?? new Date();
  if (Date.parse(input.ends_at) <= now.getTime()) throw invalid("ends_at", "must be in the future");
  const row = await prisma.$transaction(async (tx) => {
    // Reached only by whoever may file for this slug (canActOnTeam above): a team lead never
    // gets here for a team they do not lead, so only admins register a team by a request.
    const team = await ensureTeam(tx, input.team, principal, {
      via: "burst_request",
      path: "team",
      message: "The burst request is not valid.",
      ip: options.ip ?? null,
    });
    const allocation =
      (await tx.quotaAllocation.findFirst({ where: { teamId: team.id, model: null }, select: { unit: true } })) ??
      (await tx.quotaAllocation.findFirst({ where: { teamId: team.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { unit: true } }));
    const unit: QuotaUnit = input.unit ?? allocation?.unit ?? "usd";
    const amount = parseQuotaAmount(input.amount, unit);
    if (!amount.ok) throw invalid("amount", `${amount.message} (the request is in ${unit})`);
    const created = await tx.burstRequest.create({
      data: {
        teamId: team.id,
        requestedById: principal.kind === "user" ? principal.userId : null,
        unit,
        amount: amount.amount,
        startsAt: new Date(input.starts_at),
        endsAt: new Date(input.ends_at),
        reason: input.reason,
        expectedUsage: input.expected_usage,
        status: "pending",
        createdAt: now,
      },
      select: { id: true },
    });
    const stored = await selectBurst(txRows(tx), created.id);
    if (!stored) throw new Error("burst request missing after insert");
    await writeAudit(tx, principal, {
      action: "burst_request.create",
      targetType: "burst_request",
      targetId: stored.id,
      teamId: team.id,
      after: auditSnapshot(stored),
      ip: options.ip ?? null,
      at: now,
    });
    await recordBurstNotification(txRows(tx), "quota.burst_requested", burstView(stored), principal, now);
    return stored;
  });
  const view = burstView(row);
  if (options.notify !== false) notifyBurst("quota.burst_requested", view, principal);
  return view;
}

function actorOf(principal: Principal): BurstActor {
  if (can(principal, "quota:decide")) return { kind: "admin", userId: principal.kind === "user" ? principal.userId : null };
  return { kind: "user", userId: principal.kind === "user" ? principal.userId : `key:${principal.keyId}` };
}

const ACTION_AUDIT: Record<Exclude<BurstAction["kind"], "expire">, AuditAction> = {
  approve: "burst_request.approve",
  reject: "burst_request.reject",
  cancel: "burst_request.cancel",
};

const NOTIFY: Partial<Record<BurstAction["kind"], BurstNotificationType>> = {
  approve: "quota.burst_approved",
  reject: "quota.burst_rejected",
};

function refusalError(refusal: Refusal): ApiError {
  if (refusal.status === 403) return new ApiError("forbidden", refusal.message);
  if (refusal.status === 409) return new ApiError("conflict", refusal.message);
  return new ApiError("invalid_request", refusal.message, { details: [{ path: refusal.path ?? "", message: refusal.message }] });
}

/**
 * POST …/{id}/approve | reject | cancel. 404 outside the caller's teams; 403 when the
 * caller may not (approve/reject: admins only; cancel: the requester or an admin); 409
 * when it is no longer pending (or its window has passed — it is expired on the spot).
 */
export async function decideBurstRequest(
  ctx: Ctx,
  { id, action, notify }: { id: string; action: Exclude<BurstAction, { kind: "expire" }> } & NotifyInput,
): Promise<BurstView> {
  const { principal } = ctx;
  const options: BurstOptions = { ...ctx, notify };
  const now = options.now ?? new Date();
  const actor = actorOf(principal);
  const scope = teamScope(principal);
  type Outcome = { kind: "done"; row: BurstRow } | { kind: "refused"; error: ApiError; expired?: boolean };
  const outcome: Outcome = await prisma.$transaction(async (tx): Promise<Outcome> => {
    const db = txRows(tx);
    const row = await selectBurst(db, id, true);
    if (!row || !inTeamScope(scope, row.team)) throw new ApiError("not_found", "No such burst request.");
    const result = transition(recordOf(row), action, actor, now);
    if (!result.ok) {
      // Found due: expire it now (committed), then answer 409.
      const expired = result.refusal.code === "window_passed" && (await expireLocked(tx, row, now));
      return { kind: "refused", error: refusalError(result.refusal), expired };
    }
    if (action.kind === "approve" && result.next.approvedAmount !== null) {
      const fits = parseQuotaAmount(result.next.approvedAmount, row.unit);
      if (!fits.ok) throw new ApiError("invalid_request", "The approval is not valid.", { details: [{ path: "amount", message: fits.message }] });
    }
    await writeTransition(tx, row, result.next, now);
    await writeAudit(tx, principal, {
      action: ACTION_AUDIT[action.kind],
      targetType: "burst_request",
      targetId: row.id,
      teamId: row.team_id,
      before: auditSnapshot(row),
      after: auditSnapshot(afterTransition(row, result.next)),
      ip: options.ip ?? null,
      at: now,
    });
    const updated = await selectBurst(db, id);
    if (!updated) throw new Error("burst request missing after update");
    const notice = NOTIFY[action.kind];
    if (notice) await recordBurstNotification(db, notice, burstView(updated), principal, now);
    return { kind: "done", row: updated };
  });
  if (outcome.kind === "refused") {
    if (outcome.expired) recordQuotaDecision("expire");
    throw outcome.error;
  }
  recordQuotaDecision(action.kind);
  invalidateQuotaCache();
  const view = burstView(outcome.row);
  const type = NOTIFY[action.kind];
  if (type && options.notify !== false) notifyBurst(type, view, principal);
  return view;
}
