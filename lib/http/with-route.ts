import "server-only";
import { randomUUID } from "node:crypto";
import { authenticateApiKey, bearerToken, cachedApiKey } from "@/lib/auth/authenticate-key";
import { can, isInstallationWide, scopesGranting, type Permission, type Principal } from "@/lib/auth/permissions";
import { principalFromCookies } from "@/lib/auth/user-principal";
import { isDatabaseUnavailable } from "@/lib/db/availability";
import { clientAddress } from "@/lib/http/client-address";
import { ApiError, errorBody } from "@/lib/http/errors";
import { readBodyBytes } from "@/lib/http/read-body";
import { isStorableText } from "@/lib/schemas/storable-text";
import { TokenBucketLimiter } from "@/lib/http/rate-limit";
import { isSameOrigin, isUnsafeMethod } from "@/lib/http/same-origin";
import { readEnv } from "@/lib/env";
import { logger } from "@/lib/log";
import { REQUEST_ID_HEADER } from "@/lib/server/request-context";

/**
 * The one wrapper every API route goes through: authenticate (an API key in the
 * Authorization header, else the session cookie) and check the permission before the
 * body is read (contract), refuse cross-site cookie-authenticated writes, rate-limit per
 * principal, read the body with a size cap, and map errors to the contract's body —
 * ApiError to its status, an unreachable database to 503 with Retry-After, anything else
 * to a 500 that names a log reference and nothing more.
 */
export interface RouteContext {
  request: Request;
  principal: Principal;
  /** Dynamic route segments ([id]) as strings. */
  params: Record<string, string>;
  /** The body parsed as JSON; 413 over the cap, 400 when it is not JSON. gzip/deflate bodies are inflated. */
  json: () => Promise<unknown>;
  /** The body as bytes (inflated), for routes that decode it themselves; `onChunk` streams it instead. */
  bytes: (options?: { onChunk?: (chunk: Buffer) => void }) => Promise<Buffer>;
  /** The client address, for the audit log. */
  ip: string | null;
}

export interface RouteOptions {
  permission: Permission;
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 5_000_000;
const DATABASE_RETRY_AFTER_SECONDS = 5;

// One limiter per process, on globalThis: the route bundles and the custom server's quota
// check fast path (lib/quotas/check-server.ts) load their own copies of this module.
const globalForLimiter = globalThis as unknown as { burnrateRateLimiter?: TokenBucketLimiter };
function rateLimiter(): TokenBucketLimiter {
  if (!globalForLimiter.burnrateRateLimiter) {
    const env = readEnv();
    globalForLimiter.burnrateRateLimiter = new TokenBucketLimiter(env.BURNRATE_RATE_LIMIT_PER_SECOND, env.BURNRATE_RATE_LIMIT_BURST);
  }
  return globalForLimiter.burnrateRateLimiter;
}

export const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } as const;

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

/** An answer as status, headers and body: what both the Web Response and a node:http reply are built from. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function errorReply(error: ApiError): Reply {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
  if (error.code === "unauthorized") headers["www-authenticate"] = 'Bearer realm="burnrate"';
  return { status: error.status, headers, body: errorBody(error) };
}

export function errorResponse(error: ApiError): Response {
  const reply = errorReply(error);
  return jsonResponse(reply.body, reply.status, reply.headers);
}

const UNKNOWN_KEY = "The API key is unknown, revoked or expired.";

/** The principal of an Authorization header's API key; 401 for anything else. */
export async function authenticateAuthorization(authorization: string): Promise<Principal> {
  const token = bearerToken(authorization);
  const principal = token ? await authenticateApiKey(token) : null;
  if (!principal) throw new ApiError("unauthorized", UNKNOWN_KEY);
  return principal;
}

/** authenticateAuthorization answered without a promise when the verdict is cached; undefined when it needs the database. */
export function authenticateAuthorizationFromCache(authorization: string): Principal | undefined {
  const token = bearerToken(authorization);
  const principal = token ? cachedApiKey(token) : null;
  if (principal === null) throw new ApiError("unauthorized", UNKNOWN_KEY);
  return principal;
}

/** Who is calling: the API key when one is sent (a bad key is never rescued by a cookie), else the session. */
export async function authenticateRequest(request: Request): Promise<Principal> {
  const authorization = request.headers.get("authorization");
  if (authorization !== null) return authenticateAuthorization(authorization);
  const user = await principalFromCookies(request.headers.get("cookie"));
  if (!user) throw new ApiError("unauthorized", "Sign in, or send an API key: Authorization: Bearer <key>.");
  if (isUnsafeMethod(request.method) && !isSameOrigin(request)) {
    throw new ApiError("forbidden", "Cross-site request refused: the Origin header does not match this site.");
  }
  return user;
}

export function assertPermission(principal: Principal, permission: Permission): void {
  if (can(principal, permission)) return;
  if (principal.kind === "user") throw new ApiError("forbidden", `Your role (${principal.role}) may not do this.`);
  const scope = scopesGranting(permission).find((s) => s !== "admin") ?? "admin";
  throw new ApiError(
    "forbidden",
    principal.team && (principal.scopes.includes("admin") || isInstallationWide(permission))
      ? "A key bound to one team cannot do this."
      : `This API key lacks the "${scope}" scope.`,
  );
}

/** The permission check and the per-principal rate limit, after authentication and before the body is read. */
export function admit(principal: Principal, permission: Permission): void {
  assertPermission(principal, permission);
  const decision = rateLimiter().take(principal.kind === "key" ? principal.keyId : principal.userId);
  if (!decision.allowed) {
    throw new ApiError("rate_limited", "Too many requests; retry later.", { retryAfter: decision.retryAfter });
  }
}

type NextRouteContext = { params?: Promise<Record<string, string | string[]>> };

export function withRoute(options: RouteOptions, handler: (context: RouteContext) => Promise<Response>) {
  return async (request: Request, next?: NextRouteContext): Promise<Response> => {
    try {
      const principal = await authenticateRequest(request);
      admit(principal, options.permission);
      const rawParams = (await next?.params) ?? {};
      const params = Object.fromEntries(
        Object.entries(rawParams).map(([name, value]) => [name, Array.isArray(value) ? value.join("/") : value]),
      );
      assertStorableParams(params);
      const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      return await handler({
        request,
        principal,
        params,
        ip: clientIp(request),
        json: () => readJsonBody(request, maxBytes),
        bytes: (body = {}) => readBodyBytes(request, { maxBytes, onChunk: body.onChunk }),
      });
    } catch (error) {
      return toErrorResponse(error, request.headers.get(REQUEST_ID_HEADER));
    }
  };
}

/** Path segments reach queries too: a NUL or lone surrogate in one is a 400, not a database error. */
function assertStorableParams(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (!isStorableText(value)) {
      throw new ApiError("invalid_request", `The path segment ${name} is not valid.`, {
        details: [{ path: name, message: "must be storable text (no NUL character, no lone surrogate)" }],
      });
    }
  }
}

/** The team a team-bound API key is held to (null for users and installation-wide keys). */
export function boundTeamOf(principal: Principal): string | null {
  return principal.kind === "key" ? (principal.team?.slug ?? null) : null;
}

/** The client address (lib/http/client-address.ts): the custom server's stamp, never a client-sent header. */
export function clientIp(request: Request): string | null {
  return clientAddress(request);
}

/** Any error as the contract's answer: ApiError to its status, an unreachable database to 503, the rest to a logged 500. */
export function toErrorReply(error: unknown, requestId?: string | null): Reply {
  if (error instanceof ApiError) return errorReply(error);
  if (isDatabaseUnavailable(error)) {
    return errorReply(
      new ApiError("unavailable", "The database is unreachable; nothing was stored. Retry later.", {
        retryAfter: DATABASE_RETRY_AFTER_SECONDS,
      }),
    );
  }
  const reference = randomUUID();
  logger().error({ err: error, reference, req_id: requestId ?? undefined }, "unhandled error");
  return { status: 500, headers: {}, body: { error: { code: "internal", message: `Internal error (reference ${reference}).`, details: [] } } };
}

export function toErrorResponse(error: unknown, requestId?: string | null): Response {
  const reply = toErrorReply(error, requestId);
  return jsonResponse(reply.body, reply.status, reply.headers);
}

export async function readJsonBody(request: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  if (!request.body) throw new ApiError("invalid_request", "The body is empty; send JSON.");
  return jsonFromBytes(await readBodyBytes(request, { maxBytes }));
}

/** A body's bytes as JSON; 400 when they are not. */
export function jsonFromBytes(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new ApiError("invalid_request", "The body is empty; send JSON.");
  try {
    return JSON.parse(bytes.toString("utf8")) as unknown;
  } catch {
    throw new ApiError("invalid_request", "The body is not valid JSON.");
  }
}
