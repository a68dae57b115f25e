import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/v1/audit/route";
import { POST as revokeKeyRoute } from "@/app/api/v1/keys/[id]/revoke/route";
import { GET as getKeys, POST as postKeys } from "@/app/api/v1/keys/route";
import { GET as getPrices } from "@/app/api/v1/prices/route";
import { DELETE as deleteMember } from "@/app/api/v1/teams/[id]/members/[userId]/route";
import { PUT as putMember } from "@/app/api/v1/teams/[id]/members/route";
import { GET as getTeam, PATCH as patchTeam } from "@/app/api/v1/teams/[id]/route";
import { POST as postTeams } from "@/app/api/v1/teams/route";
import { PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { GET as getUsers, POST as postUsers } from "@/app/api/v1/users/route";
import { prisma } from "@/lib/db";
import { apiRequest } from "../factories/api-keys";
import {
  createTestKeyFor,
  createTestTeam,
  createTestUser,
  detailPaths,
  read,
  routeParams,
  sessionCookieFor,
  sessionRequest,
  uniqueEmail,
  uniqueSlug,
  type ErrorBodyShape,
  type TestUser,
} from "../factories/users";

/**
 * Users, teams, memberships, API keys and the audit log through their routes, as a
 * signed-in admin (and, where it matters, a team lead or an admin API key).
 *
 * `admin` is the only admin user this file's database holds while the tests run: the
 * last-admin rules depend on it, and the tests that add admins take them away again.
 */

interface UserBody {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  has_password: boolean;
  name: string | null;
}
interface TeamBody {
  id: string;
  slug: string;
  name: string;
  discovered: boolean;
  members: { user_id: string; email: string; role: string }[];
}
interface KeyBody {
  id: string;
  display: string;
  scopes: string[];
  team: string | null;
  revoked_at: string | null;
  secret?: string;
}
interface AuditBody {
  entries: { id: string; action: string; actor: string; target_id: string | null; before: unknown; after: unknown }[];
  next_before: string | null;
}

let admin: TestUser;
let adminKey: string;

/** Every password and key secret this file sends, to look for in the audit log. */
const passwordsUsed: string[] = [];
const secretsSeen: string[] = [];

beforeAll(async () => {
  admin = await createTestUser({ role: "admin" });
  adminKey = (await createTestKeyFor({ scopes: ["admin"] })).secret;
});

const get = (user: TestUser, path: string) => sessionRequest(path, { cookie: user.cookie });
const send = (user: TestUser, method: string, path: string, body?: unknown) =>
  sessionRequest(path, { cookie: user.cookie, method, body });

function patchUserAs(user: TestUser, id: string, body: unknown) {
  return patchUser(send(user, "PATCH", `/api/v1/users/${id}`, body), routeParams({ id })).then((r) => read<UserBody & ErrorBodyShape>(r));
}

async function activeAdmins(): Promise<number> {
  return prisma.user.count({ where: { role: "admin", disabledAt: null } });
}

// ------------------------------------------------------------------ users

describe("users", () => {
  it("creates a user (201), normalising the email and never answering the password", async () => {
    const email = uniqueEmail("Created").toUpperCase();
    const password = `pw-${randomUUID()}`;
    passwordsUsed.push(password);
    const { status, body } = await read<UserBody>(
      await postUsers(send(admin, "POST", "/api/v1/users", { email: ` ${email} `, name: "Created User", role: "finance", password })),
    );
    expect(status).toBe(201);
    expect(body).toMatchObject({ email: email.toLowerCase(), name: "Created User", role: "finance", disabled: false, has_password: true });
    expect(JSON.stringify(body)).not.toMatch(/password_hash|passwordHash|scrypt/);
    expect(JSON.stringify(body)).not.toContain(password);

    const list = await read<{ users: UserBody[] }>(await getUsers(get(admin, "/api/v1/users")));
    expect(list.body.users.map((u) => u.email)).toContain(email.toLowerCase());
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt\$/);
  });

  it("creates a user without a password for single sign-on", async () => {
    const { status, body } = await read<UserBody>(
      await postUsers(send(admin, "POST", "/api/v1/users", { email: uniqueEmail("sso"), role: "viewer" })),
    );
    expect(status).toBe(201);
    expect(body.has_password).toBe(false);
  });

  it("answers 409 naming email for an email that exists, whatever its case", async () => {
    const existing = await createTestUser({ role: "viewer" });
    const { status, body } = await read(
      await postUsers(send(admin, "POST", "/api/v1/users", { email: existing.email.toUpperCase(), role: "viewer" })),
    );
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: { code: "conflict" } });
    expect(detailPaths(body)).toEqual(["email"]);
  });

  it("refuses bad fields with 400 naming each", async () => {
    const { status, body } = await read(
      await postUsers(send(admin, "POST", "/api/v1/users", { email: "not-an-email", role: "owner", password: "short" })),
    );
    expect(status).toBe(400);
    expect(detailPaths(body)).toEqual(expect.arrayContaining(["email", "role", "password"]));
  });

  it("refuses an unknown field in PATCH (no mass assignment): 400 naming it, and nothing changes", async () => {
    const target = await createTestUser({ role: "viewer" });
    const { status, body } = await patchUserAs(admin, target.id, { role: "admin", is_admin: true });
    expect(status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.details).toEqual([{ path: "is_admin", message: "is not an allowed field" }]);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: target.id } })).role).toBe("viewer");
  });

  it("refuses an empty PATCH (400) and answers 404 for an unknown or malformed id", async () => {
    const target = await createTestUser({ role: "viewer" });
    expect((await patchUserAs(admin, target.id, {})).status).toBe(400);
    expect((await patchUserAs(admin, randomUUID(), { name: "Nobody" })).status).toBe(404);
    expect((await patchUserAs(admin, "not-a-uuid", { name: "Nobody" })).status).toBe(404);
  });

  it("changes role, name, disabled and password", async () => {
    const target = await createTestUser({ role: "viewer" });
    const changed = await patchUserAs(admin, target.id, { role: "team_lead", name: "Renamed" });
    expect(changed).toMatchObject({ status: 200, body: { role: "team_lead", name: "Renamed", disabled: false } });
    const disabled = await patchUserAs(admin, target.id, { disabled: true });
    expect(disabled).toMatchObject({ status: 200, body: { disabled: true } });
    const enabled = await patchUserAs(admin, target.id, { disabled: false });
    expect(enabled).toMatchObject({ status: 200, body: { disabled: false } });
    const password = `new-pw-${randomUUID()}`;
    passwordsUsed.push(password);
    const withPassword = await patchUserAs(admin, target.id, { password });
    expect(withPassword).toMatchObject({ status: 200, body: { has_password: true } });
  });

  it("ends the user's sessions on a role change; their next session has the new role (roles are read fresh)", async () => {
    const user = await createTestUser({ role: "viewer" });
    expect((await getUsers(get(user, "/api/v1/users"))).status).toBe(403);
    expect((await patchUserAs(admin, user.id, { role: "admin" })).status).toBe(200);
    expect((await getUsers(get(user, "/api/v1/users"))).status).toBe(401);
    const promoted = { ...user, cookie: await sessionCookieFor(user.id) };
    expect((await getUsers(get(promoted, "/api/v1/users"))).status).toBe(200);
    expect((await patchUserAs(admin, user.id, { role: "viewer" })).status).toBe(200);
    expect((await getUsers(get(promoted, "/api/v1/users"))).status).toBe(401);
    const demoted = { ...user, cookie: await sessionCookieFor(user.id) };
    expect((await getUsers(get(demoted, "/api/v1/users"))).status).toBe(403);
  });

  describe("the last active admin", () => {
    it("cannot be demoted or disabled (409), by an admin key or by themselves", async () => {
      expect(await activeAdmins()).toBe(1);
      const demote = await read(
        await patchUser(apiRequest(`/api/v1/users/${admin.id}`, { key: adminKey, method: "PATCH", body: { role: "finance" } }), routeParams({ id: admin.id })),
      );
      expect(demote).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
      expect(detailPaths(demote.body)).toEqual(["role"]);

      const disable = await read(
        await patchUser(apiRequest(`/api/v1/users/${admin.id}`, { key: adminKey, method: "PATCH", body: { disabled: true } }), routeParams({ id: admin.id })),
      );
      expect(disable.status).toBe(409);
      expect(detailPaths(disable.body)).toEqual(["disabled"]);

      const selfDemote = await patchUserAs(admin, admin.id, { role: "viewer" });
      expect(selfDemote.status).toBe(409);

      const row = await prisma.user.findUniqueOrThrow({ where: { id: admin.id } });
      expect(row).toMatchObject({ role: "admin", disabledAt: null });
    });

    it("may disable another admin, after which the one left cannot be demoted", async () => {
      const other = await createTestUser({ role: "admin" });
      expect(await activeAdmins()).toBe(2);
      expect((await patchUserAs(admin, other.id, { disabled: true })).status).toBe(200);
      expect(await activeAdmins()).toBe(1);
      expect((await patchUserAs(admin, admin.id, { role: "viewer" })).status).toBe(409);
    });

    it("lets two admins demoting each other at once leave exactly one admin", async () => {
      const other = await createTestUser({ role: "admin" });
      expect(await activeAdmins()).toBe(2);
      const [a, b] = await Promise.all([
        patchUserAs(admin, other.id, { role: "viewer" }),
        patchUserAs(other, admin.id, { role: "viewer" }),
      ]);
      // The loser is refused: 409, or 401 when the winner's demotion already ended its session.
      const [won, lost] = [a.status, b.status].sort();
      expect(won).toBe(200);
      expect([401, 409]).toContain(lost);
      expect(await activeAdmins()).toBe(1);
      // Put things back: `admin` is this file's one admin.
      await prisma.user.update({ where: { id: admin.id }, data: { role: "admin" } });
      // A demotion ended admin's sessions: sign in again.
      admin.cookie = await sessionCookieFor(admin.id);
      await prisma.user.update({ where: { id: other.id }, data: { role: "viewer", disabledAt: new Date() } });
      expect(await activeAdmins()).toBe(1);
    });
  });

  it("refuses an admin disabling their own account (400) while another admin exists", async () => {
    const other = await createTestUser({ role: "admin" });
    const { status, body } = await patchUserAs(admin, admin.id, { disabled: true });
    expect(status).toBe(400);
    expect(detailPaths(body)).toEqual(["disabled"]);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: admin.id } })).disabledAt).toBeNull();
    await prisma.user.update({ where: { id: other.id }, data: { disabledAt: new Date() } });
  });
});

// ------------------------------------------------------------------ teams

describe("teams and members", () => {
  const teamRoute = (teamId: string) => routeParams({ id: teamId });

  it("creates a team (201) and refuses its slug a second time (409 naming slug)", async () => {
    const slug = uniqueSlug("made");
    const created = await read<TeamBody>(await postTeams(send(admin, "POST", "/api/v1/teams", { slug, name: "Made" })));
    expect(created).toMatchObject({ status: 201, body: { slug, name: "Made", discovered: false, members: [] } });
    const again = await read(await postTeams(send(admin, "POST", "/api/v1/teams", { slug, name: "Again" })));
    expect(again).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect(detailPaths(again.body)).toEqual(["slug"]);
  });

  it("refuses a slug that is not lowercase letters, digits, - or _ (400 naming slug)", async () => {
    const { status, body } = await read(await postTeams(send(admin, "POST", "/api/v1/teams", { slug: "Not A Slug", name: "x" })));
    expect(status).toBe(400);
    expect(detailPaths(body)).toEqual(["slug"]);
  });

  it("renaming a discovered team sets it up (discovered becomes false)", async () => {
    const team = await createTestTeam({ discovered: true });
    const { status, body } = await read<TeamBody>(
      await patchTeam(send(admin, "PATCH", `/api/v1/teams/${team.id}`, { name: "Search Quality" }), teamRoute(team.id)),
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: team.id, slug: team.slug, name: "Search Quality", discovered: false });
    expect(await prisma.team.findUniqueOrThrow({ where: { id: team.id } })).toMatchObject({ name: "Search Quality", discovered: false });
  });

  it("answers 404 renaming a team that does not exist", async () => {
    const id = randomUUID();
    expect((await patchTeam(send(admin, "PATCH", `/api/v1/teams/${id}`, { name: "Ghost" }), teamRoute(id))).status).toBe(404);
  });

  it("adds a member, changes their role, and removes them", async () => {
    const team = await createTestTeam();
    const user = await createTestUser({ role: "viewer" });
    const put = (role: string) => putMember(send(admin, "PUT", `/api/v1/teams/${team.id}/members`, { email: user.email, role }), teamRoute(team.id));

    const added = await read<TeamBody>(await put("member"));
    expect(added.status).toBe(200);
    expect(added.body.members).toEqual([expect.objectContaining({ user_id: user.id, email: user.email, role: "member" })]);

    const promoted = await read<TeamBody>(await put("lead"));
    expect(promoted.status).toBe(200);
    expect(promoted.body.members).toEqual([expect.objectContaining({ user_id: user.id, role: "lead" })]);
    expect(await prisma.teamMembership.count({ where: { teamId: team.id } })).toBe(1);

    const remove = () =>
      deleteMember(send(admin, "DELETE", `/api/v1/teams/${team.id}/members/${user.id}`), routeParams({ id: team.id, userId: user.id }));
    const removed = await read<TeamBody>(await remove());
    expect(removed).toMatchObject({ status: 200, body: { members: [] } });
    expect((await remove()).status).toBe(404);
  });

  it("makes a new lead see the team at once (memberships are read on every request)", async () => {
    const team = await createTestTeam();
    const lead = await createTestUser({ role: "team_lead" });
    expect((await getTeam(get(lead, `/api/v1/teams/${team.id}`), teamRoute(team.id))).status).toBe(404);
    await putMember(send(admin, "PUT", `/api/v1/teams/${team.id}/members`, { email: lead.email, role: "lead" }), teamRoute(team.id));
    expect((await getTeam(get(lead, `/api/v1/teams/${team.id}`), teamRoute(team.id))).status).toBe(200);
  });

  it("answers 400 naming email for an email nobody has, and 404 for a team that does not exist", async () => {
    const team = await createTestTeam();
    const unknown = await read(
      await putMember(send(admin, "PUT", `/api/v1/teams/${team.id}/members`, { email: uniqueEmail("nobody"), role: "member" }), teamRoute(team.id)),
    );
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: "invalid_request" } } });
    expect(detailPaths(unknown.body)).toEqual(["email"]);

    const user = await createTestUser({ role: "viewer" });
    const ghost = randomUUID();
    const missing = await putMember(send(admin, "PUT", `/api/v1/teams/${ghost}/members`, { email: user.email, role: "member" }), teamRoute(ghost));
    expect(missing.status).toBe(404);
  });

  it("refuses a member role other than lead or member (400 naming role)", async () => {
    const team = await createTestTeam();
    const user = await createTestUser({ role: "viewer" });
    const { status, body } = await read(
      await putMember(send(admin, "PUT", `/api/v1/teams/${team.id}/members`, { email: user.email, role: "owner" }), teamRoute(team.id)),
    );
    expect(status).toBe(400);
    expect(detailPaths(body)).toEqual(["role"]);
  });
});

// ------------------------------------------------------------------ keys

describe("API keys", () => {
  async function mint(user: TestUser, body: unknown) {
    const response = await read<KeyBody & ErrorBodyShape>(await postKeys(send(user, "POST", "/api/v1/keys", body)));
    if (response.body.secret) secretsSeen.push(response.body.secret);
    return response;
  }
  const revoke = (user: TestUser, id: string) =>
    revokeKeyRoute(send(user, "POST", `/api/v1/keys/${id}/revoke`), routeParams({ id })).then((r) => read<KeyBody>(r));
  const listAs = (user: TestUser) => getKeys(get(user, "/api/v1/keys")).then((r) => read<{ keys: KeyBody[] }>(r));

  it("shows the secret once, at creation; the list shows only prefix…last4", async () => {
    const created = await mint(admin, { name: "shown once", scopes: ["read", "ingest", "read"] });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^br_[0-9A-Za-z]{38}$/);
    expect(created.body.scopes.sort()).toEqual(["ingest", "read"]);
    expect(created.body.display).toBe(`${secret.slice(0, 11)}…${secret.slice(-4)}`);

    const stored = await prisma.apiKey.findUniqueOrThrow({ where: { id: created.body.id } });
    const list = await listAs(admin);
    expect(list.status).toBe(200);
    const listed = list.body.keys.find((k) => k.id === created.body.id);
    expect(listed).toMatchObject({ display: created.body.display });
    expect(listed).not.toHaveProperty("secret");
    const json = JSON.stringify(list.body);
    expect(json).not.toContain(secret);
    expect(json).not.toContain(stored.secretHash);
    expect(json).not.toMatch(/secret_?hash/i);
  });

  it("stops a revoked key at once: 401 on /api/v1/prices right after the revoke", async () => {
    const created = await mint(admin, { name: "to revoke", scopes: ["read"] });
    const secret = created.body.secret as string;
    const prices = () => getPrices(apiRequest("/api/v1/prices", { key: secret, method: "GET" }));
    // Used once first, so its verdict sits in the verified-key cache.
    expect((await prices()).status).toBe(200);
    const revoked = await revoke(admin, created.body.id);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect(revoked.body).not.toHaveProperty("secret");
    expect((await prices()).status).toBe(401);
  });

  it("answers 409 revoking a key twice, and 404 for a key that does not exist", async () => {
    const created = await mint(admin, { name: "twice", scopes: ["read"] });
    expect((await revoke(admin, created.body.id)).status).toBe(200);
    expect(await revoke(admin, created.body.id)).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect((await revoke(admin, randomUUID())).status).toBe(404);
  });

  it("hides other people's keys from a team lead: not listed, and revoking answers 404", async () => {
    const slug = uniqueSlug("keys");
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug, role: "lead" }] });
    const own = await mint(lead, { name: "lead's own", scopes: ["ingest"], team: slug });
    expect(own.status).toBe(201);
    const foreign = await mint(admin, { name: "admin's", scopes: ["ingest"], team: slug });

    const listed = (await listAs(lead)).body.keys.map((k) => k.id);
    expect(listed).toEqual([own.body.id]);

    const attempt = await revoke(lead, foreign.body.id);
    expect(attempt).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await prisma.apiKey.findUniqueOrThrow({ where: { id: foreign.body.id } })).revokedAt).toBeNull();
    expect((await revoke(lead, own.body.id)).status).toBe(200);
  });

  it("refuses a key for a team that does not exist (400 naming team) and an expiry in the past", async () => {
    const noTeam = await mint(admin, { name: "no team", scopes: ["read"], team: uniqueSlug("ghost") });
    expect(noTeam.status).toBe(400);
    expect(detailPaths(noTeam.body)).toEqual(["team"]);
    const past = await mint(admin, { name: "expired", scopes: ["read"], expires_at: "2020-01-01T00:00:00Z" });
    expect(past.status).toBe(400);
    expect(detailPaths(past.body)).toEqual(["expires_at"]);
  });
});

// ------------------------------------------------------------------ audit log

describe("the audit log", () => {
  let changed: TestUser;
  let teamId: string;
  let keyId: string;
  const password = `audit-pw-${randomUUID()}`;
  const newPassword = `audit-new-pw-${randomUUID()}`;

  const audit = (query = "") => getAudit(get(admin, `/api/v1/audit${query}`)).then((r) => read<AuditBody & ErrorBodyShape>(r));

  beforeAll(async () => {
    passwordsUsed.push(password, newPassword);
    const created = await read<UserBody>(
      await postUsers(send(admin, "POST", "/api/v1/users", { email: uniqueEmail("audited"), role: "viewer", password })),
    );
    expect(created.status).toBe(201);
    changed = { id: created.body.id, email: created.body.email, cookie: "" };
    expect((await patchUserAs(admin, changed.id, { role: "finance" })).status).toBe(200);
    expect((await patchUserAs(admin, changed.id, { password: newPassword })).status).toBe(200);

    const slug = uniqueSlug("audited");
    const team = await read<TeamBody>(await postTeams(send(admin, "POST", "/api/v1/teams", { slug, name: "Audited" })));
    teamId = team.body.id;
    await putMember(send(admin, "PUT", `/api/v1/teams/${teamId}/members`, { email: changed.email, role: "member" }), routeParams({ id: teamId }));

    const key = await read<KeyBody>(await postKeys(send(admin, "POST", "/api/v1/keys", { name: "audited key", scopes: ["ingest"], team: slug })));
    expect(key.status).toBe(201);
    keyId = key.body.id;
    secretsSeen.push(key.body.secret as string);
    expect((await revokeKeyRoute(send(admin, "POST", `/api/v1/keys/${keyId}/revoke`), routeParams({ id: keyId }))).status).toBe(200);
  });

  it("lists who did what, newest first, with the state before and after", async () => {
    const { status, body } = await audit("?limit=500");
    expect(status).toBe(200);
    const ids = body.entries.map((e) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));

    // Two updates of that user: the role change, then (newer) the password change.
    const updates = body.entries.filter((e) => e.action === "user.update" && e.target_id === changed.id);
    expect(updates).toHaveLength(2);
    expect(updates[1]).toMatchObject({ actor: admin.email, before: { role: "viewer" }, after: { role: "finance", email: changed.email } });
    expect(updates[0]).toMatchObject({ before: { role: "finance" }, after: { role: "finance", password: "changed" } });

    expect(body.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: "user.create", actor: admin.email, target_id: changed.id, after: expect.objectContaining({ role: "viewer" }) }),
        expect.objectContaining({ action: "team.create", actor: admin.email, target_id: teamId }),
        expect.objectContaining({
          action: "team.member_set",
          actor: admin.email,
          before: null,
          after: { email: changed.email, role: "member" },
        }),
        expect.objectContaining({ action: "api_key.create", target_id: keyId, after: expect.objectContaining({ scopes: ["ingest"] }) }),
        expect.objectContaining({
          action: "api_key.revoke",
          target_id: keyId,
          before: expect.objectContaining({ revoked_at: null }),
          after: expect.objectContaining({ revoked_at: expect.any(String) }),
        }),
      ]),
    );
  });

  it("names an API key as the actor when a key did it", async () => {
    const slug = uniqueSlug("by-key");
    const prefix = adminKey.slice(0, 11);
    expect((await postTeams(apiRequest("/api/v1/teams", { key: adminKey, body: { slug, name: slug } }))).status).toBe(201);
    const { body } = await audit("?action=team.create&limit=5");
    expect(body.entries[0]).toMatchObject({ action: "team.create", actor: `key ${prefix}…`, after: { slug } });
  });

  it("filters by action prefix: ?action=api_key gives only api_key.* entries", async () => {
    const { status, body } = await audit("?action=api_key&limit=500");
    expect(status).toBe(200);
    const actions = body.entries.map((e) => e.action);
    expect(actions.length).toBeGreaterThanOrEqual(2);
    expect(actions.every((a) => a.startsWith("api_key."))).toBe(true);
    expect(new Set(actions)).toEqual(new Set(["api_key.create", "api_key.revoke"]));
  });

  it("filters by actor", async () => {
    const { body } = await audit(`?actor=${encodeURIComponent(admin.email.toUpperCase())}&limit=500`);
    expect(body.entries.length).toBeGreaterThan(0);
    expect(body.entries.every((e) => e.actor === admin.email)).toBe(true);
  });

  it("pages with limit and before: no entry twice, none skipped", async () => {
    const whole = await audit("?limit=7");
    expect(whole.body.entries).toHaveLength(7);

    const first = await audit("?limit=3");
    expect(first.body.entries).toHaveLength(3);
    expect(first.body.next_before).toBe(first.body.entries[2]?.id);
    const second = await audit(`?limit=4&before=${first.body.next_before}`);
    expect(second.body.entries).toHaveLength(4);
    expect([...first.body.entries, ...second.body.entries].map((e) => e.id)).toEqual(whole.body.entries.map((e) => e.id));
    expect(second.body.entries.every((e) => BigInt(e.id) < BigInt(first.body.next_before as string))).toBe(true);

    // The last page says so.
    const all = await audit("?limit=500");
    expect(all.body.next_before).toBeNull();
    const oldest = all.body.entries.at(-1)?.id as string;
    expect(await audit(`?before=${oldest}`)).toMatchObject({ status: 200, body: { entries: [], next_before: null } });
  });

  it("refuses a bad query naming the parameter (400)", async () => {
    for (const [query, path] of [
      ["?limit=0", "limit"],
      ["?limit=2.5", "limit"],
      ["?limit=1000000", "limit"],
      ["?before=abc", "before"],
      ["?from=yesterday", "from"],
    ] as const) {
      const { status, body } = await audit(query);
      expect(status, query).toBe(400);
      expect(detailPaths(body), query).toEqual([path]);
    }
    expect((await audit("?sort=asc")).status).toBe(400);
  });

  it("never holds a password, a password hash or a key secret", async () => {
    const entries: unknown[] = [];
    let before: string | null = null;
    do {
      const page: { body: AuditBody } = await audit(`?limit=50${before ? `&before=${before}` : ""}`);
      entries.push(...page.body.entries);
      before = page.body.next_before;
    } while (before);
    const json = JSON.stringify(entries);
    expect(entries.length).toBeGreaterThan(10);

    const hashes = (await prisma.user.findMany({ where: { passwordHash: { not: null } }, select: { passwordHash: true } })).map(
      (u) => u.passwordHash as string,
    );
    const keyHashes = (await prisma.apiKey.findMany({ select: { secretHash: true } })).map((k) => k.secretHash);
    expect(passwordsUsed.length).toBeGreaterThanOrEqual(3);
    expect(secretsSeen.length).toBeGreaterThanOrEqual(3);
    for (const secret of [...passwordsUsed, ...hashes, ...keyHashes, ...secretsSeen, adminKey]) {
      expect(json).not.toContain(secret);
    }
    expect(json).not.toContain("scrypt$");
    expect(json).not.toMatch(/br_[0-9A-Za-z]{38}/);
    expect(json).not.toMatch(/password_?hash/i);
    // A password change is recorded as such, without the password.
    expect(json).toContain('"password":"changed"');
  });
});
