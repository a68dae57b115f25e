import "server-only";
import type pg from "pg";
import { inTeamScope, teamScope, type Principal, type TeamScope } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/http/errors";
import type { AuditActor } from "@/lib/audit/audit-log";
import { getPool } from "@/lib/db";

/**
 * The one call shape of lib/'s entry points: `fn(ctx, input)`.
 *
 * `ctx` says who is asking and where they stand: the principal (the team scope is derived
 * from it inside, never passed beside it), and optionally the database (a test's pool;
 * the shared pool when absent), the instant to treat as now (the demo's past, a test's
 * fixed clock) and the client address (the audit log). A route's RouteContext is a Ctx:
 * handlers pass it straight through.
 *
 * Work done on the installation's own behalf (the alert evaluator, the scheduler, the demo
 * seed) has no principal; it calls the domain's scoped functions with an explicit scope.
 */
export interface Ctx<P extends AuditActor = Principal> {
  /**
   * Who is asking. Installation-wide actions that only need to be audited (users, alert
   * rules and channels, keys) take a `Ctx<AuditActor>`, so the command line can act as
   * `{ kind: "system", label: "cli" }`; a Principal is an AuditActor.
   */
  principal: P;
  db?: pg.Pool;
  now?: Date;
  ip?: string | null;
}

export function dbOf(ctx: Pick<Ctx, "db">): pg.Pool {
  return ctx.db ?? getPool();
}

export function nowOf(ctx: Pick<Ctx, "now">): Date {
  return ctx.now ?? new Date();
}

export function ipOf(ctx: Pick<Ctx, "ip">): string | null {
  return ctx.ip ?? null;
}

export function teamScopeOf(ctx: Pick<Ctx, "principal">): TeamScope {
  return teamScope(ctx.principal);
}

/**
 * The caller's scope narrowed to `team` when one is asked for (a team page, a `team`
 * filter): 403 naming `team` when it is not the caller's to read.
 */
export function teamScopeFor(ctx: Pick<Ctx, "principal">, team: string | undefined): TeamScope {
  const scope = teamScope(ctx.principal);
  if (team === undefined) return scope;
  if (!inTeamScope(scope, team)) {
    throw new ApiError("forbidden", "You may only read the spend of your own teams.", {
      details: [{ path: "team", message: `team ${team} is outside your teams` }],
    });
  }
  return { kind: "teams", slugs: [team] };
}
