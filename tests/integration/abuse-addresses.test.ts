import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POST as createTeamRoute } from "@/app/api/v1/teams/route";
import { GET as listTeamsRoute } from "@/app/api/v1/teams/route";
import { authOptions } from "@/lib/auth/auth-options";
import { FailureCounter, lockoutAddressKey, MAX_FAILURES, signInWithPassword } from "@/lib/auth/sign-in";
import { prisma } from "@/lib/db";
import { CLIENT_IP_HEADER } from "@/lib/http/client-address";
import { SIGN_IN_THROTTLE_KEY, signInThrottle } from "@/lib/http/rate-limit";
import { type AllowRule, parseAllowList } from "@/lib/ops/allow-list";
import { BACKUP_DIR_MODE, BACKUP_FILE_MODE, backupDatabase } from "@/lib/ops/backup";
import { restoreDatabase } from "@/lib/ops/restore";
import { stampRequest } from "@/lib/server/request-context";
import { proxy } from "@/proxy";
import { createTestKey } from "../factories/api-keys";
import { createTestUser, uniqueEmail, uniqueSlug } from "../factories/users";
import { createDatabase, databaseUrl, dropDatabase } from "../setup/test-database";

/**
 * Issue 13, items 3 and 10: a client cannot choose its address (lockouts, audit log), a
 * flood of sign-ins cannot take the CPU, and backups are private files.
 *
 * A real node:http server stamps each request exactly as scripts/start.ts does
 * (lib/server/request-context.ts), then hands it to the real credentials `authorize`
 * (lib/auth/auth-options.ts) or a real route handler, so the address comes from a real socket.
 */

const password = "a long enough password";
let trusted: AllowRule[] = [];
let baseUrl = "";
let server: http.Server;

type CredentialsAuthorize = (credentials: Record<string, string>, request: { headers: http.IncomingHttpHeaders; method: string; body: unknown; query: Record<string, string> }) => Promise<unknown>;

function credentialsAuthorize(): CredentialsAuthorize {
  const provider = authOptions().providers.find((p) => p.id === "credentials") as unknown as { options: { authorize: CredentialsAuthorize } };
  return provider.options.authorize;
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The stamped node request as the Web Request Next.js would hand a route handler. */
function webRequest(request: http.IncomingMessage, body: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return new Request(`http://localhost${request.url}`, { method: request.method, headers, body: body || undefined });
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    stampRequest(request, response, trusted);
    void (async () => {
      const body = await readBody(request);
      if (request.url === "/sign-in") {
        try {
          const user = await credentialsAuthorize()(JSON.parse(body) as Record<string, string>, {
            headers: request.headers,
            method: "POST",
            body: {},
            query: {},
          });
          response.end(JSON.stringify({ ok: user !== null }));
        } catch (error) {
          response.end(JSON.stringify({ ok: false, error: (error as Error).message }));
        }
        return;
      }
      const answer = await createTeamRoute(webRequest(request, body));
      response.statusCode = answer.status;
      response.end(await answer.text());
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function signIn(email: string, secret: string, headers: Record<string, string> = {}): Promise<{ ok: boolean; error?: string }> {
  const response = await fetch(`${baseUrl}/sign-in`, { method: "POST", headers, body: JSON.stringify({ email, password: secret }) });
  return (await response.json()) as { ok: boolean; error?: string };
}

async function lastAuditIp(action: string, label: string): Promise<string | null | undefined> {
  const row = await prisma.auditLog.findFirst({ where: { action, actorLabel: label }, orderBy: { at: "desc" } });
  return row?.ip;
}

describe("client addresses", () => {
  it("does not let a rotating X-Forwarded-For (or a forged stamp) bypass the per-address lockout", async () => {
    trusted = [];
    const victim = await createTestUser({ role: "viewer", password });
    for (let i = 0; i < MAX_FAILURES; i++) {
      const forged = `198.51.100.${i + 1}`;
      const result = await signIn(uniqueEmail("spray"), "guess", {
        "x-forwarded-for": forged,
        "x-real-ip": forged,
        [CLIENT_IP_HEADER]: forged,
      });
      expect(result.ok).toBe(false);
    }
    // Every attempt came from this socket: the address is locked, whatever the next header says.
    const result = await signIn(victim.email, password, { "x-forwarded-for": "203.0.113.250", [CLIENT_IP_HEADER]: "203.0.113.251" });
    expect(result).toEqual({ ok: false, error: "TooManyAttempts" });
    const rows = await prisma.auditLog.findMany({ where: { action: "auth.sign_in_failed", actorLabel: victim.email } });
    expect(rows.map((row) => row.ip)).toEqual(["127.0.0.1"]);
  });

  it("records the socket's address in the audit log when the peer is not a trusted proxy", async () => {
    trusted = parseAllowList("10.0.0.0/8");
    const key = await createTestKey(["admin"]);
    const slug = uniqueSlug("addr");
    const response = await fetch(`${baseUrl}/api/v1/teams`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-forwarded-for": "6.6.6.6", [CLIENT_IP_HEADER]: "6.6.6.7" },
      body: JSON.stringify({ slug, name: slug }),
    });
    expect(response.status).toBe(201);
    const row = await prisma.auditLog.findFirstOrThrow({ where: { action: "team.create", after: { path: ["slug"], equals: slug } } });
    expect(row.ip).toBe("127.0.0.1");
  });

  it("takes the first untrusted hop, right to left, behind a trusted proxy", async () => {
    trusted = parseAllowList("127.0.0.0/8, 192.168.0.0/16");
    const user = await createTestUser({ role: "viewer", password });
    // "6.6.6.6" is whatever the client wrote; 203.0.113.77 is what the first trusted proxy saw.
    const result = await signIn(user.email, password, { "x-forwarded-for": "6.6.6.6, 203.0.113.77, 192.168.4.4" });
    expect(result).toEqual({ ok: true });
    expect(await lastAuditIp("auth.sign_in", user.email)).toBe("203.0.113.77");

    const key = await createTestKey(["admin"]);
    const slug = uniqueSlug("proxied");
    const response = await fetch(`${baseUrl}/api/v1/teams`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-forwarded-for": "2001:DB8:0:0::9, 192.168.4.4" },
      body: JSON.stringify({ slug, name: slug }),
    });
    expect(response.status).toBe(201);
    const row = await prisma.auditLog.findFirstOrThrow({ where: { action: "team.create", after: { path: ["slug"], equals: slug } } });
    expect(row.ip).toBe("2001:db8::9");
  });

  it("behind a trusted proxy, locks the real client and not everyone behind the proxy", async () => {
    trusted = parseAllowList("127.0.0.1");
    const user = await createTestUser({ role: "viewer", password });
    for (let i = 0; i < MAX_FAILURES; i++) {
      await signIn(uniqueEmail("spray"), "guess", { "x-forwarded-for": `${4 + i}.4.4.4, 198.51.100.200` });
    }
    expect(await signIn(user.email, password, { "x-forwarded-for": "198.51.100.200" })).toEqual({ ok: false, error: "TooManyAttempts" });
    expect(await signIn(user.email, password, { "x-forwarded-for": "198.51.100.201" })).toEqual({ ok: true });
  });

  it("locks an IPv6 client by its /64", async () => {
    expect(lockoutAddressKey("2001:db8:1:2:aaaa::1")).toBe(lockoutAddressKey("2001:db8:1:2:ffff::9"));
    expect(lockoutAddressKey("2001:db8:1:2::1")).not.toBe(lockoutAddressKey("2001:db8:1:3::1"));
    const user = await createTestUser({ role: "viewer", password });
    const counter = new FailureCounter();
    for (let i = 0; i < MAX_FAILURES; i++) {
      await signInWithPassword({ email: uniqueEmail("v6"), password: "guess" }, `2001:db8:5:6::${i + 1}`, counter);
    }
    expect(await signInWithPassword({ email: user.email, password }, "2001:db8:5:6:ffff::1", counter)).toEqual({ ok: false, reason: "locked" });
  });
});

describe("global sign-in limit", () => {
  it("refuses password checks past the burst (429 with Retry-After from the proxy) while other requests go on", async () => {
    const counter = new FailureCounter();
    // Concurrent attempts from many addresses: no per-address lockout applies. Each takes its
    // token (or is refused) synchronously, before its scrypt starts.
    const pending = Promise.all(
      Array.from({ length: 45 }, (_, i) => signInWithPassword({ email: uniqueEmail("flood"), password: "guess" }, `192.0.2.${i + 1}`, counter)),
    );
    expect(signInThrottle().peek(SIGN_IN_THROTTLE_KEY).allowed).toBe(false);

    // The proxy answers the credentials callback itself, before next-auth (and scrypt) runs…
    // (drained again first: on a loaded machine a token may have refilled since the flood began)
    while (signInThrottle().take(SIGN_IN_THROTTLE_KEY).allowed) {
      // take every token that came back
    }
    const refused = proxy(new NextRequest("http://localhost:3000/api/auth/callback/credentials", { method: "POST", body: "email=a&password=b" }));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { code: string }; url: string };
    expect(body.error.code).toBe("rate_limited");
    // …with the `url` next-auth's client reads its error code from.
    expect(new URL(body.url).searchParams.get("error")).toBe("TooManyRequests");

    const attempts = await pending;
    const limited = attempts.filter((result) => !result.ok && result.reason === "rate_limited");
    const checked = attempts.filter((result) => !result.ok && result.reason === "invalid");
    // The burst (20) at most; the rest refused before scrypt, saying when to retry.
    expect(checked.length).toBeLessThanOrEqual(20);
    expect(limited.length).toBeGreaterThanOrEqual(25);
    for (const result of limited) expect(result).toMatchObject({ retryAfter: expect.any(Number) });
    expect(Math.min(...limited.map((result) => ("retryAfter" in result ? result.retryAfter : 0)))).toBeGreaterThanOrEqual(1);

    // Only sign-in is limited: the CSRF token, pages and API calls go on.
    expect(proxy(new NextRequest("http://localhost:3000/api/auth/callback/credentials")).status).toBe(200);
    expect(proxy(new NextRequest("http://localhost:3000/showback")).headers.get("content-security-policy")).toMatch(/'nonce-[^']+'/);
    const key = await createTestKey(["read"]);
    const teams = await listTeamsRoute(new Request("http://localhost/api/v1/teams", { headers: { authorization: `Bearer ${key}` } }));
    expect(teams.status).toBe(200);

    // Once the bucket refills, sign-in works again.
    const user = await createTestUser({ role: "viewer", password });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await signInWithPassword({ email: user.email, password }, "192.0.2.250", counter)).toMatchObject({ ok: true });
  });
});

describe("backups", () => {
  const serverUrl = inject("testServerUrl");
  const workDir = mkdtempSync(path.join(os.tmpdir(), "burnrate-abuse-backup-"));
  let target: string | undefined;

  afterAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    if (target) await dropDatabase(serverUrl, target);
  });

  const mode = (file: string) => statSync(file).mode & 0o777;

  it("writes files 0600 in a 0700 folder (tightened when it exists), and restore leaves them so", async () => {
    const backupDir = path.join(workDir, "backups");
    mkdirSync(backupDir, { mode: 0o755 });
    expect(mode(backupDir)).toBe(0o755);
    const result = await backupDatabase({ databaseUrl: process.env.DATABASE_URL as string, backupDir, format: "burnrate" });
    expect(path.dirname(result.path)).toBe(backupDir);
    expect(mode(result.path)).toBe(BACKUP_FILE_MODE);
    expect(mode(backupDir)).toBe(BACKUP_DIR_MODE);

    // A folder given with --out: created 0700 when missing, never changed when it exists.
    const fresh = await backupDatabase({ databaseUrl: process.env.DATABASE_URL as string, backupDir, out: path.join(workDir, "new", "b.dump"), format: "burnrate" });
    expect(mode(fresh.path)).toBe(0o600);
    expect(mode(path.dirname(fresh.path))).toBe(0o700);
    const shared = path.join(workDir, "shared");
    mkdirSync(shared, { mode: 0o755 });
    const elsewhere = await backupDatabase({ databaseUrl: process.env.DATABASE_URL as string, backupDir, out: path.join(shared, "c.dump"), format: "burnrate" });
    expect(mode(elsewhere.path)).toBe(0o600);
    expect(mode(shared)).toBe(0o755);

    target = await createDatabase(serverUrl, "burnrate_test_abuse");
    await restoreDatabase({ databaseUrl: databaseUrl(serverUrl, target), file: result.path });
    expect(mode(result.path)).toBe(0o600);
    expect(mode(backupDir)).toBe(0o700);
  });
});
