import { randomUUID } from "node:crypto";
import { prisma } from "@/lib/db";
import { createApiKey } from "@/lib/auth/api-keys";
import { hashPassword } from "@/lib/auth/password";
import { encodeSessionToken, sessionCookieName } from "@/lib/auth/session-cookie";
import type { ApiKeyScope, Role, TeamMemberRole } from "@/lib/generated/prisma/client";
import { getSecret } from "@/lib/secrets";
import type { UserPrincipal } from "@/lib/auth/permissions";

/**
 * People and teams for access tests: every call makes fresh rows (random emails and
 * slugs), so each test owns its data and never depends on what another test created.
 */

/** The Origin a same-site browser sends: the Request URLs below are http://localhost/… */
export const SAME_ORIGIN = "http://localhost";

export function uniqueSlug(prefix = "team"): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function uniqueEmail(prefix = "user"): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.test`;
}

export interface TestTeam {
  id: string;
  slug: string;
}

/** A team (set up, not discovered unless asked); a fresh random slug unless one is given. */
export async function createTestTeam(options: { slug?: string; name?: string; discovered?: boolean } = {}): Promise<TestTeam> {
  const slug = options.slug ?? uniqueSlug();
  return prisma.team.create({
    data: { slug, name: options.name ?? slug, discovered: options.discovered ?? false },
    select: { id: true, slug: true },
  });
}

export interface TestUser {
  id: string;
  email: string;
  /** A Cookie header value signing this user in, exactly as next-auth would set it. */
  cookie: string;
}

export async function sessionCookieFor(userId: string): Promise<string> {
  return `${sessionCookieName()}=${await encodeSessionToken(userId)}`;
}

/**
 * A user with a role and, optionally, team memberships (teams are created when missing)
 * and a password. `disabled` creates an account that has been switched off.
 */
export async function createTestUser(options: {
  role: Role;
  teams?: { slug: string; role: TeamMemberRole }[];
  password?: string;
  email?: string;
  name?: string;
  disabled?: boolean;
}): Promise<TestUser> {
  const user = await prisma.user.create({
    data: {
      email: options.email ?? uniqueEmail(options.role),
      name: options.name ?? null,
      role: options.role,
      passwordHash: options.password ? await hashPassword(options.password) : null,
      disabledAt: options.disabled ? new Date() : null,
    },
    select: { id: true, email: true },
  });
  for (const membership of options.teams ?? []) {
    const team = await prisma.team.upsert({
      where: { slug: membership.slug },
      create: { slug: membership.slug, name: membership.slug },
      update: {},
      select: { id: true },
    });
    await prisma.teamMembership.create({ data: { userId: user.id, teamId: team.id, role: membership.role } });
  }
  return { ...user, cookie: await sessionCookieFor(user.id) };
}

/** An API key, optionally bound to one team and recorded as created by a user; returns id and secret. */
export async function createTestKeyFor(options: {
  scopes: ApiKeyScope[];
  teamId?: string | null;
  createdById?: string | null;
  expiresAt?: Date | null;
}): Promise<{ id: string; secret: string }> {
  const key = await createApiKey(
    prisma,
    {
      name: `test-${randomUUID()}`,
      scopes: options.scopes,
      teamId: options.teamId ?? null,
      createdById: options.createdById ?? null,
      expiresAt: options.expiresAt ?? null,
    },
    getSecret("apiKeyHash"),
  );
  return { id: key.id, secret: key.secret };
}

/**
 * A Request as a signed-in browser sends it: the session cookie and, for anything but
 * GET/HEAD, `Origin: http://localhost` so the same-origin check passes. Pass `origin`
 * to send another Origin, or `origin: null` to send none.
 */
export function sessionRequest(
  path: string,
  options: { cookie: string; method?: string; body?: unknown; origin?: string | null; headers?: Record<string, string> },
): Request {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { "content-type": "application/json", cookie: options.cookie };
  const safe = method === "GET" || method === "HEAD";
  const origin = options.origin === undefined ? (safe ? null : SAME_ORIGIN) : options.origin;
  if (origin !== null) headers.origin = origin;
  Object.assign(headers, options.headers);
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Request(`http://localhost${path}`, { method, headers, body });
}

/** The dynamic segments as Next passes them to a route handler. */
export function routeParams<T extends Record<string, string>>(params: T): { params: Promise<T> } {
  return { params: Promise.resolve(params) };
}

/** A response's status and its JSON body parsed (other bodies, e.g. CSV, as text). */
export async function read<T = Record<string, unknown>>(response: Response): Promise<{ status: number; body: T }> {
  const text = await response.text();
  const json = (response.headers.get("content-type") ?? "").includes("json");
  return { status: response.status, body: (text ? (json ? JSON.parse(text) : text) : null) as T };
}

export interface ErrorBodyShape {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

/** The `path`s of an error body's details. */
export function detailPaths(body: unknown): string[] {
  return ((body as ErrorBodyShape).error?.details ?? []).map((detail) => detail.path);
}

/**
 * A principal that is never stored: for lib calls whose only question is whose teams are
 * read (finance and admins read every team; a viewer the teams listed).
 */
export function principalWithTeams(slugs: readonly string[] | "all"): UserPrincipal {
  return {
    kind: "user",
    userId: randomUUID(),
    email: uniqueEmail("scope"),
    name: null,
    role: slugs === "all" ? "finance" : "viewer",
    teams: slugs === "all" ? [] : slugs.map((slug) => ({ teamId: randomUUID(), slug, role: "member" as const })),
  };
}
