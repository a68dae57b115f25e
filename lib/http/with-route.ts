import { randomUUID } from "node:crypto";
import type { ApiKeyScope } from "@/lib/generated/prisma/client";
import { authenticateApiKey, bearerToken, type KeyPrincipal } from "@/lib/auth/authenticate-key";
import { hasScope } from "@/lib/auth/scopes";
import { isDatabaseUnavailable } from "@/lib/db/availability";
import { ApiError, errorBody } from "@/lib/http/errors";
import { TokenBucketLimiter } from "@/lib/http/rate-limit";
import { readEnv } from "@/lib/env";

/**
 * The one wrapper every API route goes through: authenticate and check the scope before
 * the body is read (contract), rate-limit per key, read the body with a size cap, and map
 * errors to the contract's body — ApiError to its status, an unreachable database to 503
 * with Retry-After, anything else to a 500 that names a log reference and nothing more.
 */
export interface RouteContext {
  request: Request;
  principal: KeyPrincipal;
  /** The body parsed as JSON; 413 over the cap, 400 when it is not JSON. */
  json: () => Promise<unknown>;
}

export interface RouteOptions {
  scope: ApiKeyScope;
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 5_000_000;
const DATABASE_RETRY_AFTER_SECONDS = 5;

let limiter: TokenBucketLimiter | undefined;
function rateLimiter(): TokenBucketLimiter {
  if (!limiter) {
    const env = readEnv();
    limiter = new TokenBucketLimiter(env.BURNRATE_RATE_LIMIT_PER_SECOND, env.BURNRATE_RATE_LIMIT_BURST);
  }
  return limiter;
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

export function errorResponse(error: ApiError): Response {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
  if (error.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="burnrate"';
  return jsonResponse(errorBody(error), error.status, headers);
}

export function withRoute(options: RouteOptions, handler: (context: RouteContext) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      const token = bearerToken(request.headers.get("authorization"));
      if (!token) throw new ApiError("unauthorized", "Send an API key: Authorization: Bearer <key>.");
      const principal = await authenticateApiKey(token);
      if (!principal) throw new ApiError("unauthorized", "The API key is unknown, revoked or expired.");
      if (!hasScope(principal.scopes, options.scope)) {
        throw new ApiError("forbidden", `This API key lacks the "${options.scope}" scope.`);
      }
      const decision = rateLimiter().take(principal.keyId);
      if (!decision.allowed) {
        throw new ApiError("rate_limited", "Too many requests for this API key; retry later.", {
          retryAfter: decision.retryAfter,
        });
      }
      const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      return await handler({ request, principal, json: () => readJsonBody(request, maxBytes) });
    } catch (error) {
      return toErrorResponse(error);
    }
  };
}

export function toErrorResponse(error: unknown): Response {
  if (error instanceof ApiError) return errorResponse(error);
  if (isDatabaseUnavailable(error)) {
    return errorResponse(
      new ApiError("unavailable", "The database is unreachable; nothing was stored. Retry later.", {
        retryAfter: DATABASE_RETRY_AFTER_SECONDS,
      }),
    );
  }
  const reference = randomUUID();
  console.error(`[burnrate] unhandled error ${reference}:`, error);
  return jsonResponse(
    { error: { code: "internal", message: `Internal error (reference ${reference}).`, details: [] } },
    500,
  );
}

async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () =>
    new ApiError("payload_too_large", `The body exceeds ${maxBytes.toLocaleString("en-US")} bytes.`);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) throw new ApiError("invalid_request", "The body is empty; send JSON.");

  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid_request", "The body is not valid JSON.");
  }
}
