import { randomUUID } from "node:crypto";
import { decode, encode } from "next-auth/jwt";
import type { JWT } from "next-auth/jwt";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as revokeMySessions } from "@/app/api/v1/users/me/sessions/revoke/route";
import { PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { GET as getTeams } from "@/app/api/v1/teams/route";
import { authOptions } from "@/lib/auth/auth-options";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { encodeSessionToken, parseCookies, sessionCookieName } from "@/lib/auth/session-cookie";
import {
  REVOCATION_CACHE_MS,
  REVOKED_SESSION_TTL_MS,
  isSessionRevoked,
  principalFromCookies,
  revokeSession,
} from "@/lib/auth/user-principal";
import { prisma } from "@/lib/db";
import { getSecret } from "@/lib/secrets";
import { apiRequest } from "../factories/api-keys";
import { createTestKeyFor, createTestUser, read, routeParams, sessionRequest, type TestUser } from "../factories/users";

/**
 * Sessions end when they should (contract: "Signing out, a password change, a role change
 * or disabling a user ends that user's existing sessions"): a cookie copied before any of
 * these is refused afterwards (401 on the API, no principal for pages), while the cookies
 * of other users keep working. And the sign-in callback cannot send anyone off-site.
 */

const options = authOptions();

async function cookieFor(userId: string): Promise<string> {
  return `${sessionCookieName()}=${await encodeSessionToken(userId)}`;
}

async function tokenOf(cookie: string): Promise<JWT> {
  const value = parseCookies(cookie).get(sessionCookieName());
  const token = await decode({ token: value ?? "", secret: getSecret("session") });
  if (!token) throw new Error("not a session cookie");
  return token;
}

/** GET /api/v1/teams (every role may): 200 while the session counts, 401 once it does not. */
async function statusWith(cookie: string): Promise<number> {
  return (await getTeams(sessionRequest("/api/v1/teams", { cookie }))).status;
}

/** Both ways a session is read: the API (401) and pages (no principal → redirect to sign-in). */
async function expectEnded(cookie: string): Promise<void> {
  expect(await statusWith(cookie)).toBe(401);
  expect(await principalFromCookies(cookie)).toBeNull();
}

async function expectLive(cookie: string): Promise<void> {
  expect(await statusWith(cookie)).toBe(200);
  expect(await principalFromCookies(cookie)).not.toBeNull();
}

/** next-auth's sign-out, as its /api/auth/signout route runs it: the event gets the decoded cookie. */
async function signOut(cookie: string): Promise<void> {
  await options.events?.signOut?.({ token: await tokenOf(cookie), session: undefined as never });
}

/** next-auth re-issuing the cookie (GET /api/auth/session): the jwt callback without a user. */
async function refresh(cookie: string): Promise<JWT> {
  const jwt = options.callbacks?.jwt;
  if (!jwt) throw new Error("no jwt callback");
  return jwt({ token: await tokenOf(cookie), user: undefined as never, account: null });
}

function patchAs(admin: TestUser, userId: string, body: unknown) {
  return patchUser(sessionRequest(`/api/v1/users/${userId}`, { cookie: admin.cookie, method: "PATCH", body }), routeParams({ id: userId }));
}

let admin: TestUser;
let bystander: TestUser;

beforeAll(async () => {
  admin = await createTestUser({ role: "admin" });
  bystander = await createTestUser({ role: "viewer" });
});

describe("a session cookie", () => {
  it("carries its own session id and the user's session version, and works", async () => {
    const user = await createTestUser({ role: "viewer" });
    const token = await tokenOf(user.cookie);
    expect(token).toMatchObject({ sub: user.id, sv: 0 });
    expect(typeof token.sid).toBe("string");
    await expectLive(user.cookie);
  });

  it("without a session id or version (issued before sessions had ids) is no session", async () => {
    const user = await createTestUser({ role: "viewer" });
    const secret = getSecret("session");
    for (const token of [{ sub: user.id }, { sub: user.id, sid: randomUUID() }, { sub: user.id, sv: 0 }, { sub: user.id, sid: randomUUID(), sv: "0" }]) {
      await expectEnded(`${sessionCookieName()}=${await encode({ token, secret, maxAge: 3600 })}`);
    }
  });
});

describe("signing out", () => {
  it("ends that session on the server: a copy of its cookie is refused, the user's other sessions and other users go on", async () => {
    const user = await createTestUser({ role: "viewer" });
    const copied = user.cookie;
    const otherSession = await cookieFor(user.id);
    const sid = (await tokenOf(copied)).sid as string;
    await expectLive(copied);

    await signOut(copied);

    await expectEnded(copied);
    await expectLive(otherSession);
    await expectLive(bystander.cookie);
    const row = await prisma.revokedSession.findUniqueOrThrow({ where: { jti: sid } });
    expect(Math.abs(row.expiresAt.getTime() - (Date.now() + REVOKED_SESSION_TTL_MS))).toBeLessThan(60_000);
  });

  it("records the sign-out in the audit log when the token names the user", async () => {
    const user = await createTestUser({ role: "viewer" });
    const token = { ...(await tokenOf(user.cookie)), email: user.email };
    await options.events?.signOut?.({ token, session: undefined as never });
    await expectEnded(user.cookie);
    expect(await prisma.auditLog.count({ where: { action: "auth.sign_out", targetId: user.id, actorLabel: user.email } })).toBe(1);
  });

  it("is not undone by next-auth re-issuing the cookie: the refresh is refused", async () => {
    const user = await createTestUser({ role: "viewer" });
    const live = await cookieFor(user.id);
    await expect(refresh(live)).resolves.toMatchObject({ sub: user.id });
    await signOut(user.cookie);
    await expect(refresh(user.cookie)).rejects.toThrow("SessionEnded");
    await expect(refresh(live)).resolves.toMatchObject({ sub: user.id });
  });

  it("prunes revoked ids whose cookies have all expired", async () => {
    const stale = `stale-${randomUUID()}`;
    await prisma.revokedSession.create({ data: { jti: stale, expiresAt: new Date(Date.now() - 1000) } });
    await revokeSession(randomUUID());
    expect(await prisma.revokedSession.findUnique({ where: { jti: stale } })).toBeNull();
  });

  it("reaches other processes within the cache time (a revocation written elsewhere)", async () => {
    const sid = randomUUID();
    const now = Date.now();
    expect(await isSessionRevoked(sid, now)).toBe(false);
    await prisma.revokedSession.create({ data: { jti: sid, expiresAt: new Date(now + REVOKED_SESSION_TTL_MS) } });
    // This process remembered "not revoked" a moment ago, and asks the table again after REVOCATION_CACHE_MS.
    expect(await isSessionRevoked(sid, now + 1)).toBe(false);
    expect(await isSessionRevoked(sid, now + REVOCATION_CACHE_MS)).toBe(true);
    expect(REVOCATION_CACHE_MS).toBeLessThanOrEqual(5_000);
  });
});

describe("an admin's change to a user", () => {
  it("a password change ends every session of that user", async () => {
    const user = await createTestUser({ role: "viewer", password: `old-${randomUUID()}` });
    const second = await cookieFor(user.id);
    expect((await patchAs(admin, user.id, { password: `new-${randomUUID()}` })).status).toBe(200);
    await expectEnded(user.cookie);
    await expectEnded(second);
    await expectLive(bystander.cookie);
    await expectLive(admin.cookie);
    await expectLive(await cookieFor(user.id)); // signing in again works
    const entry = await prisma.auditLog.findFirstOrThrow({ where: { action: "user.update", targetId: user.id }, orderBy: { id: "desc" } });
    expect(entry.after).toMatchObject({ password: "changed", sessions: "ended" });
  });

  it("a role change ends them; a rename, or the same role again, does not", async () => {
    const user = await createTestUser({ role: "viewer" });
    expect((await patchAs(admin, user.id, { name: "Renamed" })).status).toBe(200);
    expect((await patchAs(admin, user.id, { role: "viewer" })).status).toBe(200);
    await expectLive(user.cookie);
    expect((await patchAs(admin, user.id, { role: "finance" })).status).toBe(200);
    await expectEnded(user.cookie);
    await expectLive(bystander.cookie);
    await expectLive(await cookieFor(user.id));
  });

  it("disabling ends them, and enabling again does not bring them back", async () => {
    const user = await createTestUser({ role: "viewer" });
    expect((await patchAs(admin, user.id, { disabled: true })).status).toBe(200);
    await expectEnded(user.cookie);
    await expectEnded(await cookieFor(user.id)); // disabled: no new session either
    expect((await patchAs(admin, user.id, { disabled: false })).status).toBe(200);
    await expectEnded(user.cookie);
    await expectLive(await cookieFor(user.id));
    await expectLive(bystander.cookie);
  });

  it("a refused change ends nothing", async () => {
    const self = await createTestUser({ role: "finance" });
    // Not an admin: 403, nothing changed, the caller's and the target's sessions go on.
    const refused = await patchUser(
      sessionRequest(`/api/v1/users/${bystander.id}`, { cookie: self.cookie, method: "PATCH", body: { role: "admin" } }),
      routeParams({ id: bystander.id }),
    );
    expect(refused.status).toBe(403);
    await expectLive(bystander.cookie);
    await expectLive(self.cookie);
  });
});

describe("sign out everywhere (POST /api/v1/users/me/sessions/revoke)", () => {
  const revoke = (cookie: string, origin?: string | null) =>
    revokeMySessions(sessionRequest("/api/v1/users/me/sessions/revoke", { cookie, method: "POST", origin }));

  it("ends every session of the caller, this one included, clears the cookie, and leaves other users alone", async () => {
    const user = await createTestUser({ role: "team_lead" });
    const laptop = await cookieFor(user.id);
    const phone = await cookieFor(user.id);
    const response = await revoke(laptop);
    expect(await read(response)).toEqual({ status: 200, body: { sessions_ended: true } });
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`^${sessionCookieName()}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`));
    await expectEnded(laptop);
    await expectEnded(phone);
    await expectEnded(user.cookie);
    await expectLive(bystander.cookie);
    await expectLive(admin.cookie);
    expect(await prisma.auditLog.count({ where: { action: "auth.sign_out_everywhere", targetId: user.id, actorUserId: user.id } })).toBe(1);
    expect((await revoke(laptop)).status).toBe(401); // the ended session cannot do it again
    await expectLive(await cookieFor(user.id)); // signing in again starts afresh
  });

  it("refuses a cross-site request (403) and an anonymous one (401), ending nothing", async () => {
    const user = await createTestUser({ role: "viewer" });
    expect((await revoke(user.cookie, "https://evil.example")).status).toBe(403);
    expect((await revokeMySessions(new Request("http://localhost/api/v1/users/me/sessions/revoke", { method: "POST", headers: { origin: "http://localhost" } }))).status).toBe(401);
    await expectLive(user.cookie);
  });

  it("refuses an API key (403): a key has no sessions", async () => {
    const key = await createTestKeyFor({ scopes: ["admin"] });
    const response = await revokeMySessions(apiRequest("/api/v1/users/me/sessions/revoke", { key: key.secret }));
    expect(response.status).toBe(403);
  });
});

describe("the sign-in callback (the sign-in page and next-auth's redirect callback)", () => {
  const site = "http://localhost:3000";
  // What the sign-in page receives for ?callbackUrl=<query>, and what it redirects to.
  const pageTarget = (query: string) => {
    const value = new URL(`${site}/sign-in?callbackUrl=${query}`).searchParams.get("callbackUrl");
    return safeCallbackPath(value, [site, "http://localhost:3000"]);
  };
  const redirectCallback = (url: string) => {
    const redirect = options.callbacks?.redirect;
    if (!redirect) throw new Error("no redirect callback");
    return redirect({ url, baseUrl: site });
  };

  it.each([
    "/%5Cevil.example/x",
    "/%09/evil.example/x",
    "%2F%5Cevil.example",
    "/%255Cevil.example/x",
    "/%2509/evil.example/x",
    "/%0d%0a/evil.example",
    "//evil.example",
    "%2F%2Fevil.example",
    "https://evil.example/",
    "https%3A%2F%2Fevil.example",
    "http://localhost:3000.evil.example/",
    "http://localhost:3000@evil.example/",
    "javascript:alert(1)",
    "javascript%3Aalert(document.cookie)",
    "/.//evil.example",
    `/${"a".repeat(5000)}`,
  ])("?callbackUrl=%s goes to /", async (query) => {
    expect(pageTarget(query)).toBe("/");
    const value = new URL(`${site}/sign-in?callbackUrl=${query}`).searchParams.get("callbackUrl") ?? "";
    expect(await redirectCallback(value)).toBe(`${site}/`);
  });

  it("keeps a page of this site, also given as an absolute URL", async () => {
    expect(pageTarget("%2Fshowback%3Fteam%3Dsupport")).toBe("/showback?team=support");
    expect(pageTarget(encodeURIComponent("http://localhost:3000/budgets?m=11#x"))).toBe("/budgets?m=11#x");
    expect(await redirectCallback("/sign-in")).toBe(`${site}/sign-in`);
    expect(await redirectCallback("http://localhost:3000/quotas?x=1")).toBe(`${site}/quotas?x=1`);
  });
});
