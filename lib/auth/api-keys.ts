import type { ApiKeyScope, Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { hashApiKey, mintApiKey } from "@/lib/auth/api-key-format";

export { API_KEY_SCOPES } from "@/lib/auth/permissions";

export interface CreateApiKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  createdById?: string | null;
  teamId?: string | null;
  expiresAt?: Date | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** Shown once; only its keyed hash is stored. */
  secret: string;
}

export async function createApiKey(
  db: Pick<PrismaClient, "apiKey"> | Prisma.TransactionClient,
  input: CreateApiKeyInput,
  hashingSecret: string,
): Promise<CreatedApiKey> {
  const minted = mintApiKey();
  const row = await db.apiKey.create({
    data: {
      name: input.name,
      prefix: minted.prefix,
      secretHash: hashApiKey(minted.secret, hashingSecret),
      last4: minted.last4,
      scopes: [...new Set(input.scopes)],
      createdById: input.createdById ?? null,
      teamId: input.teamId ?? null,
      expiresAt: input.expiresAt ?? null,
    },
  });
  return { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, secret: minted.secret };
}
