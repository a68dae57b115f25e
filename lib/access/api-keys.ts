import { prisma } from "@/lib/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { clearApiKeyCache } from "@/lib/auth/authenticate-key";
import { canManageKey, keyGrantProblem, type Principal } from "@/lib/auth/permissions";
import { writeAudit } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { CreateKeyInput } from "@/lib/schemas/access";
import { getSecret } from "@/lib/secrets";

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
export async function listKeys(principal: Principal): Promise<KeyView[]> {
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

export async function mintKey(
  principal: Principal,
  input: CreateKeyInput,
  ip: string | null = null,
): Promise<KeyView & { secret: string }> {
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
  // The key and its audit entry commit together.
  const { created, view } = await prisma.$transaction(async (tx) => {
    const created = await createApiKey(
      tx,
      {
        name: input.name,
        scopes: input.scopes,
        teamId: team?.id ?? null,
        createdById: principal.kind === "user" ? principal.userId : null,
        expiresAt: input.expires_at ? new Date(input.expires_at) : null,
      },
      getSecret("apiKeyHash"),
    );
    const row = await tx.apiKey.findUniqueOrThrow({ where: { id: created.id }, select: KEY_SELECT });
    const view = await keyView(row, new Map(team && teamSlug ? [[team.id, teamSlug]] : []));
    await writeAudit(tx, principal, {
      action: "api_key.create",
      targetType: "api_key",
      targetId: row.id,
      teamId: row.teamId,
      after: { name: view.name, display: view.display, scopes: view.scopes, team: view.team, expires_at: view.expires_at },
      ip,
    });
    return { created, view };
  });
  return { ...view, secret: created.secret };
}

export async function revokeKey(principal: Principal, keyId: string, ip: string | null = null): Promise<KeyView> {
  const row = await prisma.apiKey.findUnique({ where: { id: keyId }, select: KEY_SELECT });
  // Someone else's key answers 404, exactly like a missing one.
  if (!row || !canManageKey(principal, row)) throw new ApiError("not_found", "No such API key.");
  if (row.revokedAt) throw new ApiError("conflict", "This key is already revoked.");
  const updated = await prisma.$transaction(async (tx) => {
    const revoked = await tx.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() }, select: KEY_SELECT });
    await writeAudit(tx, principal, {
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: keyId,
      teamId: row.teamId,
      before: { display: `${row.prefix}…${row.last4}`, revoked_at: null },
      after: { display: `${row.prefix}…${row.last4}`, revoked_at: revoked.revokedAt?.toISOString() },
      ip,
    });
    return revoked;
  });
  // This process stops accepting it now; others within their 5-second cache.
  clearApiKeyCache();
  return keyView(updated);
}
