import { randomBytes, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postSetup } from "@/app/api/setup/route";
import { GET as getAudit } from "@/app/api/v1/audit/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as revokeKeyRoute } from "@/app/api/v1/keys/[id]/revoke/route";
import { GET as getKeys, POST as postKeys } from "@/app/api/v1/keys/route";
import { POST as postOtlp } from "@/app/api/v1/otlp/v1/traces/route";
import { POST as postLitellm } from "@/app/api/v1/integrations/litellm/route";
import { GET as getIngestActivity } from "@/app/api/v1/integrations/activity/route";
import { POST as revokeOwnSessions } from "@/app/api/v1/users/me/sessions/revoke/route";
import { GET as getNotifications } from "@/app/api/v1/notifications/route";
import { POST as markNotificationsRead } from "@/app/api/v1/notifications/read/route";
import { GET as getBadges } from "@/app/api/v1/badges/route";
import { POST as postOutcomes } from "@/app/api/v1/outcomes/route";
import { GET as getPrices, POST as postPrices } from "@/app/api/v1/prices/route";
import { DELETE as deleteMember } from "@/app/api/v1/teams/[id]/members/[userId]/route";
import { PUT as putMember } from "@/app/api/v1/teams/[id]/members/route";
import { GET as getTeam, PATCH as patchTeam } from "@/app/api/v1/teams/[id]/route";
import { GET as getTeams, POST as postTeams } from "@/app/api/v1/teams/route";
import { PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { GET as getUsers, POST as postUsers } from "@/app/api/v1/users/route";
import { GET as getDeliveries } from "@/app/api/v1/alert-channels/[id]/deliveries/route";
import { DELETE as deleteChannel, PATCH as patchChannel } from "@/app/api/v1/alert-channels/[id]/route";
import { POST as postChannelTest } from "@/app/api/v1/alert-channels/[id]/test/route";
import { GET as getChannels, POST as postChannel } from "@/app/api/v1/alert-channels/route";
import { DELETE as deleteRule, PATCH as patchRule } from "@/app/api/v1/alert-rules/[id]/route";
import { GET as getRules, POST as postRule } from "@/app/api/v1/alert-rules/route";
import { POST as postAcknowledge } from "@/app/api/v1/alerts/[id]/acknowledge/route";
import { POST as postEvaluate } from "@/app/api/v1/alerts/evaluate/route";
import { GET as getAlerts } from "@/app/api/v1/alerts/route";
import { DELETE as deleteAllocation, GET as getAllocation, PATCH as patchAllocation } from "@/app/api/v1/quota/allocations/[id]/route";
import { GET as getAllocations, POST as postAllocation } from "@/app/api/v1/quota/allocations/route";
import { POST as postQuotaCheck } from "@/app/api/v1/quota/check/route";
import { POST as approveBurst } from "@/app/api/v1/quota/requests/[id]/approve/route";
import { POST as cancelBurst } from "@/app/api/v1/quota/requests/[id]/cancel/route";
import { POST as rejectBurst } from "@/app/api/v1/quota/requests/[id]/reject/route";
import { GET as getBurst } from "@/app/api/v1/quota/requests/[id]/route";
import { GET as getBursts, POST as postBurst } from "@/app/api/v1/quota/requests/route";
import { GET as getReview } from "@/app/api/v1/quota/review/route";
import { DELETE as deletePriceRoute, PATCH as patchPriceRoute } from "@/app/api/v1/prices/[id]/route";
import { GET as getReconciliation } from "@/app/api/v1/reconciliation/route";
import { GET as getConnections, POST as postConnection } from "@/app/api/v1/reconciliation/connections/route";
import { DELETE as deleteConnection } from "@/app/api/v1/reconciliation/connections/[id]/route";
import { POST as postReconciliationRun } from "@/app/api/v1/reconciliation/run/route";
import { GET as getChargebackRoute } from "@/app/api/v1/chargeback/route";
import { GET as getTagKeysRoute } from "@/app/api/v1/tags/route";
import { GET as getSavingsRoute } from "@/app/api/v1/savings/route";
import { GET as listSubstitutesRoute, POST as createSubstituteRoute } from "@/app/api/v1/savings/substitutes/route";
import { DELETE as deleteSubstituteRoute } from "@/app/api/v1/savings/substitutes/[id]/route";
import { GET as listDeferrableRoute, POST as markDeferrableRoute } from "@/app/api/v1/savings/deferrable/route";
import { DELETE as unmarkDeferrableRoute } from "@/app/api/v1/savings/deferrable/[id]/route";
import { POST as dismissSavingRoute } from "@/app/api/v1/savings/dismissals/route";
import { GET as listFeatureChangesRoute, POST as markFeatureChangeRoute } from "@/app/api/v1/feature-changes/route";
import { DELETE as deleteFeatureChangeRoute } from "@/app/api/v1/feature-changes/[id]/route";
import { GET as getStatementRoute } from "@/app/api/v1/chargeback/statement/route";
import { GET as getClosedMonthsRoute } from "@/app/api/v1/chargeback/months/route";
import { DELETE as reopenMonthRoute, POST as closeMonthRoute } from "@/app/api/v1/chargeback/close/route";
import { GET as listAllocationRulesRoute, POST as createAllocationRuleRoute } from "@/app/api/v1/allocation-rules/route";
import { POST as previewAllocationRuleRoute } from "@/app/api/v1/allocation-rules/preview/route";
import {
  DELETE as deleteAllocationRuleRoute,
  GET as getAllocationRuleRoute,
  PATCH as patchAllocationRuleRoute,
} from "@/app/api/v1/allocation-rules/[id]/route";
import { GET as getBurndown } from "@/app/api/v1/budgets/[id]/burndown/route";
import { DELETE as deleteBudget, GET as getBudget, PATCH as patchBudget } from "@/app/api/v1/budgets/[id]/route";
import { GET as getBudgets, POST as postBudgets } from "@/app/api/v1/budgets/route";
import { GET as getCache } from "@/app/api/v1/cache/route";
import { GET as getOutcomeCost } from "@/app/api/v1/outcomes/cost/route";
import { GET as getOutcomeReport } from "@/app/api/v1/outcomes/report/route";
import { GET as getSpendExport } from "@/app/api/v1/spend/export/route";
import { GET as getSpend } from "@/app/api/v1/spend/route";
import { GET as getForecast } from "@/app/api/v1/forecast/route";
import { GET as getTokensPerRequest } from "@/app/api/v1/tokens-per-request/route";
import { GET as getTrace } from "@/app/api/v1/traces/[traceId]/route";
import { GET as getHealth } from "@/app/api/health/route";
import { GET as getMetrics } from "@/app/api/metrics/route";
import { GET as getReady } from "@/app/api/ready/route";
import { ALERT_INTERVAL_MS } from "@/lib/alerts/scheduler";
import { recordSchedulerStart } from "@/lib/ops/heartbeat";
import { encode } from "next-auth/jwt";
import { encodeSessionToken, sessionCookieName } from "@/lib/auth/session-cookie";
import { prisma } from "@/lib/db";
import { scopedItemId } from "@/lib/ingestion/ingest-events";
import { apiRequest } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import {
  SAME_ORIGIN,
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
  type TestTeam,
  type TestUser,
} from "../factories/users";

// Alert channels in the matrix point at 127.0.0.1: the outbound guard (lib/http/outbound.ts) reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/**
 * Who may call what: every API route and method, called in-process as each kind of
 * principal. The expected cells are written out by hand from lib/auth/permissions.ts
 * (ROLE_PERMISSIONS, SCOPE_PERMISSIONS, INSTALLATION_WIDE), not computed by it: an
 * allowed cell must really succeed (its exact 2xx, with its effect in the database), a
 * refused one must be exactly 401 (anonymous) or 403, with nothing changed.
 */

const CALLERS = [
  "anonymous",
  "admin",
  "finance",
  "team_lead", // lead of team A
  "viewer", // member of team A
  "key:ingest",
  "key:read",
  "key:admin",
  "key:read@A", // a read key bound to team A
] as const;
type Who = (typeof CALLERS)[number];

interface Caller {
  who: Who;
  /** The signed-in user's id (null for anonymous and keys). */
  userId: string | null;
  request: (path: string, options: { method: string; body?: unknown; headers?: Record<string, string> }) => Request;
}

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

interface Call {
  path: string;
  params?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

interface RouteCase {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  route: string;
  handler: Handler;
  allowed: readonly Who[];
  /** The exact status of an allowed call. */
  success: number;
  /** Fresh data for one call by this caller (so every cell owns what it changes). */
  prepare: (caller: Caller) => Promise<Call>;
  /** For writes: whether the call's change is in the database. */
  applied?: (call: Call) => Promise<boolean>;
}

let teamA: TestTeam;
let teamB: TestTeam;
const users = {} as Record<"admin" | "finance" | "team_lead" | "viewer", TestUser>;
const keys = {} as Record<"key:ingest" | "key:read" | "key:admin" | "key:read@A", string>;
const callers = {} as Record<Who, Caller>;

beforeAll(async () => {
  teamA = await createTestTeam({ slug: uniqueSlug("alpha") });
  teamB = await createTestTeam({ slug: uniqueSlug("beta") });
  users.admin = await createTestUser({ role: "admin" });
  users.finance = await createTestUser({ role: "finance" });
  users.team_lead = await createTestUser({ role: "team_lead", teams: [{ slug: teamA.slug, role: "lead" }] });
  users.viewer = await createTestUser({ role: "viewer", teams: [{ slug: teamA.slug, role: "member" }] });
  keys["key:ingest"] = (await createTestKeyFor({ scopes: ["ingest"] })).secret;
  keys["key:read"] = (await createTestKeyFor({ scopes: ["read"] })).secret;
  keys["key:admin"] = (await createTestKeyFor({ scopes: ["admin"] })).secret;
  keys["key:read@A"] = (await createTestKeyFor({ scopes: ["read"], teamId: teamA.id })).secret;

  callers.anonymous = {
    who: "anonymous",
    userId: null,
    request: (path, { method, body, headers }) => apiRequest(path, { method, body, headers }),
  };
  for (const role of ["admin", "finance", "team_lead", "viewer"] as const) {
    const user = users[role];
    callers[role] = {
      who: role,
      userId: user.id,
      request: (path, { method, body, headers }) => sessionRequest(path, { cookie: user.cookie, method, body, headers }),
    };
  }
  for (const who of ["key:ingest", "key:read", "key:admin", "key:read@A"] as const) {
    callers[who] = {
      who,
      userId: null,
      request: (path, { method, body, headers }) => apiRequest(path, { key: keys[who], method, body, headers }),
    };
  }
});

// ------------------------------------------------------------------ who holds what

const EVERY_ROLE = ["admin", "finance", "team_lead", "viewer"] as const;
/** usage:ingest — the admin role (everything), ingest and admin keys. */
const INGEST: readonly Who[] = ["admin", "key:ingest", "key:admin"];
/** prices:read, teams:read — every role, read and admin keys, team-bound read keys. */
const READ: readonly Who[] = [...EVERY_ROLE, "key:read", "key:admin", "key:read@A"];
/** prices:write, users:manage, teams:manage, audit:read — installation-wide admin only. */
const ADMIN: readonly Who[] = ["admin", "key:admin"];
/** keys:manage — admin, finance, team lead roles and admin keys (never a bound key). */
const KEYS: readonly Who[] = ["admin", "finance", "team_lead", "key:admin"];

/** chargeback:read — admin, finance, team leads (their teams), read and admin keys, team-bound read keys; not viewers. */
const CHARGEBACK_READ: readonly Who[] = ["admin", "finance", "team_lead", "key:read", "key:admin", "key:read@A"];

const matrixMonths = new Map<string, number>();
/** A fresh month of `year` for each call ("2019-01", "2019-02", …, then the next year). */
function nextMatrixMonth(year: string): string {
  const n = matrixMonths.get(year) ?? 0;
  matrixMonths.set(year, n + 1);
  const y = Number(year) + Math.floor(n / 12);
  return `${y}-${String((n % 12) + 1).padStart(2, "0")}`;
}

async function matrixAllocationRule(): Promise<string> {
  const rule = await prisma.allocationRule.create({
    data: { name: "matrix rule", match: { feature: "matrix" }, method: "even", effectiveFrom: new Date("2026-11-01T00:00:00Z") },
    select: { id: true },
  });
  return rule.id;
}

// ------------------------------------------------------------------ valid bodies

type OtlpAttribute = { key: string; value: Record<string, unknown> };

function otlpBody(traceId: string, extraAttributes: OtlpAttribute[] = []) {
  const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
  const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
  return {
    resourceSpans: [
      {
        resource: { attributes: [str("service.name", "matrix")] },
        scopeSpans: [
          {
            spans: [
              {
                traceId,
                spanId: randomBytes(8).toString("hex"),
                name: "chat",
                startTimeUnixNano: "1764000000123456789",
                attributes: [
                  str("gen_ai.provider.name", "openai"),
                  str("gen_ai.request.model", "gpt-4o-mini"),
                  int("gen_ai.usage.input_tokens", 10),
                  int("gen_ai.usage.output_tokens", 5),
                  ...extraAttributes,
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

const idParam = (call: Call): string => call.params?.id ?? "";
/** A fresh model-specific allocation of team A (unique per team and model). */
async function teamAAllocation(): Promise<string> {
  return (await prisma.quotaAllocation.create({ data: { teamId: teamA.id, model: `m-${randomUUID()}`, unit: "usd", amount: "50" } })).id;
}

/** A pending burst request of team A, filed by `requestedById`. */
async function pendingBurst(requestedById: string | null): Promise<string> {
  const now = Date.now();
  const burst = await prisma.burstRequest.create({
    data: { teamId: teamA.id, requestedById, amount: "10", startsAt: new Date(now), endsAt: new Date(now + 86_400_000), reason: "matrix" },
  });
  return burst.id;
}

/** alerts:manage — finance and admin roles, admin keys. */
const ALERT_MANAGERS: readonly Who[] = ["admin", "finance", "key:admin"];

async function freshChannel(): Promise<string> {
  return (await prisma.alertChannel.create({ data: { name: `matrix-${randomUUID()}`, type: "webhook", target: "http://127.0.0.1:9/hook" } })).id;
}

/** budgets:write — finance and admin roles, admin keys. */
const BUDGET_WRITERS: readonly Who[] = ["admin", "finance", "key:admin"];

/** A fresh budget of team A (inside every reader's scope in this matrix). */
async function teamABudget(): Promise<string> {
  const budget = await prisma.budget.create({ data: { name: `A ${randomUUID()}`, team: teamA.slug, amountUsd: "50", thresholds: [50, 80, 100] } });
  return budget.id;
}
const bodyOf = (call: Call) => call.body as Record<string, string>;

/** metrics:read — the admin role, read and admin keys; never a team-bound key (installation-wide counts). */
const METRICS_READERS: readonly Who[] = ["admin", "key:read", "key:admin"];

const ROUTES: RouteCase[] = [
  {
    method: "POST",
    route: "/api/v1/events",
    handler: postEvents,
    allowed: INGEST,
    success: 200,
    prepare: async () => ({ path: "/api/v1/events", body: { events: [contractEvent({ tags: { team: teamA.slug } })] } }),
    applied: async (call) => {
      const id = (call.body as { events: { id: string }[] }).events[0]?.id ?? "";
      return (await prisma.usageEvent.count({ where: { id } })) === 1;
    },
  },
  {
    method: "POST",
    route: "/api/v1/outcomes",
    handler: postOutcomes,
    allowed: INGEST,
    success: 200,
    prepare: async () => ({
      path: "/api/v1/outcomes",
      body: {
        outcomes: [
          { id: `out-${randomUUID()}`, timestamp: "2026-11-02T10:00:00Z", trace_id: `tr-${randomUUID()}`, type: "resolved", success: true },
        ],
      },
    }),
    applied: async (call) => {
      const id = (call.body as { outcomes: { id: string }[] }).outcomes[0]?.id ?? "";
      return (await prisma.outcome.count({ where: { id } })) === 1;
    },
  },
  {
    method: "POST",
    route: "/api/v1/otlp/v1/traces",
    handler: postOtlp,
    allowed: INGEST,
    success: 200,
    prepare: async () => {
      const traceId = randomBytes(16).toString("hex");
      return { path: "/api/v1/otlp/v1/traces", body: otlpBody(traceId), params: { traceId } };
    },
    applied: async (call) => (await prisma.usageEvent.count({ where: { traceId: call.params?.traceId ?? "" } })) === 1,
  },
  {
    method: "POST",
    route: "/api/v1/integrations/litellm",
    handler: postLitellm,
    allowed: INGEST,
    success: 200,
    prepare: async () => {
      const id = `litellm-${randomUUID()}`;
      return {
        path: "/api/v1/integrations/litellm",
        body: [{ id, startTime: 1795168800, custom_llm_provider: "openai", model: "gpt-4o-mini", prompt_tokens: 10, completion_tokens: 2 }],
        params: { id },
      };
    },
    applied: async (call) => (await prisma.usageEvent.count({ where: { id: call.params?.id ?? "" } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/prices",
    handler: getPrices,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/prices" }),
  },
  {
    method: "POST",
    route: "/api/v1/prices",
    handler: postPrices,
    allowed: ADMIN,
    success: 201,
    prepare: async () => ({
      path: "/api/v1/prices",
      body: { provider: "matrix", model: `model-${randomUUID()}`, effective_from: "2026-01-01T00:00:00Z", input_per_mtok: "1", output_per_mtok: "2" },
    }),
    applied: async (call) => (await prisma.price.count({ where: { model: bodyOf(call).model } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/users",
    handler: getUsers,
    allowed: ADMIN,
    success: 200,
    prepare: async () => ({ path: "/api/v1/users" }),
  },
  {
    method: "POST",
    route: "/api/v1/users",
    handler: postUsers,
    allowed: ADMIN,
    success: 201,
    prepare: async () => ({ path: "/api/v1/users", body: { email: uniqueEmail("new"), role: "viewer" } }),
    applied: async (call) => (await prisma.user.count({ where: { email: bodyOf(call).email } })) === 1,
  },
  {
    method: "PATCH",
    route: "/api/v1/users/[id]",
    handler: patchUser,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const target = await createTestUser({ role: "viewer" });
      return { path: `/api/v1/users/${target.id}`, params: { id: target.id }, body: { name: `Renamed ${randomUUID()}` } };
    },
    applied: async (call) => (await prisma.user.findUniqueOrThrow({ where: { id: idParam(call) } })).name === bodyOf(call).name,
  },
  {
    method: "GET",
    route: "/api/v1/teams",
    handler: getTeams,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/teams" }),
  },
  {
    method: "POST",
    route: "/api/v1/teams",
    handler: postTeams,
    allowed: ADMIN,
    success: 201,
    prepare: async () => ({ path: "/api/v1/teams", body: { slug: uniqueSlug("made"), name: "Made in the matrix" } }),
    applied: async (call) => (await prisma.team.count({ where: { slug: bodyOf(call).slug } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/teams/[id]",
    handler: getTeam,
    // Team A is in every one of these principals' scope (lead, member, bound key, all-seeing).
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: `/api/v1/teams/${teamA.id}`, params: { id: teamA.id } }),
  },
  {
    method: "PATCH",
    route: "/api/v1/teams/[id]",
    handler: patchTeam,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const team = await createTestTeam();
      return { path: `/api/v1/teams/${team.id}`, params: { id: team.id }, body: { name: `Renamed ${randomUUID()}` } };
    },
    applied: async (call) => (await prisma.team.findUniqueOrThrow({ where: { id: idParam(call) } })).name === bodyOf(call).name,
  },
  {
    method: "PUT",
    route: "/api/v1/teams/[id]/members",
    handler: putMember,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const team = await createTestTeam();
      const member = await createTestUser({ role: "viewer" });
      return { path: `/api/v1/teams/${team.id}/members`, params: { id: team.id, userId: member.id }, body: { email: member.email, role: "member" } };
    },
    applied: async (call) =>
      (await prisma.teamMembership.count({ where: { teamId: idParam(call), userId: call.params?.userId ?? "" } })) === 1,
  },
  {
    method: "DELETE",
    route: "/api/v1/teams/[id]/members/[userId]",
    handler: deleteMember,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const team = await createTestTeam();
      const member = await createTestUser({ role: "viewer", teams: [{ slug: team.slug, role: "member" }] });
      return { path: `/api/v1/teams/${team.id}/members/${member.id}`, params: { id: team.id, userId: member.id } };
    },
    applied: async (call) =>
      (await prisma.teamMembership.count({ where: { teamId: idParam(call), userId: call.params?.userId ?? "" } })) === 0,
  },
  {
    method: "GET",
    route: "/api/v1/keys",
    handler: getKeys,
    allowed: KEYS,
    success: 200,
    prepare: async () => ({ path: "/api/v1/keys" }),
  },
  {
    method: "POST",
    route: "/api/v1/keys",
    handler: postKeys,
    allowed: KEYS,
    success: 201,
    // A read key for team A is within what each allowed principal may grant
    // (admin: anything; finance: read; the lead of team A: ingest/read for team A).
    prepare: async () => ({ path: "/api/v1/keys", body: { name: `matrix ${randomUUID()}`, scopes: ["read"], team: teamA.slug } }),
    applied: async (call) => (await prisma.apiKey.count({ where: { name: bodyOf(call).name } })) === 1,
  },
  {
    method: "POST",
    route: "/api/v1/keys/[id]/revoke",
    handler: revokeKeyRoute,
    allowed: KEYS,
    success: 200,
    // A key the caller made (finance and team leads may only revoke their own).
    prepare: async (caller) => {
      const key = await createTestKeyFor({ scopes: ["read"], createdById: caller.userId });
      return { path: `/api/v1/keys/${key.id}/revoke`, params: { id: key.id } };
    },
    applied: async (call) => (await prisma.apiKey.findUniqueOrThrow({ where: { id: idParam(call) } })).revokedAt !== null,
  },
  {
    method: "GET",
    route: "/api/v1/audit",
    handler: getAudit,
    // Finance reads the price, budget and quota entries (the filter is tested in audit tests).
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => ({ path: "/api/v1/audit" }),
  },
  {
    method: "POST",
    route: "/api/setup",
    handler: postSetup,
    // Setup needs no credentials and ignores them: once any user exists it is 409 for
    // everyone (same-site, as the setup form posts it).
    allowed: CALLERS,
    success: 409,
    prepare: async () => ({
      path: "/api/setup",
      body: { email: uniqueEmail("setup"), password: "correct horse battery" },
      headers: { origin: SAME_ORIGIN },
    }),
    applied: async (call) => (await prisma.user.count({ where: { email: bodyOf(call).email } })) === 1,
  },
  // ---------------------------------------------------------------- budgets
  {
    method: "GET",
    route: "/api/v1/budgets",
    handler: getBudgets as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/budgets" }),
  },
  {
    method: "POST",
    route: "/api/v1/budgets",
    handler: postBudgets as Handler,
    allowed: BUDGET_WRITERS,
    success: 201,
    prepare: async () => ({
      path: "/api/v1/budgets",
      body: { name: `Matrix ${randomUUID()}`, scope: { team: teamA.slug }, period: "month", amount_usd: "100" },
    }),
    applied: async (call) => (await prisma.budget.count({ where: { name: bodyOf(call).name } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/budgets/[id]",
    handler: getBudget as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => {
      const id = await teamABudget();
      return { path: `/api/v1/budgets/${id}`, params: { id } };
    },
  },
  {
    method: "GET",
    route: "/api/v1/budgets/[id]/burndown",
    handler: getBurndown as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => {
      const id = await teamABudget();
      return { path: `/api/v1/budgets/${id}/burndown`, params: { id } };
    },
  },
  {
    method: "PATCH",
    route: "/api/v1/budgets/[id]",
    handler: patchBudget as Handler,
    allowed: BUDGET_WRITERS,
    success: 200,
    prepare: async () => {
      const id = await teamABudget();
      return { path: `/api/v1/budgets/${id}`, params: { id }, body: { name: `Renamed ${randomUUID()}` } };
    },
    applied: async (call) => (await prisma.budget.findUniqueOrThrow({ where: { id: idParam(call) } })).name === bodyOf(call).name,
  },
  {
    method: "DELETE",
    route: "/api/v1/budgets/[id]",
    handler: deleteBudget as Handler,
    allowed: BUDGET_WRITERS,
    success: 200,
    prepare: async () => {
      const id = await teamABudget();
      return { path: `/api/v1/budgets/${id}`, params: { id } };
    },
    applied: async (call) => (await prisma.budget.findUniqueOrThrow({ where: { id: idParam(call) } })).archivedAt !== null,
  },
  // ---------------------------------------------------------------- alerts
  ...[
    ["GET", "/api/v1/alert-channels", getChannels, 200],
    ["GET", "/api/v1/alert-rules", getRules, 200],
    ["POST", "/api/v1/alerts/evaluate", postEvaluate, 200],
  ].map(
    ([method, route, handler, success]): RouteCase => ({
      method: method as "GET" | "POST",
      route: route as string,
      handler: handler as Handler,
      allowed: ALERT_MANAGERS,
      success: success as number,
      prepare: async () => ({ path: route as string }),
    }),
  ),
  {
    method: "POST",
    route: "/api/v1/alert-channels",
    handler: postChannel as Handler,
    allowed: ALERT_MANAGERS,
    success: 201,
    prepare: async () => ({ path: "/api/v1/alert-channels", body: { type: "webhook", url: "http://127.0.0.1:9/hook", name: `matrix-${randomUUID()}` } }),
    applied: async (call) => (await prisma.alertChannel.count({ where: { name: bodyOf(call).name } })) === 1,
  },
  {
    method: "PATCH",
    route: "/api/v1/alert-channels/[id]",
    handler: patchChannel as Handler,
    allowed: ALERT_MANAGERS,
    success: 200,
    prepare: async () => {
      const id = await freshChannel();
      return { path: `/api/v1/alert-channels/${id}`, params: { id }, body: { enabled: false } };
    },
    applied: async (call) => !(await prisma.alertChannel.findUniqueOrThrow({ where: { id: idParam(call) } })).enabled,
  },
  {
    method: "DELETE",
    route: "/api/v1/alert-channels/[id]",
    handler: deleteChannel as Handler,
    allowed: ALERT_MANAGERS,
    success: 200,
    prepare: async () => {
      const id = await freshChannel();
      return { path: `/api/v1/alert-channels/${id}`, params: { id } };
    },
    applied: async (call) => (await prisma.alertChannel.count({ where: { id: idParam(call) } })) === 0,
  },
  {
    method: "GET",
    route: "/api/v1/alert-channels/[id]/deliveries",
    handler: getDeliveries as Handler,
    allowed: ALERT_MANAGERS,
    success: 200,
    prepare: async () => {
      const id = await freshChannel();
      return { path: `/api/v1/alert-channels/${id}/deliveries`, params: { id } };
    },
  },
  {
    method: "POST",
    route: "/api/v1/alert-channels/[id]/test",
    handler: postChannelTest as Handler,
    allowed: ALERT_MANAGERS,
    // The receiver (port 9 on the loopback) refuses: the test still answers 200 with ok: false.
    success: 200,
    prepare: async () => {
      const id = await freshChannel();
      return { path: `/api/v1/alert-channels/${id}/test`, params: { id } };
    },
  },
  {
    method: "POST",
    route: "/api/v1/alert-rules",
    handler: postRule as Handler,
    allowed: ALERT_MANAGERS,
    success: 201,
    prepare: async () => ({ path: "/api/v1/alert-rules", body: { type: "unpriced_spend", name: `matrix ${randomUUID()}`, scope: { team: teamA.slug } } }),
    applied: async (call) => (await prisma.alertRule.count({ where: { name: bodyOf(call).name } })) === 1,
  },
  {
    method: "PATCH",
    route: "/api/v1/alert-rules/[id]",
    handler: patchRule as Handler,
    allowed: ALERT_MANAGERS,
    success: 200,
    prepare: async () => {
      const rule = await prisma.alertRule.create({ data: { name: `matrix ${randomUUID()}`, type: "unpriced_spend" } });
      return { path: `/api/v1/alert-rules/${rule.id}`, params: { id: rule.id }, body: { enabled: false } };
    },
    applied: async (call) => !(await prisma.alertRule.findUniqueOrThrow({ where: { id: idParam(call) } })).enabled,
  },
  {
    method: "DELETE",
    route: "/api/v1/alert-rules/[id]",
    handler: deleteRule as Handler,
    allowed: ALERT_MANAGERS,
    success: 200,
    prepare: async () => {
      // Added through the API (which makes the built-in rules first): only added rules can be deleted.
      const created = await read<{ id: string }>(
        await postRule(apiRequest("/api/v1/alert-rules", { key: keys["key:admin"], body: { type: "unpriced_spend", name: `matrix ${randomUUID()}` } })),
      );
      return { path: `/api/v1/alert-rules/${created.body.id}`, params: { id: created.body.id } };
    },
    applied: async (call) => (await prisma.alertRule.count({ where: { id: idParam(call) } })) === 0,
  },
  {
    method: "GET",
    route: "/api/v1/alerts",
    handler: getAlerts as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/alerts" }),
  },
  {
    method: "POST",
    route: "/api/v1/alerts/[id]/acknowledge",
    handler: postAcknowledge as Handler,
    // Any reader, for an alert of a team in their scope (team A).
    allowed: READ,
    success: 200,
    prepare: async () => {
      const alert = await prisma.alertEvent.create({
        data: { type: "spend.unpriced", dedupeKey: `matrix-${randomUUID()}`, scope: { team: teamA.slug }, periodStart: new Date("2026-11-01T00:00:00Z"), message: "matrix", payload: {} },
      });
      return { path: `/api/v1/alerts/${alert.id}/acknowledge`, params: { id: alert.id } };
    },
    applied: async (call) => (await prisma.alertEvent.findUniqueOrThrow({ where: { id: idParam(call) } })).state === "acknowledged",
  },
  // ---------------------------------------------------------------- quotas
  {
    method: "GET",
    route: "/api/v1/quota/allocations",
    handler: getAllocations as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/quota/allocations" }),
  },
  {
    method: "POST",
    route: "/api/v1/quota/allocations",
    handler: postAllocation as Handler,
    allowed: ADMIN,
    success: 201,
    prepare: async () => {
      const team = await createTestTeam();
      return { path: "/api/v1/quota/allocations", body: { team: team.slug, unit: "usd", amount: "100", period: "month" }, params: { teamId: team.id } };
    },
    applied: async (call) => (await prisma.quotaAllocation.count({ where: { teamId: call.params?.teamId ?? "" } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/quota/allocations/[id]",
    handler: getAllocation as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => {
      const id = await teamAAllocation();
      return { path: `/api/v1/quota/allocations/${id}`, params: { id } };
    },
  },
  {
    method: "PATCH",
    route: "/api/v1/quota/allocations/[id]",
    handler: patchAllocation as Handler,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const id = await teamAAllocation();
      return { path: `/api/v1/quota/allocations/${id}`, params: { id }, body: { amount: "321" } };
    },
    applied: async (call) => (await prisma.quotaAllocation.findUniqueOrThrow({ where: { id: idParam(call) } })).amount.toFixed() === "321",
  },
  {
    method: "DELETE",
    route: "/api/v1/quota/allocations/[id]",
    handler: deleteAllocation as Handler,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const id = await teamAAllocation();
      return { path: `/api/v1/quota/allocations/${id}`, params: { id } };
    },
    applied: async (call) => (await prisma.quotaAllocation.count({ where: { id: idParam(call) } })) === 0,
  },
  {
    method: "POST",
    route: "/api/v1/quota/check",
    handler: postQuotaCheck as Handler,
    allowed: INGEST,
    success: 200,
    prepare: async () => ({ path: "/api/v1/quota/check", body: { team: teamA.slug } }),
  },
  {
    method: "GET",
    route: "/api/v1/quota/requests",
    handler: getBursts as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/quota/requests" }),
  },
  {
    method: "POST",
    route: "/api/v1/quota/requests",
    handler: postBurst as Handler,
    // quota:request: admins, the lead of team A, admin keys.
    allowed: ["admin", "team_lead", "key:admin"],
    success: 201,
    prepare: async () => {
      const reason = `matrix ${randomUUID()}`;
      const now = Date.now();
      return {
        path: "/api/v1/quota/requests",
        body: { team: teamA.slug, amount: "10", starts_at: new Date(now).toISOString(), ends_at: new Date(now + 86_400_000).toISOString(), reason },
      };
    },
    applied: async (call) => (await prisma.burstRequest.count({ where: { reason: bodyOf(call).reason } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/quota/requests/[id]",
    handler: getBurst as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => {
      const id = await pendingBurst(null);
      return { path: `/api/v1/quota/requests/${id}`, params: { id } };
    },
  },
  ...[
    ["approve", approveBurst],
    ["reject", rejectBurst],
  ].map(
    ([verb, handler]): RouteCase => ({
      method: "POST",
      route: `/api/v1/quota/requests/[id]/${verb as string}`,
      handler: handler as Handler,
      allowed: ADMIN,
      success: 200,
      prepare: async () => {
        const id = await pendingBurst(null);
        return { path: `/api/v1/quota/requests/${id}/${verb as string}`, params: { id }, body: {} };
      },
      applied: async (call) =>
        (await prisma.burstRequest.findUniqueOrThrow({ where: { id: idParam(call) } })).status === (verb === "approve" ? "approved" : "rejected"),
    }),
  ),
  {
    method: "POST",
    route: "/api/v1/quota/requests/[id]/cancel",
    handler: cancelBurst as Handler,
    // Its requester (here: the caller) or an admin.
    allowed: ["admin", "team_lead", "key:admin"],
    success: 200,
    prepare: async (caller) => {
      const id = await pendingBurst(caller.userId);
      return { path: `/api/v1/quota/requests/${id}/cancel`, params: { id }, body: {} };
    },
    applied: async (call) => (await prisma.burstRequest.findUniqueOrThrow({ where: { id: idParam(call) } })).status === "cancelled",
  },
  {
    method: "GET",
    route: "/api/v1/quota/review",
    handler: getReview as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/quota/review" }),
  },
  // ---------------------------------------------------------------- analytics (all read-only, team-scoped)
  ...[
    ["/api/v1/spend", getSpend, "/api/v1/spend?from=2026-11-01&to=2026-11-02&group_by=team"],
    ["/api/v1/forecast", getForecast, "/api/v1/forecast?group_by=team"],
    ["/api/v1/outcomes/cost", getOutcomeCost, "/api/v1/outcomes/cost?from=2026-11-01&to=2026-11-02&type=resolved"],
    ["/api/v1/outcomes/report", getOutcomeReport, "/api/v1/outcomes/report?from=2026-11-01&to=2026-11-02"],
    ["/api/v1/cache", getCache, "/api/v1/cache?from=2026-11-01&to=2026-11-03"],
    ["/api/v1/tokens-per-request", getTokensPerRequest, "/api/v1/tokens-per-request?from=2026-11-01&to=2026-11-03"],
  ].map(
    ([route, handler, path]): RouteCase => ({
      method: "GET",
      route: route as string,
      handler: handler as Handler,
      allowed: READ,
      success: 200,
      prepare: async () => ({ path: path as string }),
    }),
  ),
  {
    method: "GET",
    route: "/api/v1/spend/export",
    handler: getSpendExport as Handler,
    // exports: every role but viewer, read and admin keys, the team-bound read key.
    allowed: ["admin", "finance", "team_lead", "key:read", "key:admin", "key:read@A"],
    success: 200,
    prepare: async () => ({ path: "/api/v1/spend/export?from=2026-11-01&to=2026-11-02&format=focus" }),
  },
  {
    method: "GET",
    route: "/api/v1/traces/[traceId]",
    handler: getTrace as Handler,
    allowed: READ,
    success: 200,
    prepare: async () => {
      // A call of team A: inside the scope of every reader in this matrix.
      const traceId = `tr-${randomUUID()}`;
      await prisma.usageEvent.create({
        data: {
          id: `evt-${randomUUID()}`,
          occurredAt: new Date("2026-11-01T10:00:00Z"),
          provider: "openai",
          model: "gpt-4o-mini",
          inputTokens: 10,
          outputTokens: 5,
          traceId,
          team: teamA.slug,
          pricingState: "unpriced",
        },
      });
      return { path: `/api/v1/traces/${traceId}`, params: { traceId } };
    },
  },
  // ---------------------------------------------------------------- operations
  {
    method: "GET",
    route: "/api/health",
    handler: getHealth as Handler,
    // Liveness for load balancers: needs no credentials and ignores them.
    allowed: CALLERS,
    success: 200,
    prepare: async () => ({ path: "/api/health" }),
  },
  {
    method: "GET",
    route: "/api/ready",
    handler: getReady as Handler,
    // Readiness for load balancers, the same for everyone; a live scheduler so that it is ready.
    allowed: CALLERS,
    success: 200,
    prepare: async () => {
      recordSchedulerStart(new Date(), ALERT_INTERVAL_MS);
      return { path: "/api/ready" };
    },
  },
  {
    method: "GET",
    route: "/api/metrics",
    handler: getMetrics as Handler,
    // In-process calls carry no X-Burnrate-Client-Ip, so the allow-list admits nobody here: credentials only.
    allowed: METRICS_READERS,
    success: 200,
    prepare: async () => ({ path: "/api/metrics" }),
  },
  {
    method: "GET",
    route: "/api/v1/integrations/activity",
    handler: getIngestActivity,
    // Installation-wide arrival counts, like the metrics: admins and read keys, not team-bound ones.
    allowed: METRICS_READERS,
    success: 200,
    prepare: async () => ({ path: "/api/v1/integrations/activity" }),
  },
  // A person's own notifications and badges: every role, no key (even an admin key: 403).
  {
    method: "GET",
    route: "/api/v1/notifications",
    handler: getNotifications,
    allowed: EVERY_ROLE,
    success: 200,
    prepare: async () => ({ path: "/api/v1/notifications?limit=5" }),
  },
  {
    method: "POST",
    route: "/api/v1/notifications/read",
    handler: markNotificationsRead,
    allowed: EVERY_ROLE,
    success: 200,
    prepare: async () => ({ path: "/api/v1/notifications/read", body: { all: true } }),
  },
  {
    method: "GET",
    route: "/api/v1/badges",
    handler: getBadges,
    allowed: EVERY_ROLE,
    success: 200,
    prepare: async () => ({ path: "/api/v1/badges" }),
  },
  {
    method: "POST",
    route: "/api/v1/users/me/sessions/revoke",
    handler: revokeOwnSessions,
    // Every signed-in person may end their own sessions; keys have none.
    allowed: EVERY_ROLE,
    success: 200,
    prepare: async (caller) => {
      const version = caller.userId ? (await prisma.user.findUniqueOrThrow({ where: { id: caller.userId } })).sessionVersion : 0;
      return { path: "/api/v1/users/me/sessions/revoke", body: {}, params: { userId: caller.userId ?? "", version: String(version) } };
    },
    // Applied: the caller's session version moved on. Then the caller signs in again, so the
    // cells after this one still have a session.
    applied: async (call) => {
      const userId = call.params?.userId ?? "";
      if (!userId) return false;
      const now = (await prisma.user.findUniqueOrThrow({ where: { id: userId } })).sessionVersion;
      const user = Object.values(users).find((u) => u.id === userId);
      if (user) user.cookie = await sessionCookieFor(userId);
      return now > Number(call.params?.version);
    },
  },
  // ---------------------------------------------------------------- reconciliation
  {
    method: "GET",
    route: "/api/v1/reconciliation",
    handler: getReconciliation,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => ({ path: "/api/v1/reconciliation?from=2026-11-01&to=2026-11-08" }),
  },
  {
    method: "GET",
    route: "/api/v1/reconciliation/connections",
    handler: getConnections,
    allowed: ADMIN,
    success: 200,
    prepare: async () => ({ path: "/api/v1/reconciliation/connections" }),
  },
  {
    method: "POST",
    route: "/api/v1/reconciliation/connections",
    handler: postConnection,
    allowed: ADMIN,
    success: 201,
    prepare: async () => ({
      path: "/api/v1/reconciliation/connections",
      body: { provider: "anthropic", admin_key: `sk-ant-admin01-${randomUUID()}`, base_url: "http://127.0.0.1:9" },
    }),
    applied: async (call) => (await prisma.reconciliationConnection.count({ where: { keyHint: `…${String(bodyOf(call).admin_key).slice(-4)}` } })) > 0,
  },
  {
    method: "DELETE",
    route: "/api/v1/reconciliation/connections/[id]",
    handler: deleteConnection as Handler,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const connection = await prisma.reconciliationConnection.create({
        data: { provider: "openai", baseUrl: "http://127.0.0.1:9", keyCiphertext: "v1.x.x.x.x", keyHint: "…test" },
        select: { id: true },
      });
      return { path: `/api/v1/reconciliation/connections/${connection.id}`, params: { id: connection.id } };
    },
    applied: async (call) => (await prisma.reconciliationConnection.count({ where: { id: idParam(call) } })) === 0,
  },
  {
    method: "POST",
    route: "/api/v1/reconciliation/run",
    handler: postReconciliationRun,
    allowed: ADMIN,
    success: 200,
    // No connections (the other cells' point nowhere): what is checked here is who may run it.
    prepare: async () => {
      await prisma.reconciliationConnection.deleteMany();
      return { path: "/api/v1/reconciliation/run", body: { from: "2026-11-01", to: "2026-11-02" } };
    },
  },
  {
    method: "GET",
    route: "/api/v1/tags",
    handler: getTagKeysRoute,
    // spend:read — every role and read keys (a bound key: its team's keys).
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/tags" }),
  },
  // ---------------------------------------------------------------- savings
  {
    method: "GET",
    route: "/api/v1/savings",
    handler: getSavingsRoute,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/savings?from=2026-11-01&to=2026-11-08" }),
  },
  {
    method: "GET",
    route: "/api/v1/savings/substitutes",
    handler: listSubstitutesRoute,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/savings/substitutes" }),
  },
  {
    method: "POST",
    route: "/api/v1/savings/substitutes",
    handler: createSubstituteRoute,
    allowed: ADMIN,
    success: 201,
    prepare: async () => ({ path: "/api/v1/savings/substitutes", body: { from: { provider: "matrix", model: `m-${randomUUID()}` }, to: { provider: "matrix", model: "small" } } }),
    applied: async (call) => (await prisma.savingsSubstitute.count({ where: { fromModel: String((bodyOf(call).from as unknown as { model: string }).model) } })) === 1,
  },
  {
    method: "DELETE",
    route: "/api/v1/savings/substitutes/[id]",
    handler: deleteSubstituteRoute as Handler,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const row = await prisma.savingsSubstitute.create({ data: { fromProvider: "matrix", fromModel: `m-${randomUUID()}`, toProvider: "matrix", toModel: "small" } });
      return { path: `/api/v1/savings/substitutes/${row.id}`, params: { id: row.id } };
    },
    applied: async (call) => (await prisma.savingsSubstitute.count({ where: { id: idParam(call) } })) === 0,
  },
  {
    method: "GET",
    route: "/api/v1/savings/deferrable",
    handler: listDeferrableRoute,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/savings/deferrable" }),
  },
  {
    method: "POST",
    route: "/api/v1/savings/deferrable",
    handler: markDeferrableRoute,
    // savings:defer for team A: admin, finance, A's lead, admin keys (a bound admin key is A's).
    allowed: ["admin", "finance", "team_lead", "key:admin"],
    success: 201,
    prepare: async () => ({ path: "/api/v1/savings/deferrable", body: { team: teamA.slug, feature: `f-${randomUUID()}` } }),
    applied: async (call) => (await prisma.deferrableFeature.count({ where: { feature: String(bodyOf(call).feature) } })) === 1,
  },
  {
    method: "DELETE",
    route: "/api/v1/savings/deferrable/[id]",
    handler: unmarkDeferrableRoute as Handler,
    allowed: ["admin", "finance", "team_lead", "key:admin"],
    success: 200,
    prepare: async () => {
      const row = await prisma.deferrableFeature.create({ data: { team: teamA.slug, feature: `f-${randomUUID()}` } });
      return { path: `/api/v1/savings/deferrable/${row.id}`, params: { id: row.id } };
    },
    applied: async (call) => (await prisma.deferrableFeature.count({ where: { id: idParam(call) } })) === 0,
  },
  {
    method: "POST",
    route: "/api/v1/savings/dismissals",
    handler: dismissSavingRoute,
    allowed: ["admin", "finance", "team_lead", "key:admin"],
    success: 201,
    prepare: async () => ({ path: "/api/v1/savings/dismissals", body: { kind: "model_swap", team: teamA.slug, feature: `f-${randomUUID()}` } }),
    applied: async (call) => (await prisma.savingsDismissal.count({ where: { feature: String(bodyOf(call).feature) } })) === 1,
  },
  {
    method: "GET",
    route: "/api/v1/feature-changes",
    handler: listFeatureChangesRoute,
    allowed: READ,
    success: 200,
    prepare: async () => ({ path: `/api/v1/feature-changes?team=${teamA.slug}` }),
  },
  {
    method: "POST",
    route: "/api/v1/feature-changes",
    handler: markFeatureChangeRoute,
    allowed: ["admin", "finance", "team_lead", "key:admin"],
    success: 201,
    prepare: async () => ({
      path: "/api/v1/feature-changes",
      body: { team: teamA.slug, feature: `f-${randomUUID()}`, at: "2026-11-20T00:00:00Z", description: "matrix change" },
    }),
    applied: async (call) => (await prisma.featureChange.count({ where: { feature: String(bodyOf(call).feature) } })) === 1,
  },
  {
    method: "DELETE",
    route: "/api/v1/feature-changes/[id]",
    handler: deleteFeatureChangeRoute as Handler,
    allowed: ["admin", "finance", "team_lead", "key:admin"],
    success: 200,
    prepare: async () => {
      const row = await prisma.featureChange.create({ data: { team: teamA.slug, feature: `f-${randomUUID()}`, at: new Date("2026-11-20T00:00:00Z"), description: "matrix" } });
      return { path: `/api/v1/feature-changes/${row.id}`, params: { id: row.id } };
    },
    applied: async (call) => (await prisma.featureChange.count({ where: { id: idParam(call) } })) === 0,
  },
  // ---------------------------------------------------------------- chargeback
  {
    method: "GET",
    route: "/api/v1/chargeback",
    handler: getChargebackRoute,
    allowed: CHARGEBACK_READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/chargeback?month=2026-11" }),
  },
  {
    method: "GET",
    route: "/api/v1/chargeback/statement",
    handler: getStatementRoute,
    allowed: CHARGEBACK_READ,
    success: 200,
    prepare: async () => ({ path: `/api/v1/chargeback/statement?month=2026-11&team=${teamA.slug}` }),
  },
  {
    method: "GET",
    route: "/api/v1/chargeback/months",
    handler: getClosedMonthsRoute,
    allowed: CHARGEBACK_READ,
    success: 200,
    prepare: async () => ({ path: "/api/v1/chargeback/months" }),
  },
  {
    method: "POST",
    route: "/api/v1/chargeback/close",
    handler: closeMonthRoute,
    allowed: ["admin", "finance", "key:admin"],
    success: 201,
    // Each cell closes a month of its own, long over.
    prepare: async () => ({ path: "/api/v1/chargeback/close", body: { month: nextMatrixMonth("2019") } }),
    applied: async (call) => (await prisma.chargebackClose.count({ where: { month: new Date(`${String(bodyOf(call).month)}-01T00:00:00Z`) } })) === 1,
  },
  {
    method: "DELETE",
    route: "/api/v1/chargeback/close",
    handler: reopenMonthRoute,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    // The newest closed month each time (only the newest may reopen).
    prepare: async () => {
      const month = nextMatrixMonth("2098");
      await prisma.chargebackClose.create({
        data: {
          month: new Date(`${month}-01T00:00:00Z`),
          closedBy: "matrix",
          totalUsd: "0",
          snapshot: { version: 1, month, allocation: { total_usd: "0.000000000000", unallocated_usd: "0.000000000000", unallocated_lines: [], rules: [], statements: [] }, rules: [], adjustments: [] },
        },
      });
      return { path: `/api/v1/chargeback/close?month=${month}`, params: { month } };
    },
    applied: async (call) => (await prisma.chargebackClose.count({ where: { month: new Date(`${call.params?.month}-01T00:00:00Z`) } })) === 0,
  },
  {
    method: "GET",
    route: "/api/v1/allocation-rules",
    handler: listAllocationRulesRoute,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => ({ path: "/api/v1/allocation-rules" }),
  },
  {
    method: "POST",
    route: "/api/v1/allocation-rules",
    handler: createAllocationRuleRoute,
    allowed: ["admin", "finance", "key:admin"],
    success: 201,
    prepare: async () => ({
      path: "/api/v1/allocation-rules",
      body: { name: `matrix ${randomUUID()}`, match: { team: null }, method: "even", effective_from: "2026-11" },
    }),
    applied: async (call) => (await prisma.allocationRule.count({ where: { name: String(bodyOf(call).name) } })) === 1,
  },
  {
    method: "POST",
    route: "/api/v1/allocation-rules/preview",
    handler: previewAllocationRuleRoute,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => ({
      path: "/api/v1/allocation-rules/preview",
      body: { name: "preview", match: { feature: "shared" }, method: "proportional", effective_from: "2026-11", month: "2026-11" },
    }),
  },
  {
    method: "GET",
    route: "/api/v1/allocation-rules/[id]",
    handler: getAllocationRuleRoute as Handler,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => {
      const rule = await matrixAllocationRule();
      return { path: `/api/v1/allocation-rules/${rule}`, params: { id: rule } };
    },
  },
  {
    method: "PATCH",
    route: "/api/v1/allocation-rules/[id]",
    handler: patchAllocationRuleRoute as Handler,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => {
      const rule = await matrixAllocationRule();
      return { path: `/api/v1/allocation-rules/${rule}`, params: { id: rule }, body: { name: "renamed by the matrix" } };
    },
    applied: async (call) => (await prisma.allocationRule.findUniqueOrThrow({ where: { id: idParam(call) } })).name === "renamed by the matrix",
  },
  {
    method: "DELETE",
    route: "/api/v1/allocation-rules/[id]",
    handler: deleteAllocationRuleRoute as Handler,
    allowed: ["admin", "finance", "key:admin"],
    success: 200,
    prepare: async () => {
      const rule = await matrixAllocationRule();
      return { path: `/api/v1/allocation-rules/${rule}`, params: { id: rule } };
    },
    applied: async (call) => (await prisma.allocationRule.count({ where: { id: idParam(call) } })) === 0,
  },
  // ---------------------------------------------------------------- price corrections
  {
    method: "PATCH",
    route: "/api/v1/prices/[id]",
    handler: patchPriceRoute as Handler,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const price = await prisma.price.create({
        data: { provider: "matrix", model: `m-${randomUUID()}`, effectiveFrom: new Date("2026-01-01T00:00:00Z"), inputPerMtok: "1", outputPerMtok: "2", cacheReadPerMtok: "1", cacheWritePerMtok: "1", reasoningPerMtok: "2" },
        select: { id: true },
      });
      return { path: `/api/v1/prices/${price.id}`, params: { id: price.id }, body: { input_per_mtok: "3" } };
    },
    applied: async (call) => (await prisma.price.findUniqueOrThrow({ where: { id: idParam(call) } })).inputPerMtok.toString() === "3",
  },
  {
    method: "DELETE",
    route: "/api/v1/prices/[id]",
    handler: deletePriceRoute as Handler,
    allowed: ADMIN,
    success: 200,
    prepare: async () => {
      const price = await prisma.price.create({
        data: { provider: "matrix", model: `m-${randomUUID()}`, effectiveFrom: new Date("2026-01-01T00:00:00Z"), inputPerMtok: "1", outputPerMtok: "2", cacheReadPerMtok: "1", cacheWritePerMtok: "1", reasoningPerMtok: "2" },
        select: { id: true },
      });
      return { path: `/api/v1/prices/${price.id}`, params: { id: price.id } };
    },
    applied: async (call) => (await prisma.price.count({ where: { id: idParam(call) } })) === 0,
  },
];

describe.each(ROUTES.map((route) => [`${route.method} ${route.route}`, route] as const))("%s", (_name, route) => {
  const cells = CALLERS.map((who) => {
    const allowed = route.allowed.includes(who);
    return [who, allowed ? `allowed (${route.success})` : who === "anonymous" ? "401" : "403", allowed] as const;
  });
  it.each(cells)("as %s → %s", async (who, _expected, allowed) => {
    const caller = callers[who];
    const call = await route.prepare(caller);
    const request = caller.request(call.path, { method: route.method, body: call.body, headers: call.headers });
    const { status, body } = await read(await route.handler(request, routeParams(call.params ?? {})));

    if (allowed) {
      expect({ status, body }).toMatchObject({ status: route.success });
    } else if (who === "anonymous") {
      expect({ status, body }).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
    } else {
      expect({ status, body }).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    }
    if (route.applied) expect(await route.applied(call)).toBe(allowed && route.success < 300);
  });
});

// ------------------------------------------------------------------ team scope

describe("team scope: other teams are invisible, not forbidden", () => {
  it("answers 404 to a team lead asking for another team by id, and leaks nothing about it", async () => {
    const response = await read(
      await getTeam(sessionRequest(`/api/v1/teams/${teamB.id}`, { cookie: users.team_lead.cookie }), routeParams({ id: teamB.id })),
    );
    expect(response).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect(JSON.stringify(response.body)).not.toContain(teamB.slug);
    // Exactly like an id that does not exist at all.
    const missing = randomUUID();
    const none = await getTeam(sessionRequest(`/api/v1/teams/${missing}`, { cookie: users.team_lead.cookie }), routeParams({ id: missing }));
    expect(none.status).toBe(404);
  });

  it("lists only the team lead's own teams", async () => {
    const { status, body } = await read<{ teams: { slug: string; members: { email: string; role: string }[] }[] }>(
      await getTeams(sessionRequest("/api/v1/teams", { cookie: users.team_lead.cookie })),
    );
    expect(status).toBe(200);
    expect(body.teams.map((t) => t.slug)).toEqual([teamA.slug]);
    expect(body.teams[0]?.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: users.team_lead.email, role: "lead" }),
        expect.objectContaining({ email: users.viewer.email, role: "member" }),
      ]),
    );
  });

  it("holds a viewer and a team-bound read key to their team the same way", async () => {
    const viewerList = await read<{ teams: { slug: string }[] }>(
      await getTeams(sessionRequest("/api/v1/teams", { cookie: users.viewer.cookie })),
    );
    expect(viewerList.body.teams.map((t) => t.slug)).toEqual([teamA.slug]);
    const boundList = await read<{ teams: { slug: string }[] }>(
      await getTeams(apiRequest("/api/v1/teams", { key: keys["key:read@A"], method: "GET" })),
    );
    expect(boundList.body.teams.map((t) => t.slug)).toEqual([teamA.slug]);
    const other = await getTeam(apiRequest(`/api/v1/teams/${teamB.id}`, { key: keys["key:read@A"], method: "GET" }), routeParams({ id: teamB.id }));
    expect(other.status).toBe(404);
  });

  it("shows finance and installation-wide read keys every team", async () => {
    for (const request of [
      sessionRequest("/api/v1/teams", { cookie: users.finance.cookie }),
      apiRequest("/api/v1/teams", { key: keys["key:read"], method: "GET" }),
    ]) {
      const { body } = await read<{ teams: { slug: string }[] }>(await getTeams(request));
      expect(body.teams.map((t) => t.slug)).toEqual(expect.arrayContaining([teamA.slug, teamB.slug]));
    }
  });
});

// ------------------------------------------------------------------ roles

describe("a team lead cannot manage users", () => {
  it("is refused (403) changing another user's role, and the role stays", async () => {
    const response = await patchUser(
      sessionRequest(`/api/v1/users/${users.viewer.id}`, { cookie: users.team_lead.cookie, method: "PATCH", body: { role: "admin" } }),
      routeParams({ id: users.viewer.id }),
    );
    expect(response.status).toBe(403);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: users.viewer.id } })).role).toBe("viewer");
  });

  it("is refused (403) changing their own role", async () => {
    const response = await patchUser(
      sessionRequest(`/api/v1/users/${users.team_lead.id}`, { cookie: users.team_lead.cookie, method: "PATCH", body: { role: "admin" } }),
      routeParams({ id: users.team_lead.id }),
    );
    expect(response.status).toBe(403);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: users.team_lead.id } })).role).toBe("team_lead");
  });
});

// ------------------------------------------------------------------ minting keys

async function mint(cookie: string, body: unknown) {
  return read<Record<string, unknown>>(await postKeys(sessionRequest("/api/v1/keys", { cookie, method: "POST", body })));
}

describe("a key is never wider than its creator", () => {
  it("refuses a team lead an admin-scoped key (403 naming scopes)", async () => {
    const { status, body } = await mint(users.team_lead.cookie, { name: "too wide", scopes: ["admin"], team: teamA.slug });
    expect(status).toBe(403);
    expect(detailPaths(body)).toEqual(["scopes"]);
    expect(await prisma.apiKey.count({ where: { name: "too wide" } })).toBe(0);
  });

  it("refuses a team lead a key for a team they do not lead, or for no team (403 naming team)", async () => {
    const other = await mint(users.team_lead.cookie, { name: "not my team", scopes: ["ingest"], team: teamB.slug });
    expect(other.status).toBe(403);
    expect(detailPaths(other.body)).toEqual(["team"]);
    const unbound = await mint(users.team_lead.cookie, { name: "no team", scopes: ["read"] });
    expect(unbound.status).toBe(403);
    expect(detailPaths(unbound.body)).toEqual(["team"]);
    // A viewer in that team is not its lead either.
    const viewerKey = await mint(users.viewer.cookie, { name: "viewer key", scopes: ["read"], team: teamA.slug });
    expect(viewerKey.status).toBe(403);
  });

  it("refuses finance an ingest key (finance reads, it never sends)", async () => {
    const { status, body } = await mint(users.finance.cookie, { name: "finance ingest", scopes: ["ingest"] });
    expect(status).toBe(403);
    expect(detailPaths(body)).toEqual(["scopes"]);
    const readKey = await mint(users.finance.cookie, { name: "finance read", scopes: ["read"] });
    expect(readKey).toMatchObject({ status: 201, body: { scopes: ["read"], team: null, created_by: users.finance.email } });
  });

  describe("a team lead's ingest key for their own team", () => {
    let secret: string;

    beforeAll(async () => {
      const { status, body } = await mint(users.team_lead.cookie, { name: `lead ingest ${randomUUID()}`, scopes: ["ingest"], team: teamA.slug });
      expect(status).toBe(201);
      expect(body).toMatchObject({ scopes: ["ingest"], team: teamA.slug, created_by: users.team_lead.email });
      secret = body.secret as string;
      expect(secret).toMatch(/^br_/);
    });

    async function send(events: Record<string, unknown>[]) {
      return read<{ accepted: number; rejected: number; errors: { index: number; path: string }[] }>(
        await postEvents(apiRequest("/api/v1/events", { key: secret, body: { events } })),
      );
    }

    it("refuses an event tagged with another team (path tags.team) and stores nothing", async () => {
      const foreign = contractEvent({ tags: { team: teamB.slug, feature: "x" } });
      const { status, body } = await send([foreign]);
      expect(status).toBe(400);
      expect(body).toMatchObject({ accepted: 0, rejected: 1 });
      expect(body.errors).toEqual([expect.objectContaining({ index: 0, path: "tags.team" })]);
      expect(await prisma.usageEvent.count({ where: { id: foreign.id as string } })).toBe(0);
    });

    it("stores an untagged event as the key's team, and its own team's events as they are", async () => {
      const untagged = contractEvent({ tags: { feature: "search" } });
      const own = contractEvent({ tags: { team: teamA.slug } });
      const foreign = contractEvent({ tags: { team: teamB.slug } });
      const { status, body } = await send([untagged, own, foreign]);
      expect(status).toBe(207);
      expect(body).toMatchObject({ accepted: 2, rejected: 1 });
      expect(body.errors).toEqual([expect.objectContaining({ index: 2, path: "tags.team" })]);
      // A team-bound key's ids live in its team's id space (lib/ingestion/ingest-events.ts ingestScope).
      const stored = (id: unknown) => scopedItemId(id as string, `team:${teamA.id}`);
      expect((await prisma.usageEvent.findFirstOrThrow({ where: { id: stored(untagged.id) } })).team).toBe(teamA.slug);
      expect((await prisma.usageEvent.findFirstOrThrow({ where: { id: stored(own.id) } })).team).toBe(teamA.slug);
    });

    it("holds outcomes and OTLP spans to the key's team as well", async () => {
      const outcome = (team?: string) => ({
        id: `out-${randomUUID()}`,
        timestamp: "2026-11-02T10:00:00Z",
        trace_id: `tr-${randomUUID()}`,
        type: "resolved",
        success: true,
        ...(team ? { tags: { team } } : {}),
      });
      const foreignOutcome = outcome(teamB.slug);
      const untaggedOutcome = outcome();
      const outcomes = await read<{ accepted: number; errors: { index: number; path: string }[] }>(
        await postOutcomes(apiRequest("/api/v1/outcomes", { key: secret, body: { outcomes: [foreignOutcome, untaggedOutcome] } })),
      );
      expect(outcomes.status).toBe(207);
      expect(outcomes.body.errors).toEqual([expect.objectContaining({ index: 0, path: "tags.team" })]);
      expect(await prisma.outcome.count({ where: { id: foreignOutcome.id } })).toBe(0);
      expect((await prisma.outcome.findUniqueOrThrow({ where: { id: scopedItemId(untaggedOutcome.id, `team:${teamA.id}`) } })).team).toBe(teamA.slug);

      const traceId = randomBytes(16).toString("hex");
      const spans = otlpBody(traceId, [{ key: "burnrate.team", value: { stringValue: teamB.slug } }]);
      const otlp = await read<{ partialSuccess?: { rejectedSpans: string; errorMessage?: string } }>(
        await postOtlp(apiRequest("/api/v1/otlp/v1/traces", { key: secret, body: spans })),
      );
      expect(otlp.status).toBe(200);
      expect(otlp.body.partialSuccess?.rejectedSpans).toBe("1");
      expect(otlp.body.partialSuccess?.errorMessage).toContain("tags.team");
      expect(await prisma.usageEvent.count({ where: { traceId } })).toBe(0);
    });

    it("cannot read with it (ingest only)", async () => {
      expect((await getPrices(apiRequest("/api/v1/prices", { key: secret, method: "GET" }))).status).toBe(403);
    });
  });
});

// ------------------------------------------------------------------ cookies and origins

describe("cookie-authenticated writes must come from this site", () => {
  const createTeam = (origin: string | null, headers?: Record<string, string>) => {
    const slug = uniqueSlug("csrf");
    return { slug, request: sessionRequest("/api/v1/teams", { cookie: users.admin.cookie, method: "POST", body: { slug, name: slug }, origin, headers }) };
  };

  it("refuses a POST with a foreign Origin (403) and changes nothing", async () => {
    const { slug, request } = createTeam("https://evil.example");
    expect(await read(await postTeams(request))).toMatchObject({ status: 403, body: { error: { code: "forbidden" } } });
    expect(await prisma.team.count({ where: { slug } })).toBe(0);
  });

  it("refuses a POST with neither Origin nor Sec-Fetch-Site (403)", async () => {
    const { slug, request } = createTeam(null);
    expect((await postTeams(request)).status).toBe(403);
    expect(await prisma.team.count({ where: { slug } })).toBe(0);
  });

  it("refuses Sec-Fetch-Site: cross-site without an Origin, accepts same-origin", async () => {
    const cross = createTeam(null, { "sec-fetch-site": "cross-site" });
    expect((await postTeams(cross.request)).status).toBe(403);
    const same = createTeam(null, { "sec-fetch-site": "same-origin" });
    expect((await postTeams(same.request)).status).toBe(201);
  });

  it("accepts the same Origin, and reads (GET) need no Origin", async () => {
    const { request } = createTeam(SAME_ORIGIN);
    expect((await postTeams(request)).status).toBe(201);
    const foreignRead = sessionRequest("/api/v1/teams", { cookie: users.admin.cookie, origin: "https://evil.example" });
    expect((await getTeams(foreignRead)).status).toBe(200);
  });

  it("refuses PATCH, PUT and DELETE from a foreign Origin too", async () => {
    const team = await createTestTeam();
    const member = await createTestUser({ role: "viewer", teams: [{ slug: team.slug, role: "member" }] });
    const evil = { cookie: users.admin.cookie, origin: "https://evil.example" };
    const renamed = await patchTeam(
      sessionRequest(`/api/v1/teams/${team.id}`, { ...evil, method: "PATCH", body: { name: "Owned" } }),
      routeParams({ id: team.id }),
    );
    const promoted = await putMember(
      sessionRequest(`/api/v1/teams/${team.id}/members`, { ...evil, method: "PUT", body: { email: member.email, role: "lead" } }),
      routeParams({ id: team.id }),
    );
    const removed = await deleteMember(
      sessionRequest(`/api/v1/teams/${team.id}/members/${member.id}`, { ...evil, method: "DELETE" }),
      routeParams({ id: team.id, userId: member.id }),
    );
    expect([renamed.status, promoted.status, removed.status]).toEqual([403, 403, 403]);
    expect((await prisma.team.findUniqueOrThrow({ where: { id: team.id } })).name).toBe(team.slug);
    expect(await prisma.teamMembership.findUniqueOrThrow({ where: { userId_teamId: { userId: member.id, teamId: team.id } } })).toMatchObject({
      role: "member",
    });
  });

  it("needs no Origin for API-key writes (browsers never send keys on their own)", async () => {
    const slug = uniqueSlug("keyed");
    const response = await postTeams(apiRequest("/api/v1/teams", { key: keys["key:admin"], body: { slug, name: slug } }));
    expect(response.status).toBe(201);
  });
});

describe("sessions and keys that no longer count", () => {
  it("answers 401 to a disabled user's cookie", async () => {
    const disabled = await createTestUser({ role: "admin", disabled: true });
    const response = await read(await getTeams(sessionRequest("/api/v1/teams", { cookie: disabled.cookie })));
    expect(response).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
  });

  it("answers 401 once a signed-in user is disabled (checked on every request)", async () => {
    const user = await createTestUser({ role: "viewer" });
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie: user.cookie }))).status).toBe(200);
    await prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie: user.cookie }))).status).toBe(401);
  });

  it("answers 401 to a tampered cookie", async () => {
    const [name, value = ""] = users.admin.cookie.split("=", 2) as [string, string?];
    const last = value.at(-2) === "A" ? "B" : "A";
    const tampered = `${name}=${value.slice(0, -2)}${last}${value.slice(-1)}`;
    expect(tampered).not.toBe(users.admin.cookie);
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie: tampered }))).status).toBe(401);
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie: `${name}=not-a-token` }))).status).toBe(401);
  });

  it("answers 401 to an expired session cookie", async () => {
    const cookie = `${sessionCookieName()}=${await encodeSessionToken(users.admin.id, -60)}`;
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie }))).status).toBe(401);
  });

  it("answers 401 to a cookie minted with another secret", async () => {
    const forged = await encode({ token: { sub: users.admin.id }, secret: randomBytes(32).toString("base64url"), maxAge: 3600 });
    const cookie = `${sessionCookieName()}=${forged}`;
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie }))).status).toBe(401);
  });

  it("answers 401 to a valid cookie for a user who does not exist", async () => {
    const cookie = await sessionCookieFor(randomUUID());
    expect((await getTeams(sessionRequest("/api/v1/teams", { cookie }))).status).toBe(401);
  });

  it("answers 401 to a revoked key, right after the revoke", async () => {
    const key = await createTestKeyFor({ scopes: ["read"] });
    expect((await getPrices(apiRequest("/api/v1/prices", { key: key.secret, method: "GET" }))).status).toBe(200);
    const revoked = await revokeKeyRoute(
      apiRequest(`/api/v1/keys/${key.id}/revoke`, { key: keys["key:admin"] }),
      routeParams({ id: key.id }),
    );
    expect(revoked.status).toBe(200);
    const after = await read(await getPrices(apiRequest("/api/v1/prices", { key: key.secret, method: "GET" })));
    expect(after).toMatchObject({ status: 401, body: { error: { code: "unauthorized" } } });
  });

  it("answers 401 to an expired key", async () => {
    const key = await createTestKeyFor({ scopes: ["read"], expiresAt: new Date(Date.now() - 1000) });
    expect((await getPrices(apiRequest("/api/v1/prices", { key: key.secret, method: "GET" }))).status).toBe(401);
  });

  it("never rescues a bad key with a good cookie", async () => {
    const request = sessionRequest("/api/v1/teams", {
      cookie: users.admin.cookie,
      headers: { authorization: "Bearer br_notARealKey" },
    });
    expect((await getTeams(request)).status).toBe(401);
  });
});
