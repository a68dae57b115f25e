import type { QueryResult, QueryResultRow } from "pg";
import { SqlParams, type Queryable } from "@/lib/db/sql";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { AllocationRecord, ApprovedBurst, QuotaUnit } from "./standing";
import type { BurstState } from "./transitions";

/**
 * Reading quota rows with plain SQL, the same text through the pg pool (reads, the check's
 * snapshot) or inside a Prisma transaction (writes that lock the row first). Numerics come
 * back as text (exact), timestamps as Dates.
 */

/** A pg Pool / client, or a Prisma transaction through txRows(). */
export type RowSource = Queryable;

/** A Prisma transaction as a RowSource ($1-style parameters, bound, never interpolated). */
export function txRows(tx: Prisma.TransactionClient): RowSource {
  return {
    query: async <R extends QueryResultRow>(text: string, values: unknown[] = []): Promise<QueryResult<R>> => {
      const rows = await tx.$queryRawUnsafe<R[]>(text, ...values);
      return { rows, rowCount: rows.length, command: "", oid: 0, fields: [] };
    },
  };
}

interface AllocationRow extends QueryResultRow {
  id: string;
  team: string;
  team_id: string;
  model: string | null;
  unit: QuotaUnit;
  amount: string;
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
  created_at: Date;
}

const ALLOCATION_SELECT = `
  SELECT a.id::text AS id, t.slug AS team, t.id::text AS team_id, a.model, a.unit::text AS unit, a.amount::text AS amount,
         a.requests_per_minute, a.tokens_per_minute, a.created_at
  FROM quota_allocations a JOIN teams t ON t.id = a.team_id`;

function allocationRecord(row: AllocationRow): AllocationRecord {
  return {
    id: row.id,
    team: row.team,
    teamId: row.team_id,
    model: row.model,
    unit: row.unit,
    amount: row.amount,
    period: "month",
    requestsPerMinute: row.requests_per_minute,
    tokensPerMinute: row.tokens_per_minute,
    createdAt: new Date(row.created_at),
  };
}

/** Allocations (of some teams, or all: null), by team slug, the team-wide one first, then by model. */
export async function loadAllocations(db: RowSource, teams: readonly string[] | null): Promise<AllocationRecord[]> {
  const result = teams
    ? await db.query<AllocationRow>(`${ALLOCATION_SELECT} WHERE t.slug = ANY($1::text[]) ORDER BY t.slug, a.model NULLS FIRST, a.id`, [[...teams]])
    : await db.query<AllocationRow>(`${ALLOCATION_SELECT} ORDER BY t.slug, a.model NULLS FIRST, a.id`);
  return result.rows.map(allocationRecord);
}

/** One allocation, optionally locked FOR UPDATE (inside a transaction); null when there is none. */
export async function loadAllocation(db: RowSource, id: string, options: { lock?: boolean } = {}): Promise<AllocationRecord | null> {
  const result = await db.query<AllocationRow>(`${ALLOCATION_SELECT} WHERE a.id = $1::uuid${options.lock ? " FOR UPDATE OF a" : ""}`, [id]);
  const row = result.rows[0];
  return row ? allocationRecord(row) : null;
}

interface ApprovedRow extends QueryResultRow {
  id: string;
  team: string;
  unit: QuotaUnit;
  amount: string;
  starts_at: Date;
  ends_at: Date;
}

/** Approved bursts whose window ends after `endingAfter` (of some teams, or all: null). */
export async function loadApprovedBursts(db: RowSource, endingAfter: Date, teams: readonly string[] | null): Promise<ApprovedBurst[]> {
  const p = new SqlParams();
  const result = await db.query<ApprovedRow>(
    `SELECT b.id::text AS id, t.slug AS team, b.unit::text AS unit, coalesce(b.approved_amount, b.amount)::text AS amount,
            b.starts_at, b.ends_at
     FROM burst_requests b JOIN teams t ON t.id = b.team_id
     WHERE b.status = 'approved' AND b.ends_at > ${p.add(endingAfter.toISOString(), "timestamptz")}${teams ? ` AND t.slug = ANY(${p.add([...teams], "text[]")})` : ""}
     ORDER BY b.ends_at, b.id`,
    p.values,
  );
  return result.rows.map((row) => ({
    id: row.id,
    team: row.team,
    unit: row.unit,
    amount: row.amount,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
  }));
}

export interface BurstRow extends QueryResultRow {
  id: string;
  team: string;
  team_id: string;
  unit: QuotaUnit;
  amount: string;
  approved_amount: string | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  expected_usage: string | null;
  status: BurstState;
  requested_by_id: string | null;
  requested_by_email: string | null;
  decided_by_id: string | null;
  decided_by_email: string | null;
  decided_at: Date | null;
  decision_comment: string | null;
  created_at: Date;
}

export const BURST_SELECT = `
  SELECT b.id::text AS id, t.slug AS team, t.id::text AS team_id, b.unit::text AS unit, b.amount::text AS amount,
         b.approved_amount::text AS approved_amount, b.starts_at, b.ends_at, b.reason, b.expected_usage,
         b.status::text AS status, b.requested_by_id::text AS requested_by_id, ru.email AS requested_by_email,
         b.decided_by_id::text AS decided_by_id, du.email AS decided_by_email, b.decided_at, b.decision_comment, b.created_at
  FROM burst_requests b
  JOIN teams t ON t.id = b.team_id
  LEFT JOIN users ru ON ru.id = b.requested_by_id
  LEFT JOIN users du ON du.id = b.decided_by_id`;
