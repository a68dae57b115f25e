import { beforeAll, describe, expect, it } from "vitest";
import { GET as getBurndownRoute } from "@/app/api/v1/budgets/[id]/burndown/route";
import { DELETE as deleteBudgetRoute, GET as getBudgetRoute, PATCH as patchBudgetRoute } from "@/app/api/v1/budgets/[id]/route";
import { GET as listBudgetsRoute } from "@/app/api/v1/budgets/route";
import type { Principal } from "@/lib/auth/permissions";
import { getBudgetBurndown, getBudgetOrThrow, listBudgets, type BudgetView, type BurndownView } from "@/lib/budgets/budgets";
import { forecastMonthEnd, type DailyCost } from "@/lib/budgets/forecast";
import { budgetStatuses } from "@/lib/budgets/status";
import { getPool, prisma } from "@/lib/db";
import { createTestKey } from "../factories/api-keys";
import {
  budgetBody,
  budgetRequest,
  costOf,
  createTestBudget,
  dailyOf,
  everyDay,
  postBudget,
  principalOf,
  usd,
  type BudgetAuth,
} from "../factories/budgets";
import { createUsageWorld, type UsageRowSpec, type UsageWorld } from "../factories/usage-rows";
import { createTestTeam, createTestUser, detailPaths, read, routeParams, type TestTeam } from "../factories/users";

/**
 * Budgets through their routes and lib functions, on usage ingested through POST
 * /api/v1/events ($1 per million input tokens: `usd(at, 2)` costs exactly $2). Spend and
 * forecasts are checked at a fixed NOW through the lib functions (the routes use the real
 * clock); expected figures are worked out by hand below.
 *
 * At NOW = Wed 2026-11-18 12:00 UTC (the window reads through the end of the 12:00 hour):
 *   team A / rewrite: $2 every day Oct 15..Nov 17, +$1 on Oct 31 at 23:59:59.999, $1 today 09:30
 *     → this month 17 × 2 + 1 = 35; $50 at 13:00 today and $100 on Nov 20 are not yet spent.
 *   team A / summarize, tenant acme: $3 on Nov 5          → team A this month 38
 *   team B, environment production: $4 on Nov 10
 *   untagged: $5 on Nov 12 at 23:59:59.999                → whole organisation 47
 */

const NOW = new Date("2026-11-18T12:00:00Z");
const NOV = { monthStart: new Date("2026-11-01T00:00:00Z"), monthEnd: new Date("2026-12-01T00:00:00Z") };

let world: UsageWorld;
let teamA: TestTeam;
let teamB: TestTeam;
let adminKey: BudgetAuth;
let readKey: BudgetAuth;
let ingestKey: BudgetAuth;
let admin: { cookie: string };
let finance: { cookie: string };
let lead: { cookie: string };
let viewer: { cookie: string };
let adminPrincipal: Principal;

let rewriteRows: UsageRowSpec[];
let teamARows: UsageRowSpec[];
let allRows: UsageRowSpec[];

/** The spend rows a forecast at NOW sees: those before the end of NOW's hour. */
const seenAtNow = (rows: UsageRowSpec[]) => rows.filter((row) => Date.parse(row.at) < Date.parse("2026-11-18T13:00:00Z"));
const daily = (rows: UsageRowSpec[]): DailyCost[] => dailyOf(seenAtNow(rows), costOf);

beforeAll(async () => {
  world = await createUsageWorld();
  teamA = await createTestTeam();
  teamB = await createTestTeam();
  adminKey = { key: await createTestKey(["admin"]) };
  readKey = { key: await createTestKey(["read"]) };
  ingestKey = { key: await createTestKey(["ingest"]) };
  admin = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: teamA.slug, role: "lead" }] });
  viewer = await createTestUser({ role: "viewer", teams: [{ slug: teamA.slug, role: "member" }] });
  adminPrincipal = await principalOf(admin);

  const rewrite = { team: teamA.slug, feature: "rewrite" };
  rewriteRows = [
    ...everyDay("2026-10-15", "2026-11-18", 2, rewrite),
    usd("2026-10-31T23:59:59.999Z", 1, rewrite),
    usd("2026-11-18T09:30:00Z", 1, rewrite),
    usd("2026-11-18T13:00:00Z", 50, rewrite),
    usd("2026-11-20T10:00:00Z", 100, rewrite),
  ];
  teamARows = [...rewriteRows, usd("2026-11-05T08:00:00Z", 3, { team: teamA.slug, feature: "summarize", tenant: "acme" })];
  allRows = [
    ...teamARows,
    usd("2026-11-10T12:00:00Z", 4, { team: teamB.slug, environment: "production" }),
    usd("2026-11-12T23:59:59.999Z", 5),
  ];
  await world.ingest(allRows);
});

const budgetPath = (id: string) => `/api/v1/budgets/${id}`;

async function getOne(auth: BudgetAuth, id: string) {
  return read<BudgetView>(await getBudgetRoute(budgetRequest(budgetPath(id), auth), routeParams({ id })));
}

async function patch(auth: BudgetAuth, id: string, body: unknown) {
  return read<BudgetView>(await patchBudgetRoute(budgetRequest(budgetPath(id), auth, { method: "PATCH", body }), routeParams({ id })));
}

async function archive(auth: BudgetAuth, id: string) {
  return read<BudgetView>(await deleteBudgetRoute(budgetRequest(budgetPath(id), auth, { method: "DELETE" }), routeParams({ id })));
}

async function list(auth: BudgetAuth) {
  return read<{ budgets: BudgetView[] }>(await listBudgetsRoute(budgetRequest("/api/v1/budgets", auth)));
}

const usd12 = (amount: string) => `${amount}.000000000000`;

describe("POST /api/v1/budgets", () => {
  it("creates a budget: 201 with the contract's object and the extensions", async () => {
    const { status, body } = await postBudget(adminKey, {
      name: "Search rewrite",
      scope: { team: teamA.slug, feature: "rewrite" },
      period: "month",
      amount_usd: "1500.5",
      thresholds: [100, 50, 80, 50],
    });
    expect(status).toBe(201);
    expect(Object.keys(body).sort()).toEqual(
      [
        "id",
        "name",
        "scope",
        "period",
        "amount_usd",
        "thresholds",
        "spent_usd",
        "forecast_usd",
        "forecast_low_usd",
        "forecast_high_usd",
        "forecast_method",
        "forecast_basis_days",
        "status",
        "percent_used",
        "forecast_percent",
        "crossed_thresholds",
        "period_start",
        "period_end",
        "created_at",
        "archived",
        "enforce",
        "cap",
      ].sort(),
    );
    expect(body).toMatchObject({
      name: "Search rewrite",
      scope: { team: teamA.slug, feature: "rewrite" },
      period: "month",
      amount_usd: "1500.500000000000",
      thresholds: [50, 80, 100],
      archived: false,
    });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const field of ["spent_usd", "forecast_usd", "forecast_low_usd", "forecast_high_usd"] as const) {
      expect(body[field]).toMatch(/^\d+\.\d{12}$/);
    }
    // The real clock's month.
    const now = new Date();
    expect(body.period_start).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString());
    expect(body.period_end).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString());
    const stored = await prisma.budget.findUniqueOrThrow({ where: { id: body.id } });
    expect(stored.amountUsd.toFixed()).toBe("1500.5");
    expect(stored.thresholds).toEqual([50, 80, 100]);
    expect(stored.team).toBe(teamA.slug);
    expect(stored.tenant).toBeNull();
  });

  it("defaults thresholds to [50, 80, 100] and period to month; takes amounts as exact numbers", async () => {
    const { status, body } = await postBudget(adminKey, { name: "Org", scope: {}, amount_usd: 99.95 });
    expect(status).toBe(201);
    expect(body).toMatchObject({ scope: {}, period: "month", amount_usd: "99.950000000000", thresholds: [50, 80, 100] });
    const tiny = await postBudget(adminKey, budgetBody({ amount_usd: 1e-12 }));
    expect(tiny.status).toBe(201);
    expect(tiny.body.amount_usd).toBe("0.000000000001");
  });

  it("a finance session creates budgets; the creator is recorded", async () => {
    const { status, body } = await postBudget(finance, budgetBody({ name: "Finance's", scope: { team: teamB.slug } }));
    expect(status).toBe(201);
    const user = await principalOf(finance);
    const stored = await prisma.budget.findUniqueOrThrow({ where: { id: body.id } });
    expect(stored.createdById).toBe(user.kind === "user" ? user.userId : "?");
  });

  it("refuses bad input with 400 naming each field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [budgetBody({ amount_usd: "-1" }), "amount_usd"],
      [budgetBody({ amount_usd: 0 }), "amount_usd"],
      [budgetBody({ amount_usd: "0" }), "amount_usd"],
      [budgetBody({ amount_usd: "1e3" }), "amount_usd"],
      [budgetBody({ amount_usd: "1.0000000000001" }), "amount_usd"],
      [budgetBody({ amount_usd: 0.1 + 0.2 }), "amount_usd"],
      [budgetBody({ amount_usd: "1000000000000" }), "amount_usd"],
      [budgetBody({ amount_usd: undefined }), "amount_usd"],
      [budgetBody({ thresholds: [50, 0] }), "thresholds.1"],
      [budgetBody({ thresholds: [1001] }), "thresholds.0"],
      [budgetBody({ thresholds: [50.5] }), "thresholds.0"],
      [budgetBody({ thresholds: "50,80" }), "thresholds"],
      // A new slug registers the team (tests/integration/teams-planning.test.ts); only a slug
      // that could not be a team's is refused.
      [budgetBody({ scope: { team: "No such team!" } }), "scope.team"],
      [budgetBody({ scope: { user: "u1" } }), "scope.user"],
      [budgetBody({ scope: { feature: "" } }), "scope.feature"],
      [budgetBody({ scope: undefined }), "scope"],
      [budgetBody({ period: "week" }), "period"],
      [budgetBody({ name: " " }), "name"],
      [budgetBody({ owner: "me" }), "owner"],
    ];
    for (const [body, path] of cases) {
      const response = await postBudget(adminKey, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(detailPaths(response.body), JSON.stringify(body)).toContain(path);
    }
    expect(await prisma.budget.count({ where: { name: "Test budget", amountUsd: { lte: 0 } } })).toBe(0);
  });

  it("a bad amount and an unknown field are both named at once; nothing is stored", async () => {
    const before = await prisma.budget.count();
    const amount = await postBudget(adminKey, budgetBody({ amount_usd: "x", extra: 1 }));
    expect(amount.status).toBe(400);
    expect(detailPaths(amount.body).sort()).toEqual(["amount_usd", "extra"]);
    expect(await prisma.budget.count()).toBe(before);
  });

  it("only finance, admins and admin keys may create: a team lead, a viewer, a read key get 403", async () => {
    for (const auth of [lead, viewer, readKey, ingestKey]) {
      const { status } = await postBudget(auth, budgetBody({ scope: { team: teamA.slug } }));
      expect(status).toBe(403);
    }
    expect((await postBudget(null, budgetBody())).status).toBe(401);
  });
});

describe("spend and forecast (lib, at a fixed now)", () => {
  let ids: Record<string, string>;

  beforeAll(async () => {
    const make = async (name: string, scope: Record<string, string>, amount: string) =>
      (await createTestBudget(adminKey, { name: `spend ${name}`, scope, amount_usd: amount })).id;
    ids = {
      org: await make("org", {}, "100"),
      teamA: await make("teamA", { team: teamA.slug }, "50"),
      rewrite: await make("rewrite", { team: teamA.slug, feature: "rewrite" }, "40"),
      rewriteOver: await make("rewrite over", { team: teamA.slug, feature: "rewrite" }, "30"),
      teamB: await make("teamB", { team: teamB.slug }, "10"),
      production: await make("production", { environment: "production" }, "1000"),
      acme: await make("acme", { tenant: "acme" }, "10"),
      summarizeAcme: await make("summarize acme", { team: teamA.slug, feature: "summarize", tenant: "acme" }, "10"),
      globex: await make("globex", { team: teamA.slug, tenant: "globex" }, "10"),
    };
  });

  async function view(key: string): Promise<BudgetView> {
    return getBudgetOrThrow({ principal: adminPrincipal, now: NOW }, { id: ids[key] ?? "" });
  }

  it("spent_usd per scope: org-wide, team, team + feature, environment, tenant", async () => {
    const spent = async (key: string) => (await view(key)).spent_usd;
    expect(await spent("org")).toBe(usd12("47"));
    expect(await spent("teamA")).toBe(usd12("38"));
    expect(await spent("rewrite")).toBe(usd12("35"));
    expect(await spent("teamB")).toBe(usd12("4"));
    expect(await spent("production")).toBe(usd12("4"));
    expect(await spent("acme")).toBe(usd12("3"));
    expect(await spent("summarizeAcme")).toBe(usd12("3"));
    expect(await spent("globex")).toBe(usd12("0"));
  });

  it("the forecast is forecastMonthEnd on the scope's daily series", async () => {
    // Team A / rewrite, by hand: basis Oct 21..Nov 17, $2 a day except Saturday Oct 31 ($3): Saturday
    // baseline (2 + 3 + 2 + 2) / 4 = 2.25, others 2, trend 1. Left: half of today (1) + Nov 19..30 with
    // Saturdays 21 and 28 (10 × 2 + 2 × 2.25 = 24.5) → 25.5; forecast 35 + 25.5 = 60.5.
    const rewrite = await view("rewrite");
    const expected = forecastMonthEnd({ ...NOV, now: NOW, daily: daily(rewriteRows) });
    expect(expected.forecastUsd).toBe("60.500000000000");
    expect(expected.basisDays).toBe(28);
    expect(rewrite).toMatchObject({
      spent_usd: expected.actualUsd,
      forecast_usd: expected.forecastUsd,
      forecast_low_usd: expected.lowUsd,
      forecast_high_usd: expected.highUsd,
      forecast_method: expected.method,
      forecast_basis_days: 28,
    });
    for (const [key, rows] of [
      ["teamA", teamARows],
      ["org", allRows],
    ] as const) {
      const forecast = forecastMonthEnd({ ...NOV, now: NOW, daily: daily(rows) });
      expect(await view(key)).toMatchObject({
        spent_usd: forecast.actualUsd,
        forecast_usd: forecast.forecastUsd,
        forecast_low_usd: forecast.lowUsd,
        forecast_high_usd: forecast.highUsd,
      });
    }
    // A scope with no spend at all.
    expect(await view("globex")).toMatchObject({ forecast_usd: usd12("0"), forecast_method: "no_history", forecast_basis_days: 0 });
  });

  it("percent used, status and crossed thresholds", async () => {
    expect(await view("rewrite")).toMatchObject({
      percent_used: "87.50",
      forecast_percent: "151.25",
      status: "at_risk",
      crossed_thresholds: [50, 80],
      period_start: "2026-11-01T00:00:00.000Z",
      period_end: "2026-12-01T00:00:00.000Z",
    });
    expect(await view("rewriteOver")).toMatchObject({ percent_used: "116.67", status: "over", crossed_thresholds: [50, 80, 100] });
    expect(await view("teamB")).toMatchObject({ percent_used: "40.00", crossed_thresholds: [] });
    expect(await view("production")).toMatchObject({ percent_used: "0.40", status: "ok", crossed_thresholds: [] });
  });

  it("budgetStatuses: the exact shape, the team scope, and budgets by id", async () => {
    const all = await budgetStatuses(getPool(), NOW, { kind: "all" });
    const rewrite = all.find((s) => s.budget.id === ids.rewrite);
    expect(rewrite).toEqual({
      budget: {
        id: ids.rewrite,
        name: "spend rewrite",
        scope: { team: teamA.slug, feature: "rewrite" },
        period: "month",
        amountUsd: usd12("40"),
        thresholds: [50, 80, 100],
        archived: false,
      },
      periodStart: NOV.monthStart,
      periodEnd: NOV.monthEnd,
      spentUsd: usd12("35"),
      forecast: forecastMonthEnd({ ...NOV, now: NOW, daily: daily(rewriteRows) }),
      percentUsed: "87.50",
      forecastPercent: "151.25",
      status: "at_risk",
      crossedThresholds: [50, 80],
    });
    const scoped = await budgetStatuses(getPool(), NOW, { kind: "teams", slugs: [teamA.slug] });
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.every((s) => s.budget.scope.team === teamA.slug)).toBe(true);
    expect(scoped.map((s) => s.budget.id)).toEqual(expect.arrayContaining([ids.teamA, ids.rewrite, ids.globex]));
    const byId = await budgetStatuses(getPool(), NOW, { kind: "all" }, [ids.org ?? "", ids.acme ?? ""]);
    expect(byId.map((s) => s.spentUsd).sort()).toEqual([usd12("3"), usd12("47")]);
    expect(await budgetStatuses(getPool(), NOW, { kind: "all" }, ["not-a-uuid"])).toEqual([]);
    // A team-scoped caller asking by id still gets only their teams' budgets.
    expect(await budgetStatuses(getPool(), NOW, { kind: "teams", slugs: [teamA.slug] }, [ids.org ?? "", ids.teamB ?? ""])).toEqual([]);
  });

  it("the burn-down: cumulative actual to today, forecast band after, the budget line", async () => {
    const burndown: BurndownView = await getBudgetBurndown({ principal: adminPrincipal, now: NOW }, { id: ids.rewrite ?? "" });
    expect(burndown.budget.id).toBe(ids.rewrite);
    expect(burndown.days).toHaveLength(30);
    expect(burndown.days[0]).toEqual({
      day: "2026-11-01",
      actual_cumulative_usd: usd12("2"),
      forecast_cumulative_usd: usd12("2"),
      low_cumulative_usd: usd12("2"),
      high_cumulative_usd: usd12("2"),
      budget_usd: usd12("40"),
    });
    expect(burndown.days[16]).toMatchObject({ day: "2026-11-17", actual_cumulative_usd: usd12("34"), forecast_cumulative_usd: usd12("34") });
    // Today: $35 so far + half a Wednesday at $2.
    expect(burndown.days[17]).toMatchObject({ day: "2026-11-18", actual_cumulative_usd: usd12("35"), forecast_cumulative_usd: usd12("36") });
    // Saturday the 21st at 2.25: 36 + 2 + 2 + 2.25.
    expect(burndown.days[20]).toMatchObject({ day: "2026-11-21", actual_cumulative_usd: null, forecast_cumulative_usd: "42.250000000000" });
    expect(burndown.days[29]).toMatchObject({
      day: "2026-11-30",
      actual_cumulative_usd: null,
      forecast_cumulative_usd: burndown.budget.forecast_usd,
      low_cumulative_usd: burndown.budget.forecast_low_usd,
      high_cumulative_usd: burndown.budget.forecast_high_usd,
    });
  });
});

describe("team scoping", () => {
  let orgId: string;
  let teamAId: string;
  let teamBId: string;

  beforeAll(async () => {
    orgId = (await createTestBudget(adminKey, { name: "scoping org", scope: {} })).id;
    teamAId = (await createTestBudget(adminKey, { name: "scoping A", scope: { team: teamA.slug } })).id;
    teamBId = (await createTestBudget(adminKey, { name: "scoping B", scope: { team: teamB.slug } })).id;
  });

  it("a team lead and a viewer see only their team's budgets", async () => {
    for (const auth of [lead, viewer]) {
      const { status, body } = await list(auth);
      expect(status).toBe(200);
      const listed = body.budgets.map((b) => b.id);
      expect(listed).toContain(teamAId);
      expect(listed).not.toContain(orgId);
      expect(listed).not.toContain(teamBId);
      expect(body.budgets.every((b) => b.scope.team === teamA.slug)).toBe(true);
      // The same at a fixed now through the lib.
      const fixed = await listBudgets({ principal: await principalOf(auth), now: NOW });
      expect(fixed.map((b) => b.id)).toEqual(listed);
    }
  });

  it("finance, admins and read keys see every budget", async () => {
    for (const auth of [finance, admin, readKey, adminKey]) {
      const { status, body } = await list(auth);
      expect(status).toBe(200);
      expect(body.budgets.map((b) => b.id)).toEqual(expect.arrayContaining([orgId, teamAId, teamBId]));
    }
  });

  it("another team's or an org-wide budget is 404 for a team lead, their own is 200", async () => {
    expect((await getOne(lead, teamBId)).status).toBe(404);
    expect((await getOne(lead, orgId)).status).toBe(404);
    expect((await getOne(viewer, teamBId)).status).toBe(404);
    const own = await getOne(lead, teamAId);
    expect(own.status).toBe(200);
    expect(own.body.scope).toEqual({ team: teamA.slug });
    const burndown = await read(await getBurndownRoute(budgetRequest(`${budgetPath(teamBId)}/burndown`, lead), routeParams({ id: teamBId })));
    expect(burndown.status).toBe(404);
    expect((await getOne(lead, "not-a-uuid")).status).toBe(404);
    expect((await getOne(admin, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
  });

  it("a team lead may not change or archive budgets, even their team's: 403", async () => {
    expect((await patch(lead, teamAId, { name: "mine now" })).status).toBe(403);
    expect((await archive(lead, teamAId)).status).toBe(403);
    expect((await archive(readKey, teamAId)).status).toBe(403);
    expect((await prisma.budget.findUniqueOrThrow({ where: { id: teamAId } })).name).toBe("scoping A");
  });

  it("ingest keys and anonymous callers cannot read budgets", async () => {
    expect((await list(ingestKey)).status).toBe(403);
    expect((await list(null)).status).toBe(401);
  });
});

describe("PATCH, DELETE and the audit log", () => {
  it("PATCH changes only the allowed fields and audits before/after", async () => {
    const created = await createTestBudget(finance, { name: "to edit", scope: { team: teamA.slug, feature: "rewrite" }, amount_usd: "40" });
    const { status, body } = await patch(finance, created.id, {
      name: "edited",
      amount_usd: 75.25,
      thresholds: [90, 25],
      scope: { team: teamB.slug, environment: "production" },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: created.id,
      name: "edited",
      amount_usd: "75.250000000000",
      thresholds: [25, 90],
      scope: { team: teamB.slug, environment: "production" },
    });
    const audit = await prisma.auditLog.findMany({ where: { targetType: "budget", targetId: created.id }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => entry.action)).toEqual(["budget.create", "budget.update"]);
    const [createEntry, updateEntry] = audit;
    expect(createEntry?.before).toBeNull();
    expect(createEntry?.after).toEqual({
      name: "to edit",
      scope: { team: teamA.slug, feature: "rewrite" },
      period: "month",
      amount_usd: usd12("40"),
      thresholds: [50, 80, 100],
      archived_at: null,
      enforce: null,
    });
    expect(createEntry?.teamId).toBe(teamA.id);
    expect(updateEntry?.before).toEqual(createEntry?.after);
    expect(updateEntry?.after).toEqual({
      name: "edited",
      scope: { team: teamB.slug, environment: "production" },
      period: "month",
      amount_usd: "75.250000000000",
      thresholds: [25, 90],
      archived_at: null,
      enforce: null,
    });
    expect(updateEntry?.teamId).toBe(teamB.id);
    expect(updateEntry?.actorLabel).toMatch(/@example\.test$/);
  });

  it("PATCH is a strict allow-list and validates like POST", async () => {
    const created = await createTestBudget(adminKey, { name: "strict", scope: { team: teamA.slug } });
    const cases: [unknown, string][] = [
      [{ period: "month" }, "period"],
      [{ archived: false }, "archived"],
      [{ id: "00000000-0000-4000-8000-000000000000" }, "id"],
      [{ amount_usd: "0" }, "amount_usd"],
      [{ thresholds: [0] }, "thresholds.0"],
      [{ scope: { team: "No such team!" } }, "scope.team"],
    ];
    for (const [body, path] of cases) {
      const response = await patch(adminKey, created.id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(detailPaths(response.body), JSON.stringify(body)).toContain(path);
    }
    expect((await patch(adminKey, created.id, {})).status).toBe(400);
    // Only the name: the rest stays; scope null tags mean "any".
    expect((await patch(adminKey, created.id, { name: "renamed" })).body).toMatchObject({ name: "renamed", scope: { team: teamA.slug } });
    expect((await patch(adminKey, created.id, { scope: { team: null, tenant: "acme" } })).body.scope).toEqual({ tenant: "acme" });
    expect((await patch(adminKey, "00000000-0000-4000-8000-000000000000", { name: "x" })).status).toBe(404);
  });

  it("DELETE archives: 200, hidden from the list, still readable by id, audited once, no longer editable", async () => {
    const created = await createTestBudget(adminKey, { name: "to archive", scope: { team: teamA.slug } });
    const { status, body } = await archive(admin, created.id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: created.id, archived: true });
    for (const auth of [admin, lead]) {
      expect((await list(auth)).body.budgets.map((b) => b.id)).not.toContain(created.id);
    }
    expect((await getOne(admin, created.id)).body.archived).toBe(true);
    expect((await patch(admin, created.id, { name: "zombie" })).status).toBe(409);
    expect((await archive(admin, created.id)).status).toBe(200);
    const audit = await prisma.auditLog.findMany({ where: { targetType: "budget", targetId: created.id }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => entry.action)).toEqual(["budget.create", "budget.update"]);
    expect(audit[1]?.before).toMatchObject({ archived_at: null, name: "to archive" });
    expect((audit[1]?.after as { archived_at: string | null }).archived_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(audit[1]?.teamId).toBe(teamA.id);
    // Archived budgets are not active: budgetStatuses leaves them out unless asked by id.
    expect((await budgetStatuses(getPool(), NOW, { kind: "all" })).map((s) => s.budget.id)).not.toContain(created.id);
    expect((await budgetStatuses(getPool(), NOW, { kind: "all" }, [created.id]))[0]?.budget.archived).toBe(true);
  });
});

describe("the routes on the real clock", () => {
  it("GET /budgets/{id} and its burn-down count this month's spend", async () => {
    const team = await createTestTeam();
    const now = new Date();
    const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const at = new Date(Math.max(monthStart, now.getTime() - 30_000)).toISOString();
    await world.ingest([usd(at, "1.5", { team: team.slug, feature: "live" })]);
    const created = await createTestBudget(adminKey, { name: "live", scope: { team: team.slug, feature: "live" }, amount_usd: "3" });
    expect(created.spent_usd).toBe("1.500000000000");
    const { status, body } = await getOne(readKey, created.id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ spent_usd: "1.500000000000", percent_used: "50.00", crossed_thresholds: [50] });
    expect(Number(body.forecast_usd)).toBeGreaterThanOrEqual(1.5);

    const burndown = await read<BurndownView>(
      await getBurndownRoute(budgetRequest(`${budgetPath(created.id)}/burndown`, readKey), routeParams({ id: created.id })),
    );
    expect(burndown.status).toBe(200);
    const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
    expect(burndown.body.days).toHaveLength(daysInMonth);
    expect(burndown.body.days.every((d) => d.budget_usd === "3.000000000000")).toBe(true);
    // The run rate moves with the clock between calls: compare within one response.
    expect(burndown.body.days.at(-1)?.forecast_cumulative_usd).toBe(burndown.body.budget.forecast_usd);
    expect(burndown.body.budget.spent_usd).toBe("1.500000000000");
    expect(Object.keys(burndown.body).sort()).toEqual(["budget", "days"]);
  });
});
