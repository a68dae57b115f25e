import "server-only";
import { prisma } from "@/lib/db";
import { csvTable } from "@/lib/http/csv";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { AuditQuery } from "@/lib/schemas/access";
import type { Ctx } from "@/lib/context";
import { auditActionPrefixes } from "@/lib/auth/permissions";

export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next_before: string | null;
}

/** A bare date means midnight UTC (contract). */
function instant(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

/** Newest first, filtered; `action` matches a prefix ("api_key" finds create and revoke). */
export async function queryAudit(ctx: Ctx, query: AuditQuery): Promise<AuditPage> {
  const where: Prisma.AuditLogWhereInput = {};
  if (query.action) where.action = { startsWith: query.action };
  const prefixes = auditActionPrefixes(ctx.principal);
  if (prefixes !== null) where.AND = [{ OR: prefixes.map((prefix) => ({ action: { startsWith: prefix } })) }];
  if (query.actor) where.actorLabel = { contains: query.actor, mode: "insensitive" };
  if (query.target_type) where.targetType = query.target_type;
  if (query.from || query.to) {
    where.at = { ...(query.from ? { gte: instant(query.from) } : {}), ...(query.to ? { lt: instant(query.to) } : {}) };
  }
  if (query.before) where.id = { lt: BigInt(query.before) };
  const rows = await prisma.auditLog.findMany({ where, orderBy: { id: "desc" }, take: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  return {
    entries: page.map((row) => ({
      id: row.id.toString(),
      at: row.at.toISOString(),
      actor: row.actorLabel,
      action: row.action,
      target_type: row.targetType,
      target_id: row.targetId,
      before: row.before,
      after: row.after,
      ip: row.ip,
    })),
    next_before: rows.length > query.limit ? (page.at(-1)?.id.toString() ?? null) : null,
  };
}

const AUDIT_CSV = csvTable(["id", "at", "actor", "action", "target_type", "target_id", "before", "after", "ip"], ["id"]);

/** A JSON column (before, after) as text: a string as it is, anything else as JSON; null stays empty. */
function jsonText(value: unknown): string | null {
  return value === null || value === undefined ? null : typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * The page as CSV, the columns in the order the Audit log page shows them. Written by
 * lib/http/csv.ts: actor, team or key names starting like a formula get a leading '.
 */
export function auditCsv(page: AuditPage): string {
  return (
    AUDIT_CSV.header() +
    page.entries
      .map((e) => AUDIT_CSV.row([e.id, e.at, e.actor, e.action, e.target_type, e.target_id, jsonText(e.before), jsonText(e.after), e.ip]))
      .join("")
  );
}
