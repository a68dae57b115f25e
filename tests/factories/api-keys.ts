import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db";
import { createApiKey } from "@/lib/auth/api-keys";
import type { ApiKeyScope } from "@/lib/generated/prisma/client";
import { getSecret } from "@/lib/secrets";

/** A fresh API key with the given scopes; returns the secret for the Authorization header. */
export async function createTestKey(scopes: ApiKeyScope[]): Promise<string> {
  const key = await createApiKey(prisma, { name: `test-${randomUUID()}`, scopes }, getSecret("apiKeyHash"));
  return key.secret;
}

/** A Request for an in-process call of a route handler, as Next would pass it. */
export function apiRequest(
  path: string,
  options: { key?: string; body?: unknown; rawBody?: string | Uint8Array; method?: string; headers?: Record<string, string> } = {},
): Request {
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Request(`http://localhost${path}`, { method: options.method ?? "POST", headers, body: body as BodyInit | undefined });
}
