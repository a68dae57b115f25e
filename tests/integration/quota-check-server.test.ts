import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mintApiKey } from "@/lib/auth/api-key-format";
import { isKeyedQuotaCheck, serveQuotaCheck } from "@/lib/quotas/check-server";
import { createTestKey } from "../factories/api-keys";
import { createAllocation, quotaRequest, type QuotaAuth } from "../factories/quotas";
import { POST as checkRoute } from "@/app/api/v1/quota/check/route";
import { createTestKeyFor, createTestTeam, createTestUser, read, type TestTeam } from "../factories/users";

// The limiter reads its settings on first use: a burst small enough to reach in one test.
process.env.BURNRATE_RATE_LIMIT_PER_SECOND = "1";
process.env.BURNRATE_RATE_LIMIT_BURST = "40";

/**
 * The custom server's fast path for POST /api/v1/quota/check (lib/quotas/check-server.ts),
 * served by a real node:http server the way scripts/start.ts wires it: keyed checks are
 * answered by serveQuotaCheck, everything else reaches the fallback (Next in production,
 * a 299 marker here). Each answer is compared with the route handler's for the same request.
 */

const FALLBACK_STATUS = 299;
let server: http.Server;
let baseUrl: string;
let team: TestTeam;
let otherTeam: TestTeam;
let adminKey: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (isKeyedQuotaCheck(request)) return void serveQuotaCheck(request, response);
    request.resume();
    response.writeHead(FALLBACK_STATUS, { "content-type": "text/plain" }).end("fallback");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  team = await createTestTeam();
  otherTeam = await createTestTeam();
  adminKey = await createTestKey(["admin"]);
  await createAllocation({ key: adminKey }, { team: team.slug, unit: "usd", amount: "10" });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body chunked (no content-length). */
  chunked?: boolean;
}

/** One request over a fresh socket: status, headers and the body as text. */
function send(options: Sent): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const url = new URL(options.path ?? "/api/v1/quota/check", baseUrl);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method ?? "POST", headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("error", reject);
    if (options.chunked && options.body !== undefined) {
      const body = Buffer.from(options.body);
      for (let at = 0; at < body.length; at += 4_096) request.write(body.subarray(at, at + 4_096));
      request.end();
    } else {
      request.end(options.body);
    }
  });
}

function keyed(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, "content-type": "application/json", ...extra };
}

/** The same check through the route handler (what a session caller or an in-process test gets). */
async function viaRoute(auth: QuotaAuth, body: unknown) {
  return read(await checkRoute(quotaRequest("/api/v1/quota/check", auth, { method: "POST", body })));
}

describe("which requests the fast path takes", () => {
  it("answers keyed POSTs to the check path (with or without a query) and leaves everything else to Next", async () => {
    const key = await createTestKey(["ingest"]);
    const body = JSON.stringify({ team: team.slug });
    expect((await send({ headers: keyed(key), body })).status).toBe(200);
    expect((await send({ path: "/api/v1/quota/check?source=gateway", headers: keyed(key), body })).status).toBe(200);
    // No Authorization header: a session caller, for Next's route (cookie, Origin check).
    expect((await send({ headers: { "content-type": "application/json", cookie: "x=1" }, body })).status).toBe(FALLBACK_STATUS);
    expect((await send({ method: "GET", headers: keyed(key) })).status).toBe(FALLBACK_STATUS);
    expect((await send({ path: "/api/v1/quota/checks", headers: keyed(key), body })).status).toBe(FALLBACK_STATUS);
    expect((await send({ path: "/api/v1/quota/check/extra", headers: keyed(key), body })).status).toBe(FALLBACK_STATUS);
    expect((await send({ path: "/api/v1/events", headers: keyed(key), body })).status).toBe(FALLBACK_STATUS);
  });
});

describe("answers exactly as the route does", () => {
  it("a check within the allocation: 200 with the contract's body and no-store JSON headers", async () => {
    const key = await createTestKey(["ingest"]);
    const input = { team: team.slug, model: "gpt-4o-mini", estimated_cost_usd: "2.50", estimated_tokens: 1200 };
    const fast = await send({ headers: keyed(key), body: JSON.stringify(input) });
    expect(fast.status).toBe(200);
    expect(fast.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(fast.headers["cache-control"]).toBe("no-store");
    // The security headers Next.js adds to its responses (next.config.ts).
    expect(fast.headers["x-content-type-options"]).toBe("nosniff");
    expect(fast.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(Number(fast.headers["content-length"])).toBe(Buffer.byteLength(fast.text));
    const answer = JSON.parse(fast.text) as Record<string, unknown>;
    expect(answer).toMatchObject({ allowed: true, unit: "usd", reason: "within limit", burst: null, model: null });
    expect(Number(answer.limit)).toBe(10);
    expect(Number(answer.used)).toBe(0);
    expect(answer).toEqual((await viaRoute({ key }, input)).body);
  });

  it("carries the answering allocation's per-minute limits for the gateway to enforce", async () => {
    const limited = await createTestTeam();
    await createAllocation({ key: adminKey }, { team: limited.slug, unit: "tokens", amount: 1_000_000, requests_per_minute: 120, tokens_per_minute: 90_000 });
    const key = await createTestKey(["ingest"]);
    const fast = await send({ headers: keyed(key), body: JSON.stringify({ team: limited.slug, estimated_tokens: 500 }) });
    expect(JSON.parse(fast.text)).toMatchObject({ allowed: true, unit: "tokens", limit: "1000000", requests_per_minute: 120, tokens_per_minute: 90_000 });
  });

  it("an estimate past the allocation: 200 with allowed false", async () => {
    const key = await createTestKey(["ingest"]);
    const fast = await send({ headers: keyed(key), body: JSON.stringify({ team: team.slug, estimated_cost_usd: "10.01" }) });
    expect(fast.status).toBe(200);
    expect(JSON.parse(fast.text)).toMatchObject({ allowed: false, reason: "estimate exceeds remaining" });
  });

  it.each([
    ["an unknown key", () => mintApiKey().secret, 401, "unauthorized"],
    ["a malformed Authorization header", () => "", 401, "unauthorized"],
  ])("%s: 401 with WWW-Authenticate", async (_label, secret, status, code) => {
    const headers = secret() === "" ? { authorization: "Basic abc", "content-type": "application/json" } : keyed(secret());
    const fast = await send({ headers, body: JSON.stringify({ team: team.slug }) });
    expect(fast.status).toBe(status);
    expect(fast.headers["www-authenticate"]).toBe('Bearer realm="burnrate"');
    expect(JSON.parse(fast.text)).toMatchObject({ error: { code } });
  });

  it("a key without the ingest scope: 403, as through the route", async () => {
    const key = await createTestKey(["read"]);
    const fast = await send({ headers: keyed(key), body: JSON.stringify({ team: team.slug }) });
    const route = await viaRoute({ key }, { team: team.slug });
    expect(fast.status).toBe(403);
    expect(route.status).toBe(403);
    expect(JSON.parse(fast.text)).toEqual(route.body);
  });

  it("a key bound to one team checking another: 403; its own team: 200", async () => {
    const bound = await createTestKeyFor({ scopes: ["ingest"], teamId: team.id });
    const refused = await send({ headers: keyed(bound.secret), body: JSON.stringify({ team: otherTeam.slug }) });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: "forbidden", message: "This API key is bound to another team." } });
    expect((await send({ headers: keyed(bound.secret), body: JSON.stringify({ team: team.slug }) })).status).toBe(200);
  });

  it("a body that is not JSON, an empty body: 400", async () => {
    const key = await createTestKey(["ingest"]);
    const broken = await send({ headers: keyed(key), body: "{team:" });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text)).toMatchObject({ error: { code: "invalid_request", message: "The body is not valid JSON." } });
    const empty = await send({ headers: keyed(key), body: "" });
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.text)).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("fields that break the schema: 400 naming each field, the same details as the route", async () => {
    const key = await createTestKey(["ingest"]);
    const input = { team: "", estimated_tokens: -5, estimated_cost_usd: "a lot", is_admin: true };
    const fast = await send({ headers: keyed(key), body: JSON.stringify(input) });
    expect(fast.status).toBe(400);
    const body = JSON.parse(fast.text) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path).sort()).toEqual(["estimated_cost_usd", "estimated_tokens", "is_admin", "team"]);
    expect(body).toEqual((await viaRoute({ key }, input)).body);
  });

  it("a body over 16,000 bytes: 413, whether declared or streamed without a length", async () => {
    const key = await createTestKey(["ingest"]);
    const big = JSON.stringify({ team: team.slug, model: "m".repeat(20_000) });
    const declared = await send({ headers: keyed(key), body: big });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text)).toMatchObject({ error: { code: "payload_too_large" } });
    const streamed = await send({ headers: keyed(key, { "transfer-encoding": "chunked" }), body: big, chunked: true });
    expect(streamed.status).toBe(413);
    expect(streamed.headers.connection).toBe("close");
    // The server is still healthy after discarding the rest of a refused body.
    expect((await send({ headers: keyed(key), body: JSON.stringify({ team: team.slug }) })).status).toBe(200);
  });

  it("past the per-key rate limit: 429 with Retry-After, and the key's bucket is the one the routes use", async () => {
    const key = await createTestKey(["ingest"]);
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    // The route handler and the fast path drain one bucket: 20 through each.
    for (let i = 0; i < 20; i++) statuses.push((await viaRoute({ key }, { team: team.slug })).status);
    for (let i = 0; i < 22; i++) {
      const answer = await send({ headers: keyed(key), body: JSON.stringify({ team: team.slug }) });
      statuses.push(answer.status);
      if (answer.status === 429) {
        retryAfter = answer.headers["retry-after"];
        expect(JSON.parse(answer.text)).toMatchObject({ error: { code: "rate_limited" } });
      }
    }
    expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(40)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("a session cookie is not accepted by the fast path: with a cookie and no key it is Next's route that answers", async () => {
    const admin = await createTestUser({ role: "admin" });
    const fast = await send({ headers: { "content-type": "application/json", cookie: admin.cookie }, body: JSON.stringify({ team: team.slug }) });
    expect(fast.status).toBe(FALLBACK_STATUS);
    expect((await viaRoute({ cookie: admin.cookie }, { team: team.slug })).status).toBe(200);
  });
});
