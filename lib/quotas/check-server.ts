import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "@/lib/http/errors";
import { parseBody } from "@/lib/http/parse";
import { admit, authenticateAuthorization, authenticateAuthorizationFromCache, JSON_HEADERS, toErrorReply, type Reply } from "@/lib/http/with-route";
import { SECURITY_HEADERS } from "@/lib/http/security-headers";
import { quotaCheckSchema } from "@/lib/schemas/quota";
import { checkQuota, checkQuotaFromCache } from "./check";
import { tooLarge as bodyTooLarge } from "@/lib/http/read-body";

/**
 * POST /api/v1/quota/check with an API key, answered by the custom server (scripts/start.ts)
 * before Next.js sees the request. A gateway asks before every model call; the check's own
 * work is ~0.1 ms, but Next's request pipeline costs ~1 ms of CPU per request, which caps one
 * process near 1,000 requests/s and puts the p99 of 200 concurrent checks in seconds
 * (docs/BENCHMARKS.md). Same contract, same steps and order as the route
 * (app/api/v1/quota/check/route.ts, which still serves session-cookie callers): key, then
 * permission and rate limit, then the capped body, zod, and the check; errors map through
 * the same toErrorReply.
 */

export const QUOTA_CHECK_PATH = "/api/v1/quota/check";
export const QUOTA_CHECK_MAX_BODY_BYTES = 16_000;

/** Whether the custom server answers this request itself: a POST to the check that carries an Authorization header. */
export function isKeyedQuotaCheck(request: IncomingMessage): boolean {
  if (request.method !== "POST" || request.headers.authorization === undefined) return false;
  const url = request.url ?? "";
  const query = url.indexOf("?");
  return (query === -1 ? url : url.slice(0, query)) === QUOTA_CHECK_PATH;
}

export async function serveQuotaCheck(request: IncomingMessage, response: ServerResponse): Promise<void> {
  let reply: Reply;
  try {
    // The cached halves first: a busy gateway's check waits on nothing but its own body.
    const authorization = request.headers.authorization ?? "";
    const principal = authenticateAuthorizationFromCache(authorization) ?? (await authenticateAuthorization(authorization));
    admit(principal, "usage:ingest");
    const input = parseBody(quotaCheckSchema, await readJson(request, QUOTA_CHECK_MAX_BODY_BYTES), "The quota check is not valid.");
    const answer = checkQuotaFromCache({ principal }, input) ?? (await checkQuota({ principal }, input));
    reply = { status: 200, headers: {}, body: answer };
  } catch (error) {
    reply = toErrorReply(error, request.headers["x-request-id"] as string | undefined);
  }
  send(response, reply);
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const body = JSON.stringify(reply.body);
  const headers: Record<string, string | number> = { ...SECURITY_HEADERS, ...JSON_HEADERS, ...reply.headers, "content-length": Buffer.byteLength(body) };
  // A refused oversized body is not read to its end: close the connection once answered.
  if (reply.status === 413) headers.connection = "close";
  response.writeHead(reply.status, headers);
  response.end(body);
}

/** The body as JSON: 413 over the cap (declared or streamed), 400 when empty or not JSON. */
function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const tooLarge = () => bodyTooLarge(maxBytes);
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering; the answer closes the connection (send), and what still arrives is discarded.
        request.removeAllListeners("data");
        request.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("error", reject);
    request.on("end", () => {
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
      if (text === "") return reject(new ApiError("invalid_request", "The body is empty; send JSON."));
      try {
        resolve(JSON.parse(text) as unknown);
      } catch {
        reject(new ApiError("invalid_request", "The body is not valid JSON."));
      }
    });
  });
}
