import "server-only";
import { getPool, prisma } from "@/lib/db";
import { ensureTeam } from "@/lib/access/teams";
import { can, inTeamScope, teamScope, type Principal } from "@/lib/auth/permissions";
import { writeAudit, type AuditAction } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseQuotaAmount, type CreateAllocationInput, type UpdateAllocationInput } from "@/lib/schemas/quota";
import { invalidateQuotaCache } from "./cache";
import { loadAllocation, loadAllocations, loadApprovedBursts, txRows, type RowSource } from "./records";
import { allocationView, formatUnitAmount, periodToDate, type AllocationRecord, type AllocationView } from "./standing";
import { usageByTeam, usedFrom } from "./usage";
import type { Ctx } from "@/lib/context";

/**
 * Quota allocations: a team's monthly baseline, team-wide (model null) or for one model,
 * one per (team, model). Writing (quota:allocate) is for platform admins; every write is
 * audited as "allocation.set" (before/after) — deletions as "allocation.delete" — and
 * invalidates the check's cache in this process. Reading (quota:read) is team-scoped:
 * admins and finance see every allocation, others their teams' (another team's id is 404).
 *
 * used / limit / remaining / utilization / idle / over are computed fresh from the rollups
 * at `now` (lib/quotas/standing.ts has the rules) — the list is exact, not cached.
 */

export type { AllocationView } from "./standing";

export interface AllocationOptions {
  now?: Date;
  ip?: string | null;
  db?: RowSource;
}

// Not in AUDIT_ACTIONS (lib/audit/audit-log.ts) yet.
const DELETE_ACTION: AuditAction = "allocation.delete";

/** The views of loaded allocations at `now`: one usage query and one burst query for all of them. */
export async function allocationViews(records: readonly AllocationRecord[], options: AllocationOptions = {}): Promise<AllocationView[]> {
  if (records.length === 0) return [];
  const now = options.now ?? new Date();
  const db = options.db ?? getPool();
  const teams = [...new Set(records.map((r) => r.team))];
  const [usage, bursts] = await Promise.all([usageByTeam(db, periodToDate(now), teams), loadApprovedBursts(db, now, teams)]);
  return records.map((record) => allocationView(record, usedFrom(usage, record.team, record.model, record.unit), bursts, now));
}

async function viewOf(record: AllocationRecord, options: AllocationOptions): Promise<AllocationView> {
  const [view] = await allocationViews([record], options);
  if (!view) throw new Error("allocation view missing");
  return view;
}

/** GET /api/v1/quota/allocations[?team=]: by team, the team-wide allocation first, then by model. */
export async function listAllocations(ctx: Ctx, filter: { team?: string } = {}): Promise<AllocationView[]> {
  const { principal } = ctx;
  const options: AllocationOptions = ctx;
  const scope = teamScope(principal);
  let teams: string[] | null = scope.kind === "all" ? null : scope.slugs;
  if (filter.team !== undefined) teams = teams === null || teams.includes(filter.team) ? [filter.team] : [];
  if (teams !== null && teams.length === 0) return [];
  return allocationViews(await loadAllocations(options.db ?? getPool(), teams), options);
}

export async function getAllocationOrThrow(ctx: Ctx, { id }: { id: string }): Promise<AllocationView> {
  const { principal } = ctx;
  const options: AllocationOptions = ctx;
  const record = await loadAllocation(options.db ?? getPool(), id);
  if (!record || !inTeamScope(teamScope(principal), record.team)) throw new ApiError("not_found", "No such allocation.");
  return viewOf(record, options);
}

function assertCanAllocate(principal: Principal): void {
  if (!can(principal, "quota:allocate")) throw new ApiError("forbidden", "Only platform admins may set quota allocations.");
}

/** What the audit log keeps of an allocation. */
function auditSnapshot(record: AllocationRecord): Record<string, unknown> {
  return {
    team: record.team,
    model: record.model,
    unit: record.unit,
    amount: formatUnitAmount(record.amount, record.unit),
    period: record.period,
    requests_per_minute: record.requestsPerMinute,
    tokens_per_minute: record.tokensPerMinute,
  };
}

/** Locks the team row: allocation writes of one team run one at a time (no unique-index races). */
async function lockTeam(tx: Prisma.TransactionClient, where: { slug: string } | { id: string }): Promise<string | null> {
  const rows =
    "slug" in where
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM teams WHERE slug = ${where.slug} FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM teams WHERE id = ${where.id}::uuid FOR UPDATE`;
  return rows[0]?.id ?? null;
}

/**
 * POST /api/v1/quota/allocations: creates the baseline for (team, model) or replaces it
 * whole (unit, amount, period and both per-minute limits — omitted ones become null).
 * `created` tells 201 from 200. A team slug with no team yet registers the team in the same
 * transaction (lib/access/teams.ts ensureTeam); 400 on "team" when such a slug is not valid.
 */
export async function setAllocation(ctx: Ctx, input: CreateAllocationInput): Promise<{ allocation: AllocationView; created: boolean }> {
  const { principal } = ctx;
  const options: AllocationOptions = ctx;
  assertCanAllocate(principal);
  const { record, created } = await prisma.$transaction(async (tx) => {
    // A slug with no team yet is registered here (audited "team.register"), then locked.
    await ensureTeam(tx, input.team, principal, { via: "allocation", path: "team", message: "The allocation is not valid.", ip: options.ip ?? null });
    const teamId = await lockTeam(tx, { slug: input.team });
    if (!teamId) throw new Error(`team ${input.team} missing after ensureTeam`);
    const existing = await tx.quotaAllocation.findFirst({ where: { teamId, model: input.model }, select: { id: true } });
    const before = existing ? await loadAllocation(txRows(tx), existing.id) : null;
    const data = {
      unit: input.unit,
      amount: input.amount,
      period: input.period,
      requestsPerMinute: input.requests_per_minute,
      tokensPerMinute: input.tokens_per_minute,
    };
    const id = existing
      ? (await tx.quotaAllocation.update({ where: { id: existing.id }, data, select: { id: true } })).id
      : (
          await tx.quotaAllocation.create({
            data: { ...data, teamId, model: input.model, ...(options.now ? { createdAt: options.now } : {}) },
            select: { id: true },
          })
        ).id;
    const after = await loadAllocation(txRows(tx), id);
    if (!after) throw new Error("allocation missing after write");
    await writeAudit(tx, principal, {
      action: "allocation.set",
      targetType: "quota_allocation",
      targetId: id,
      teamId,
      before: before ? auditSnapshot(before) : null,
      after: auditSnapshot(after),
      ip: options.ip ?? null,
      at: options.now,
    });
    return { record: after, created: !existing };
  });
  invalidateQuotaCache();
  return { allocation: await viewOf(record, options), created };
}

/** PATCH /api/v1/quota/allocations/{id}: the fields given; the amount must fit the (new) unit. */
export async function updateAllocation(ctx: Ctx, { id, changes: input }: { id: string; changes: UpdateAllocationInput }): Promise<AllocationView> {
  const { principal } = ctx;
  const options: AllocationOptions = ctx;
  assertCanAllocate(principal);
  const record = await prisma.$transaction(async (tx) => {
    const current = await loadAllocation(txRows(tx), id);
    if (!current) throw new ApiError("not_found", "No such allocation.");
    await lockTeam(tx, { id: current.teamId });
    const locked = await loadAllocation(txRows(tx), id, { lock: true });
    if (!locked) throw new ApiError("not_found", "No such allocation.");
    const unit = input.unit ?? locked.unit;
    const amount = parseQuotaAmount(input.amount ?? locked.amount, unit);
    if (!amount.ok) {
      throw new ApiError("invalid_request", "The change is not valid.", {
        details: [{ path: "amount", message: input.amount === undefined ? `the current amount ${amount.message}: send an amount in ${unit}` : amount.message }],
      });
    }
    if (input.model !== undefined && input.model !== locked.model) {
      const clash = await tx.quotaAllocation.findFirst({ where: { teamId: locked.teamId, model: input.model }, select: { id: true } });
      if (clash) {
        throw new ApiError("conflict", "The team already has an allocation for this model.", {
          details: [{ path: "model", message: `allocation ${clash.id} exists for ${input.model ?? "all models"}` }],
        });
      }
    }
    await tx.quotaAllocation.update({
      where: { id },
      data: {
        unit,
        amount: amount.amount,
        ...(input.model !== undefined ? { model: input.model } : {}),
        ...(input.requests_per_minute !== undefined ? { requestsPerMinute: input.requests_per_minute } : {}),
        ...(input.tokens_per_minute !== undefined ? { tokensPerMinute: input.tokens_per_minute } : {}),
      },
    });
    const after = await loadAllocation(txRows(tx), id);
    if (!after) throw new Error("allocation missing after update");
    await writeAudit(tx, principal, {
      action: "allocation.set",
      targetType: "quota_allocation",
      targetId: id,
      teamId: locked.teamId,
      before: auditSnapshot(locked),
      after: auditSnapshot(after),
      ip: options.ip ?? null,
    });
    return after;
  });
  invalidateQuotaCache();
  return viewOf(record, options);
}

/** DELETE /api/v1/quota/allocations/{id}: the team has no baseline for that model any more (checks answer "no allocation"). */
export async function deleteAllocation(ctx: Ctx, { id }: { id: string }): Promise<{ id: string; deleted: true }> {
  const { principal } = ctx;
  const options: AllocationOptions = ctx;
  assertCanAllocate(principal);
  await prisma.$transaction(async (tx) => {
    const current = await loadAllocation(txRows(tx), id, { lock: true });
    if (!current) throw new ApiError("not_found", "No such allocation.");
    await tx.quotaAllocation.delete({ where: { id } });
    await writeAudit(tx, principal, {
      action: DELETE_ACTION,
      targetType: "quota_allocation",
      targetId: id,
      teamId: current.teamId,
      before: auditSnapshot(current),
      ip: options.ip ?? null,
    });
  });
  invalidateQuotaCache();
  return { id, deleted: true };
}
