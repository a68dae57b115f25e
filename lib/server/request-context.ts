import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_IP_HEADER, resolveClientAddress } from "@/lib/http/client-address";
import { readEnv } from "@/lib/env";
import { type AllowRule, allowListOf } from "@/lib/ops/allow-list";

/**
 * What the custom server (scripts/start.ts) stamps on every request before anything
 * answers it: a request id (the caller's X-Request-Id when it is a sane token, else a new
 * UUID), echoed in the response and carried into logs; and the client address in
 * X-Burnrate-Client-Ip, overwriting whatever a client sent, so route handlers can trust it
 * (lib/http/client-address.ts decides it: the socket's peer, or behind a proxy listed in
 * BURNRATE_TRUSTED_PROXIES the first untrusted hop of X-Forwarded-For).
 *
 * X-Forwarded-For itself is rewritten to that one address and X-Real-IP dropped, so no
 * later reader (a library, next-auth, a route) can be handed a forged chain.
 */

export const REQUEST_ID_HEADER = "x-request-id";
export { CLIENT_IP_HEADER };
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// Settings do not change while the process runs; readEnv has already refused a bad list at start.
let trustedProxies: AllowRule[] | undefined;
function configuredTrustedProxies(): AllowRule[] {
  trustedProxies ??= allowListOf(readEnv().BURNRATE_TRUSTED_PROXIES, "BURNRATE_TRUSTED_PROXIES");
  return trustedProxies;
}

export function stampRequest(
  request: IncomingMessage,
  response: ServerResponse,
  trusted: readonly AllowRule[] = configuredTrustedProxies(),
): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === "string" && SANE_ID.test(incoming) ? incoming : randomUUID();
  request.headers[REQUEST_ID_HEADER] = id;
  const client = resolveClientAddress(request.socket.remoteAddress, request.headers["x-forwarded-for"], trusted);
  delete request.headers["x-real-ip"];
  if (client) {
    request.headers[CLIENT_IP_HEADER] = client;
    request.headers["x-forwarded-for"] = client;
  } else {
    delete request.headers[CLIENT_IP_HEADER];
    delete request.headers["x-forwarded-for"];
  }
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
