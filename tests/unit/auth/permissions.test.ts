import { describe, expect, it } from "vitest";
import {
  auditActionPrefixes,
  can,
  canActOnTeam,
  canManageKey,
  grantableKeyScopes,
  keyGrantProblem,
  PERMISSIONS,
  teamScope,
  teamsToActOn,
  type KeyPrincipal,
  type Permission,
  type UserPrincipal,
} from "@/lib/auth/permissions";

function user(role: UserPrincipal["role"], teams: UserPrincipal["teams"] = []): UserPrincipal {
  return { kind: "user", userId: `u-${role}`, email: `${role}@example.com`, name: null, role, teams };
}
function key(scopes: KeyPrincipal["scopes"], team: KeyPrincipal["team"] = null): KeyPrincipal {
  return { kind: "key", keyId: "k", prefix: "br_abcdefgh", scopes, team };
}

const admin = user("admin");
const finance = user("finance");
const lead = user("team_lead", [
  { teamId: "t1", slug: "search", role: "lead" },
  { teamId: "t2", slug: "growth", role: "member" },
]);
const viewer = user("viewer", [{ teamId: "t1", slug: "search", role: "member" }]);

// The whole role table, written out: a change to a role's powers must change this test.
const EXPECTED: Record<string, Permission[]> = {
  admin: [...PERMISSIONS],
  finance: ["spend:read", "prices:read", "budgets:read", "budgets:write", "alerts:manage", "exports", "quota:read", "keys:manage", "teams:read", "audit:read", "notifications:read", "reconciliation:read", "chargeback:read", "allocation:manage", "chargeback:close", "savings:defer"],
  team_lead: ["spend:read", "prices:read", "budgets:read", "exports", "quota:read", "quota:request", "keys:manage", "teams:read", "notifications:read", "chargeback:read", "savings:defer"],
  viewer: ["spend:read", "prices:read", "budgets:read", "quota:read", "teams:read", "notifications:read"],
  "key:ingest": ["usage:ingest"],
  "key:read": ["spend:read", "prices:read", "budgets:read", "exports", "quota:read", "teams:read", "metrics:read", "chargeback:read"],
  "key:admin": [...PERMISSIONS],
  // notifications:read passes the route's check, and lib/notifications then refuses every key (403).
  "key:admin bound to a team": ["usage:ingest", "spend:read", "prices:read", "budgets:read", "exports", "quota:read", "quota:request", "teams:read", "notifications:read", "chargeback:read", "savings:defer"],
};

describe("can", () => {
  const principals = {
    admin,
    finance,
    team_lead: lead,
    viewer,
    "key:ingest": key(["ingest"]),
    "key:read": key(["read"]),
    "key:admin": key(["admin"]),
    "key:admin bound to a team": key(["admin"], { id: "t1", slug: "search" }),
  };
  for (const [name, principal] of Object.entries(principals)) {
    it(`grants ${name} exactly its permissions`, () => {
      expect(PERMISSIONS.filter((p) => can(principal, p))).toEqual(EXPECTED[name]);
    });
  }

  it("grants nothing to nobody", () => {
    expect(PERMISSIONS.some((p) => can(null, p))).toBe(false);
  });
});

describe("teamScope and canActOnTeam", () => {
  it("gives admins, finance and unbound keys every team; others their memberships", () => {
    expect(teamScope(admin)).toEqual({ kind: "all" });
    expect(teamScope(finance)).toEqual({ kind: "all" });
    expect(teamScope(key(["read"]))).toEqual({ kind: "all" });
    expect(teamScope(lead)).toEqual({ kind: "teams", slugs: ["search", "growth"] });
    expect(teamScope(viewer)).toEqual({ kind: "teams", slugs: ["search"] });
    expect(teamScope(key(["read"], { id: "t9", slug: "mobile" }))).toEqual({ kind: "teams", slugs: ["mobile"] });
  });

  it("lets a lead file bursts only for teams they lead, and read every team they belong to", () => {
    expect(canActOnTeam(lead, "quota:request", "search")).toBe(true);
    expect(canActOnTeam(lead, "quota:request", "growth")).toBe(false);
    expect(canActOnTeam(lead, "spend:read", "growth")).toBe(true);
    expect(canActOnTeam(lead, "spend:read", "mobile")).toBe(false);
    expect(canActOnTeam(viewer, "quota:request", "search")).toBe(false);
    expect(canActOnTeam(admin, "quota:request", "anything")).toBe(true);
  });
});

describe("API keys are never wider than their creator", () => {
  it("lists what each role may grant", () => {
    expect(grantableKeyScopes(admin)).toEqual({ scopes: ["ingest", "read", "admin"], teamBound: false });
    expect(grantableKeyScopes(finance)).toEqual({ scopes: ["read"], teamBound: false });
    expect(grantableKeyScopes(lead)).toEqual({ scopes: ["ingest", "read"], teamBound: true });
    expect(grantableKeyScopes(viewer)).toEqual({ scopes: [], teamBound: false });
    expect(grantableKeyScopes(key(["read"]))).toEqual({ scopes: [], teamBound: false });
  });

  it("names the field that is too wide", () => {
    expect(keyGrantProblem(lead, { scopes: ["admin"], teamSlug: "search" })?.path).toBe("scopes");
    expect(keyGrantProblem(lead, { scopes: ["ingest"], teamSlug: null })?.path).toBe("team");
    expect(keyGrantProblem(lead, { scopes: ["ingest"], teamSlug: "growth" })?.path).toBe("team");
    expect(keyGrantProblem(lead, { scopes: ["ingest", "read"], teamSlug: "search" })).toBeNull();
    expect(keyGrantProblem(finance, { scopes: ["ingest"], teamSlug: null })?.path).toBe("scopes");
    expect(keyGrantProblem(finance, { scopes: ["read"], teamSlug: null })).toBeNull();
    expect(keyGrantProblem(admin, { scopes: ["admin"], teamSlug: null })).toBeNull();
  });

  it("lets people manage only the keys they made, admins all", () => {
    expect(canManageKey(lead, { createdById: lead.userId })).toBe(true);
    expect(canManageKey(lead, { createdById: "someone-else" })).toBe(false);
    expect(canManageKey(admin, { createdById: "someone-else" })).toBe(true);
    expect(canManageKey(viewer, { createdById: viewer.userId })).toBe(false);
  });
});

describe("auditActionPrefixes", () => {
  it("lets admins and admin keys read every entry, finance the money's history, nobody else anything", () => {
    expect(auditActionPrefixes(user("admin"))).toBeNull();
    expect(auditActionPrefixes(user("finance"))).toEqual(["price.", "budget.", "allocation.", "burst_request.", "allocation_rule.", "chargeback."]);
    expect(auditActionPrefixes(user("viewer"))).toEqual([]);
  });
});

describe("teamsToActOn", () => {
  it("finance and admins act on every team, a lead on the teams they lead, a viewer on none, a bound key on its team", () => {
    const both = user("team_lead", [
      { teamId: "t1", slug: "search", role: "lead" },
      { teamId: "t2", slug: "support", role: "member" },
    ]);
    expect(teamsToActOn(user("finance"), "savings:defer")).toBe("all");
    expect(teamsToActOn(user("admin"), "savings:defer")).toBe("all");
    expect(teamsToActOn(both, "savings:defer")).toEqual(["search"]);
    expect(teamsToActOn(user("viewer", [{ teamId: "t1", slug: "search", role: "member" }]), "savings:defer")).toEqual([]);
    expect(teamsToActOn(key(["admin"], { id: "t1", slug: "search" }), "savings:defer")).toEqual(["search"]);
    expect(teamsToActOn(key(["read"]), "savings:defer")).toEqual([]);
  });
});
