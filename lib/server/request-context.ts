import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * What the custom server (scripts/start.ts) stamps on every request before anything
 * answers it: a request id (the caller's X-Request-Id when it is a sane token, else a new
 * UUID), echoed in the response and carried into logs; and the socket's address in
 * X-Burnrate-Client-Ip, overwriting whatever a client sent, so route handlers can trust it
 * (e.g. the metrics allow-list) where X-Forwarded-For could be forged.
 */

export const REQUEST_ID_HEADER = "x-request-id";
export const CLIENT_IP_HEADER = "x-burnrate-client-ip";
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function stampRequest(request: IncomingMessage, response: ServerResponse): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === "string" && SANE_ID.test(incoming) ? incoming : randomUUID();
  request.headers[REQUEST_ID_HEADER] = id;
  request.headers[CLIENT_IP_HEADER] = normalizeAddress(request.socket.remoteAddress);
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** "::ffff:127.0.0.1" (IPv4 on a dual-stack socket) as "127.0.0.1". */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return "";
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
