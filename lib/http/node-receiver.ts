import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Permission, Principal } from "@/lib/auth/permissions";
import type { BodySource } from "@/lib/http/read-body";
import { SECURITY_HEADERS } from "@/lib/http/security-headers";
import { admit, authenticateAuthorization, authenticateAuthorizationFromCache } from "@/lib/http/with-route";

/**
 * What the custom server's own receivers share (scripts/start.ts answers keyed quota checks and
 * keyed ingestion before Next.js sees them): which requests are theirs, the key and its
 * permission in the routes' order, the body as a stream, and the answer with the security headers.
 */

/** A POST to `path` (with or without a query) carrying an Authorization header. */
export function isKeyedPost(request: IncomingMessage, path: string): boolean {
  if (request.method !== "POST" || request.headers.authorization === undefined) return false;
  const url = request.url ?? "";
  const query = url.indexOf("?");
  return (query === -1 ? url : url.slice(0, query)) === path;
}

/** The key's principal (the cached verdict first), then the permission and the rate limit: before the body is read. */
export async function admitKey(request: IncomingMessage, permission: Permission): Promise<Principal> {
  const authorization = request.headers.authorization ?? "";
  const principal = authenticateAuthorizationFromCache(authorization) ?? (await authenticateAuthorization(authorization));
  admit(principal, permission);
  return principal;
}

/** A header's value when it was sent once. */
export function headerOf(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name];
  return typeof value === "string" ? value : null;
}

/** The request's body for readBody; a refused body stops being read (the answer closes the connection). */
export function bodySourceOf(request: IncomingMessage): BodySource {
  return {
    contentEncoding: headerOf(request, "content-encoding"),
    contentLength: headerOf(request, "content-length"),
    chunks: request,
    cancel: () => {
      request.removeAllListeners("data");
      request.resume();
    },
  };
}

/** Sends an answer with the security headers; a body refused before its end closes the connection. */
export function sendBody(request: IncomingMessage, response: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void {
  if (response.headersSent || response.destroyed) return;
  const out: Record<string, string | number> = { ...SECURITY_HEADERS, ...headers, "content-length": Buffer.byteLength(body) };
  if (!request.readableEnded) out.connection = "close";
  response.writeHead(status, out);
  response.end(body);
}
