import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";

/**
 * Who did what, when, with the state before and after. Written in the same transaction
 * as the change it records, so the log never claims a change that rolled back.
 */
// Any Principal fits; "system" is for setup, the CLI and attempts by nobody known.
export type AuditActor =
  | { kind: "user"; userId: string; email: string }
  | { kind: "key"; keyId: string; prefix: string }
  | { kind: "system"; label: string };

export interface AuditEntry {
  action: AuditAction;
  targetType?: string;
  targetId?: string;
  teamId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  /** When it happened; default the database's clock. Set when the change itself is dated (`now` options, the demo's history). */
  at?: Date;
}

export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "auth.sign_out_everywhere",
  "setup.first_admin",
  "user.create",
  "user.update",
  "team.create",
  "team.update",
  "team.register",
  "team.member_set",
  "team.member_remove",
  "api_key.create",
  "api_key.revoke",
  "price.create",
  "price.update",
  "price.delete",
  "price.catalog_load",
  "price.import",
  "provider.normalize",
  "budget.create",
  "budget.update",
  "alert_channel.create",
  "alert_channel.update",
  "alert_channel.delete",
  "alert_channel.test",
  "alert_rule.create",
  "alert_rule.update",
  "alert_rule.delete",
  "alert.evaluate",
  "alert.acknowledge",
  "allocation.set",
  "allocation.delete",
  "burst_request.create",
  "burst_request.approve",
  "burst_request.reject",
  "burst_request.cancel",
  "burst_request.expire",
  "reconciliation.connection_create",
  "reconciliation.connection_delete",
  "reconciliation.run",
  "allocation_rule.create",
  "allocation_rule.update",
  "allocation_rule.delete",
  "chargeback.close",
  "chargeback.reopen",
  "savings.substitute_create",
  "savings.substitute_delete",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

type AuditDb = Pick<PrismaClient, "auditLog"> | Prisma.TransactionClient;

function actorColumns(actor: AuditActor): { actorUserId: string | null; actorKeyId: string | null; actorLabel: string } {
  if (actor.kind === "system") return { actorUserId: null, actorKeyId: null, actorLabel: actor.label };
  if (actor.kind === "user") return { actorUserId: actor.userId, actorKeyId: null, actorLabel: actor.email };
  return { actorUserId: null, actorKeyId: actor.keyId, actorLabel: `key ${actor.prefix}…` };
}

/** JSON-safe copy (Dates to ISO strings, Decimals to strings, secrets never passed in). */
function snapshot(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined || value === null) return undefined;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

export async function writeAudit(db: AuditDb, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      ...actorColumns(actor),
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      teamId: entry.teamId ?? null,
      before: snapshot(entry.before),
      after: snapshot(entry.after),
      ip: entry.ip ?? null,
      ...(entry.at ? { at: entry.at } : {}),
    },
  });
}
