import "server-only";
import { prisma } from "@/lib/db";
import { createApiKey, type CreatedApiKey } from "@/lib/auth/api-keys";
import { clearApiKeyCache } from "@/lib/auth/authenticate-key";
import { canManageKey, keyGrantProblem } from "@/lib/auth/permissions";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { ApiKeyScope, Prisma } from "@/lib/generated/prisma/client";
import type { CreateKeyInput } from "@/lib/schemas/access";
import { getSecret } from "@/lib/secrets";
import { ipOf, type Ctx } from "@/lib/context";

/** API keys as people manage them: minted no wider than their creator, shown once, revocable. */

const KEY_SELECT = {
  id: true,
  name: true,
  prefix: true,
  last4: true,
  scopes: true,
  teamId: true,
  createdById: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
  revokedAt: true,
  createdBy: { select: { email: true } },
} as const satisfies Prisma.ApiKeySelect;

type KeyRow = Prisma.ApiKeyGetPayload<{ select: typeof KEY_SELECT }>;

export interface KeyView {
  id: string;
  name: string;
  /** Only the public prefix and the last 4 characters are ever shown again. */
  display: string;
  scopes: KeyRow["scopes"];
  team: string | null;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

async function keyView(row: KeyRow, teamSlugs?: Map<string, string>): Promise<KeyView> {
  const team = row.teamId
    ? (teamSlugs?.get(row.teamId) ??
      (await prisma.team.findUnique({ where: { id: row.teamId }, select: { slug: true } }))?.slug ??
      null)
    : null;
  return {
    id: row.id,
    name: row.name,
    display: `${row.prefix}…${row.last4}`,
    scopes: row.scopes,
    team,
    created_by: row.createdBy?.email ?? null,
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}

/** Admins see every key; finance and team leads the keys they created. */
export async function listKeys(ctx: Ctx): Promise<KeyView[]> {
  const { principal } = ctx;
  const everyKey = principal.kind === "key" || principal.role === "admin";
  const rows = await prisma.apiKey.findMany({
    where: everyKey ? {} : { createdById: principal.userId },
    select: KEY_SELECT,
    orderBy: { createdAt: "desc" },
  });
  const teams = await prisma.team.findMany({ select: { id: true, slug: true } });
  const slugs = new Map(teams.map((t) => [t.id, t.slug]));
  return Promise.all(rows.map((row) => keyView(row, slugs)));
}

export async function createKey(ctx: Ctx, input: CreateKeyInput): Promise<KeyView & { secret: string }> {
  const { principal } = ctx;
  const ip = ipOf(ctx);
  const teamSlug = input.team ?? null;
  const problem = keyGrantProblem(principal, { scopes: input.scopes, teamSlug });
  if (problem) throw new ApiError("forbidden", problem.message, { details: [problem] });
  const team = teamSlug ? await prisma.team.findUnique({ where: { slug: teamSlug }, select: { id: true } }) : null;
  if (teamSlug && !team) {
    throw new ApiError("invalid_request", "No such team.", { details: [{ path: "team", message: "no such team" }] });
  }
  if (input.expires_at && new Date(input.expires_at) <= new Date()) {
    throw new ApiError("invalid_request", "The expiry is in the past.", {
      details: [{ path: "expires_at", message: "must be in the future" }],
    });
  }
  const { key, view } = await storeKey(
    principal,
    {
      name: input.name,
      scopes: input.scopes,
      team: team && teamSlug ? { id: team.id, slug: teamSlug } : null,
      createdById: principal.kind === "user" ? principal.userId : null,
      expiresAt: input.expires_at ? new Date(input.expires_at) : null,
    },
    ip,
  );
  return { ...view, secret: key.secret };
}

export interface StoreKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  team: { id: string; slug: string } | null;
  createdById: string | null;
  expiresAt: Date | null;
}

/**
 * Mints a key and records it, committed together; no permission check (mintKey does it
 * for people and keys; the CLI runs as the machine's operator). The secret is in `key`.
 */
export async function storeKey(
  actor: AuditActor,
  input: StoreKeyInput,
  ip: string | null = null,
): Promise<{ key: CreatedApiKey; view: KeyView }> {
  return prisma.$transaction(async (tx) => {
    const key = await createApiKey(
      tx,
      { name: input.name, scopes: input.scopes, teamId: input.team?.id ?? null, createdById: input.createdById, expiresAt: input.expiresAt },
      getSecret("apiKeyHash"),
    );
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id: key.id }, select: KEY_SELECT });
    const view = await keyView(row, new Map(input.team ? [[input.team.id, input.team.slug]] : []));
    // Never the secret: only what listing the keys shows.
    await writeAudit(tx, actor, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: row.id,
      teamId: row.teamId,
      after: { name: view.name, display: view.display, scopes: view.scopes, team: view.team, expires_at: view.expires_at },
      ip,
    });
    return { key, view };
  });
}

export async function revokeKey(ctx: Ctx, { id: keyId }: { id: string }): Promise<KeyView> {
  const { principal } = ctx;
  const ip = ipOf(ctx);
  // Someone else's key answers 404, exactly like a missing one.
  return revokeStoredKey(principal, { id: keyId }, (row) => canManageKey(principal, row), ip);
}

/** The CLI's `key revoke PREFIX`: by the key's public prefix, as the machine's operator (no permission check). */
export async function revokeKeyByPrefix(ctx: Ctx<AuditActor>, { prefix }: { prefix: string }): Promise<KeyView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return revokeStoredKey(actor, { prefix }, () => true, ip);
}

/**
 * Revokes a key and records it, committed together. The update is conditional on
 * revoked_at still being null, so two concurrent revokes (two admins, or the CLI and the
 * API) record one revocation and the other is told the key is already revoked.
 */
async function revokeStoredKey(
  actor: AuditActor,
  where: { id: string } | { prefix: string },
  mayManage: (row: KeyRow) => boolean,
  ip: string | null,
): Promise<KeyView> {
  const updated = await prisma.$transaction(async (tx) => {
    const row = await tx.apiKey.findUnique({ where, select: KEY_SELECT });
    if (!row || !mayManage(row)) throw new ApiError("not_found", "No such API key.");
    const revokedAt = new Date();
    const { count } = await tx.apiKey.updateMany({ where: { id: row.id, revokedAt: null }, data: { revokedAt } });
    if (count === 0) throw new ApiError("conflict", "This key is already revoked.");
    const display = `${row.prefix}…${row.last4}`;
    await writeAudit(tx, actor, {
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: row.id,
      teamId: row.teamId,
      before: { name: row.name, display, scopes: row.scopes, revoked_at: null },
      after: { name: row.name, display, scopes: row.scopes, revoked_at: revokedAt.toISOString() },
      ip,
    });
    return { ...row, revokedAt };
  });
  // This process stops accepting it now; others within their 5-second cache.
  clearApiKeyCache();
  return keyView(updated);
}
