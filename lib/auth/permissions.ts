import type { ApiKeyScope, Role, TeamMemberRole } from "@/lib/generated/prisma/client";

/**
 * The one place that knows who may do what. Route handlers, server components and the
 * navigation all ask this module; nothing else compares roles or scopes.
 *
 * Two kinds of principal reach the app: a signed-in user (a role, plus team
 * memberships) and an API key (scopes, optionally bound to one team).
 */

export interface TeamMembershipRef {
  teamId: string;
  slug: string;
  role: TeamMemberRole;
}

export interface UserPrincipal {
  kind: "user";
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  teams: TeamMembershipRef[];
}

export interface KeyPrincipal {
  kind: "key";
  keyId: string;
  prefix: string;
  scopes: ApiKeyScope[];
  /** A key bound to one team sees and sends only that team's data. */
  team: { id: string; slug: string } | null;
}

export type Principal = UserPrincipal | KeyPrincipal;

export const PERMISSIONS = [
  "usage:ingest", // events, outcomes, OTLP spans, quota checks
  "spend:read", // showback, outcomes, cache: team-scoped by teamScope()
  "prices:read",
  "prices:write",
  "budgets:read", // team-scoped
  "budgets:write",
  "alerts:manage",
  "exports", // CSV / FOCUS exports: team-scoped
  "quota:read", // team-scoped
  "quota:request", // only for teams the user leads (canActOnTeam)
  "quota:decide",
  "quota:allocate",
  "keys:manage", // only the scopes grantableKeyScopes() allows
  "users:manage",
  "teams:manage",
  "teams:read", // team-scoped
  "audit:read",
  "metrics:read", // GET /api/metrics: installation-wide aggregate counts, no team data
  "notifications:read", // the signed-in user's own in-app notifications (never an API key's)
  "reconciliation:read", // provider usage and cost against Burnrate's: installation-wide money
  "reconciliation:manage", // provider admin-key connections and pulls
  "chargeback:read", // monthly statements: team-scoped (a lead reads their teams' lines)
  "allocation:manage", // allocation rules that spread shared and untagged spend over teams
  "chargeback:close", // closing a month freezes its statements
  "savings:manage", // declaring which models may substitute for which (installation-wide)
  "savings:defer", // marking a team's feature deferrable or dismissing a saving: leads for teams they lead
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const ALL: readonly Permission[] = PERMISSIONS;

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  finance: [
    "spend:read",
    "prices:read",
    "budgets:read",
    "budgets:write",
    "alerts:manage",
    "exports",
    "quota:read",
    "keys:manage",
    "teams:read",
    "notifications:read",
    "reconciliation:read",
    "audit:read", // the price, budget and quota entries only (lib/audit/query-audit.ts)
    "chargeback:read",
    "allocation:manage",
    "chargeback:close",
    "savings:defer",
  ],
  team_lead: [
    "spend:read",
    "prices:read",
    "budgets:read",
    "exports",
    "quota:read",
    "quota:request",
    "keys:manage",
    "teams:read",
    "notifications:read",
    "chargeback:read",
    "savings:defer",
  ],
  viewer: ["spend:read", "prices:read", "budgets:read", "quota:read", "teams:read", "notifications:read"],
};

const SCOPE_PERMISSIONS: Record<ApiKeyScope, readonly Permission[]> = {
  admin: ALL,
  ingest: ["usage:ingest"],
  read: ["spend:read", "prices:read", "budgets:read", "exports", "quota:read", "teams:read", "metrics:read", "chargeback:read"],
};

/** Permissions that only make sense installation-wide: a team-bound key never has them. */
const INSTALLATION_WIDE: readonly Permission[] = [
  "prices:write",
  "budgets:write",
  "alerts:manage",
  "quota:decide",
  "quota:allocate",
  "keys:manage",
  "users:manage",
  "teams:manage",
  "audit:read",
  "metrics:read",
  "reconciliation:read",
  "reconciliation:manage",
  "allocation:manage",
  "chargeback:close",
  "savings:manage",
];

export const ROLES = ["admin", "finance", "team_lead", "viewer"] as const satisfies readonly Role[];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  finance: "Finance",
  team_lead: "Team lead",
  viewer: "Viewer",
};

/** Whether a team-bound key is refused this permission whatever its scopes. */
export function isInstallationWide(permission: Permission): boolean {
  return INSTALLATION_WIDE.includes(permission);
}

export function can(principal: Principal | null, permission: Permission): boolean {
  if (!principal) return false;
  if (principal.kind === "user") return ROLE_PERMISSIONS[principal.role].includes(permission);
  if (principal.team && INSTALLATION_WIDE.includes(permission)) return false;
  return principal.scopes.some((scope) => SCOPE_PERMISSIONS[scope].includes(permission));
}

/**
 * Who an in-app notification is for: "scoped" ones follow the team scope (one with no team
 * only reaches those who see every team); "admins" ones reach platform admins only. Never
 * shown to the person whose own action it reports. "leads" ones reach the leads of their team
 * only (ledTeamSlugs).
 */
export type NotificationAudience = "scoped" | "admins" | "leads";

export function notificationAudiences(principal: UserPrincipal): NotificationAudience[] {
  if (principal.role === "admin") return ["scoped", "admins"];
  return principal.role === "team_lead" ? ["scoped", "leads"] : ["scoped"];
}

/** The teams a user leads: a "leads" notification (a team's weekly digest) reaches only them. */
export function ledTeamSlugs(principal: UserPrincipal): string[] {
  return principal.role === "team_lead" ? principal.teams.filter((team) => team.role === "lead").map((team) => team.slug) : [];
}

/** Which teams' data a principal may read: everything, or a list of team slugs. */
export type TeamScope = { kind: "all" } | { kind: "teams"; slugs: string[] };

export function teamScope(principal: Principal): TeamScope {
  if (principal.kind === "key") return principal.team ? { kind: "teams", slugs: [principal.team.slug] } : { kind: "all" };
  if (principal.role === "admin" || principal.role === "finance") return { kind: "all" };
  return { kind: "teams", slugs: principal.teams.map((team) => team.slug) };
}

export function inTeamScope(scope: TeamScope, teamSlug: string | null): boolean {
  if (scope.kind === "all") return true;
  return teamSlug !== null && scope.slugs.includes(teamSlug);
}

/**
 * May this principal do `permission` for one team? Reading needs the team in scope;
 * filing burst requests and minting team keys needs to lead it (or be an admin).
 */
export function canActOnTeam(principal: Principal, permission: Permission, teamSlug: string): boolean {
  if (!can(principal, permission)) return false;
  if (principal.kind === "user" && principal.role === "admin") return true;
  if (principal.kind === "key") return inTeamScope(teamScope(principal), teamSlug);
  const leadOnly: readonly Permission[] = ["quota:request", "keys:manage", "savings:defer"];
  if (leadOnly.includes(permission) && principal.role === "team_lead") {
    return principal.teams.some((team) => team.slug === teamSlug && team.role === "lead");
  }
  return inTeamScope(teamScope(principal), teamSlug);
}

/**
 * The teams a principal may act on with `permission` ("all", or slugs): a page offers the
 * forms only for these, and each write checks canActOnTeam again.
 */
export function teamsToActOn(principal: Principal, permission: Permission): "all" | string[] {
  if (!can(principal, permission)) return [];
  if (principal.kind === "key") return principal.team ? [principal.team.slug] : "all";
  if (principal.role === "admin" || principal.role === "finance") return "all";
  return principal.teams.filter((team) => canActOnTeam(principal, permission, team.slug)).map((team) => team.slug);
}

export const API_KEY_SCOPES = ["ingest", "read", "admin"] as const satisfies readonly ApiKeyScope[];

/**
 * The scopes a principal may put on a new key — never wider than what it holds itself:
 * admins anything; finance read-only keys (it reads all spend and sends nothing); team
 * leads ingest/read keys bound to a team they lead; viewers none.
 */
export function grantableKeyScopes(principal: Principal): { scopes: readonly ApiKeyScope[]; teamBound: boolean } {
  if (!can(principal, "keys:manage")) return { scopes: [], teamBound: false };
  if (principal.kind === "key") return { scopes: API_KEY_SCOPES, teamBound: false };
  switch (principal.role) {
    case "admin":
      return { scopes: API_KEY_SCOPES, teamBound: false };
    case "finance":
      return { scopes: ["read"], teamBound: false };
    case "team_lead":
      return { scopes: ["ingest", "read"], teamBound: true };
    default:
      return { scopes: [], teamBound: false };
  }
}

/** Why a key request is refused, or null when the principal may mint it. */
export function keyGrantProblem(
  principal: Principal,
  request: { scopes: readonly ApiKeyScope[]; teamSlug: string | null },
): { path: string; message: string } | null {
  const grantable = grantableKeyScopes(principal);
  const wider = request.scopes.filter((scope) => !grantable.scopes.includes(scope));
  if (wider.length > 0) {
    return { path: "scopes", message: `You may not grant ${wider.join(", ")}: a key is never wider than its creator.` };
  }
  if (grantable.teamBound) {
    if (!request.teamSlug) return { path: "team", message: "Your keys must be bound to a team you lead." };
    if (!canActOnTeam(principal, "keys:manage", request.teamSlug)) {
      return { path: "team", message: "You can only create keys for teams you lead." };
    }
  }
  return null;
}

/** May this principal see (and revoke) a stored key? Admins all; others the keys they made. */
export function canManageKey(principal: Principal, key: { createdById: string | null }): boolean {
  if (!can(principal, "keys:manage")) return false;
  if (principal.kind === "key" || principal.role === "admin") return true;
  return key.createdById === principal.userId;
}

/** Dashboard sections and who sees them; the navigation and the pages share this. */
export const SECTION_PERMISSIONS = {
  overview: "spend:read",
  showback: "spend:read",
  outcomes: "spend:read",
  cache: "spend:read",
  budgets: "budgets:read",
  alerts: "spend:read",
  quotas: "quota:read",
  prices: "prices:read",
  settings: "teams:read",
  "settings/users": "users:manage",
  "settings/teams": "teams:read",
  "settings/connect": "spend:read", // every signed-in role sees the instructions
  "settings/keys": "keys:manage",
  "settings/audit": "audit:read",
  reconciliation: "reconciliation:read",
  chargeback: "chargeback:read",
  savings: "spend:read",
} as const satisfies Record<string, Permission>;

export type Section = keyof typeof SECTION_PERMISSIONS;

export function canSee(principal: Principal | null, section: Section): boolean {
  return can(principal, SECTION_PERMISSIONS[section]);
}

/**
 * The audit-log entries a principal holding audit:read may see, as action prefixes; null for
 * all of them. Finance reads the history of the money (prices, budgets, allocations, burst
 * requests); admins and admin keys read everything.
 */
export const FINANCE_AUDIT_PREFIXES = [
  "price.",
  "budget.",
  "allocation.",
  "burst_request.",
  "allocation_rule.",
  "chargeback.",
] as const;

export function auditActionPrefixes(principal: Principal): readonly string[] | null {
  if (principal.kind === "key" || principal.role === "admin") return null;
  return principal.role === "finance" ? FINANCE_AUDIT_PREFIXES : [];
}

/** A human label for the audit log and error messages. */
export function principalLabel(principal: Principal): string {
  return principal.kind === "user" ? principal.email : `key ${principal.prefix}…`;
}

/** The key scopes that carry a permission (for "this key needs …" messages). */
export function scopesGranting(permission: Permission): ApiKeyScope[] {
  return API_KEY_SCOPES.filter((scope) => SCOPE_PERMISSIONS[scope].includes(permission));
}
