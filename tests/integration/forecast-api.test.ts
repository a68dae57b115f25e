import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getForecastRoute } from "@/app/api/v1/forecast/route";
import { teamScope, type Principal } from "@/lib/auth/permissions";
import { forecastMonthEnd, type DailyCost } from "@/lib/budgets/forecast";
import {
  forecastJson,
  forecastSpend,
  queryForecast,
  spendForecastFromDaily,
  type ForecastJson,
} from "@/lib/budgets/forecast-spend";
import { statusesForBudgets } from "@/lib/budgets/status";
import { getPool } from "@/lib/db";
import { forecastQuerySchema } from "@/lib/schemas/forecast";
import { createTestKeyFor, createTestTeam, createTestUser, detailPaths, read, type TestTeam } from "../factories/users";
import { budgetRequest, costOf, dailyOf, everyDay, principalOf, usd, type BudgetAuth } from "../factories/budgets";
import { createUsageWorld, type UsageRowSpec, type UsageWorld } from "../factories/usage-rows";

/**
 * Forecasts without a budget (GET /api/v1/forecast and lib/budgets/forecast-spend.ts) on
 * usage ingested through POST /api/v1/events ($1 per million input tokens: `usd(at, 2)`
 * costs exactly $2). Exact figures at a fixed NOW through the lib (the route uses the real
 * clock; its answers are checked against the same computation at the `as_of` it reports).
 *
 * At NOW = Wed 2026-11-18 12:00 UTC (the window reads through the end of the 12:00 hour):
 *   team A / rewrite: $2 every day Oct 1..Nov 17, $1 today 09:30, $50 today 13:00 (not yet seen)
 *     → spent 17 × 2 + 1 = 35; flat $2 a day for the 12.5 days left → forecast 60, range 60–60
 *   team A / summarize, tenant acme: $3 on Nov 5
 *   team B, environment production: $4 on Nov 10
 *   untagged: $5 on Nov 12
 */

const NOW = new Date("2026-11-18T12:00:00Z");
const NOV = { monthStart: new Date("2026-11-01T00:00:00Z"), monthEnd: new Date("2026-12-01T00:00:00Z") };
const usd12 = (amount: string) => `${amount}.000000000000`;

let world: UsageWorld;
let teamA: TestTeam;
let teamB: TestTeam;
let teamC: TestTeam;
let rewriteRows: UsageRowSpec[];
let teamARows: UsageRowSpec[];
let teamBRows: UsageRowSpec[];
let untaggedRows: UsageRowSpec[];
let teamCRows: UsageRowSpec[];
let admin: { cookie: string };
let lead: { cookie: string };
let viewer: { cookie: string };
let readKey: BudgetAuth;
let boundKeyB: BudgetAuth;
let ingestKey: BudgetAuth;

const seenAtNow = (rows: UsageRowSpec[]) => rows.filter((row) => Date.parse(row.at) < Date.parse("2026-11-18T13:00:00Z"));
const daily = (rows: UsageRowSpec[]): DailyCost[] => dailyOf(seenAtNow(rows), costOf);
const expected = (rows: UsageRowSpec[]) => forecastMonthEnd({ ...NOV, now: NOW, daily: daily(rows) });

/** The figures of a forecast as forecastMonthEnd names them. */
function figures(json: Pick<ForecastJson, "spent_usd" | "forecast_usd" | "low_usd" | "high_usd" | "method" | "basis_days">) {
  return { actualUsd: json.spent_usd, forecastUsd: json.forecast_usd, lowUsd: json.low_usd, highUsd: json.high_usd, method: json.method, basisDays: json.basis_days };
}

async function atNow(auth: { key: string } | { cookie: string }, params: Record<string, string> = {}): Promise<ForecastJson> {
  const principal: Principal = await principalOf(auth);
  return queryForecast({ principal, now: NOW }, forecastQuerySchema.parse(params));
}

async function route(auth: BudgetAuth, params: Record<string, string> = {}) {
  const query = new URLSearchParams(params).toString();
  return read<ForecastJson>(await getForecastRoute(budgetRequest(`/api/v1/forecast${query ? `?${query}` : ""}`, auth)));
}

beforeAll(async () => {
  world = await createUsageWorld();
  teamA = await createTestTeam();
  teamB = await createTestTeam();
  teamC = await createTestTeam();
  admin = await createTestUser({ role: "admin" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: teamA.slug, role: "lead" }] });
  viewer = await createTestUser({ role: "viewer", teams: [{ slug: teamA.slug, role: "member" }] });
  readKey = { key: (await createTestKeyFor({ scopes: ["read"] })).secret };
  boundKeyB = { key: (await createTestKeyFor({ scopes: ["read"], teamId: teamB.id })).secret };
  ingestKey = { key: (await createTestKeyFor({ scopes: ["ingest"] })).secret };

  const rewrite = { team: teamA.slug, feature: "rewrite" };
  rewriteRows = [
    ...everyDay("2026-10-01", "2026-11-18", 2, rewrite),
    usd("2026-11-18T09:30:00Z", 1, rewrite),
    usd("2026-11-18T13:00:00Z", 50, rewrite),
  ];
  teamARows = [...rewriteRows, usd("2026-11-05T08:00:00Z", 3, { team: teamA.slug, feature: "summarize", tenant: "acme" })];
  teamBRows = [usd("2026-11-10T12:00:00Z", 4, { team: teamB.slug, environment: "production" })];
  untaggedRows = [usd("2026-11-12T20:00:00Z", 5)];
  // Team C spends $7 on each of the 10 days before today (real clock), for the route's own answers.
  const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  teamCRows = Array.from({ length: 10 }, (_, i) => usd(`${new Date(today - (10 - i) * 86_400_000).toISOString().slice(0, 10)}T10:00:00Z`, 7, { team: teamC.slug, feature: "chat" }));
  await world.ingest([...teamARows, ...teamBRows, ...untaggedRows, ...teamCRows]);
});

describe("forecasts at a fixed time (lib)", () => {
  it("forecasts one feature exactly: spent 35, forecast 60, range 60–60, 13 days left", async () => {
    const body = await atNow({ cookie: admin.cookie }, { team: teamA.slug, feature: "rewrite" });
    expect(body).toMatchObject({
      currency: "USD",
      month: "2026-11",
      period_start: "2026-11-01T00:00:00.000Z",
      period_end: "2026-12-01T00:00:00.000Z",
      as_of: NOW.toISOString(),
      days_left: 13,
      spent_usd: usd12("35"),
      forecast_usd: usd12("60"),
      low_usd: usd12("60"),
      high_usd: usd12("60"),
      method: "weekday_mean+trend",
      basis_days: 28,
      enough_history: true,
      filters: { team: teamA.slug, feature: "rewrite" },
      group_by: [],
      groups: [],
    });
    expect(figures(body)).toEqual(expected(rewriteRows));
    expect(body.days).toHaveLength(30);
    expect(body.days[17]).toEqual({
      day: "2026-11-18",
      actual_cumulative_usd: usd12("35"),
      forecast_cumulative_usd: usd12("36"),
      low_cumulative_usd: usd12("36"),
      high_cumulative_usd: usd12("36"),
    });
  });

  it("forecasts all spend, a team and a tenant from their own daily series", async () => {
    const everything = await atNow(readKey as { key: string });
    expect(figures(everything)).toEqual(expected([...teamARows, ...teamBRows, ...untaggedRows, ...teamCRows]));
    // Nov: 35 + 3 + 4 + 5 (team C's days are in December: history, not this month).
    expect(everything.spent_usd).toBe(usd12("47"));
    expect(figures(await atNow({ cookie: admin.cookie }, { team: teamA.slug }))).toEqual(expected(teamARows));
    const acme = await atNow({ cookie: admin.cookie }, { tenant: "acme" });
    expect(figures(acme)).toEqual(expected(teamARows.filter((row) => row.tags?.tenant === "acme")));
    // History from Nov 5: 13 complete days averaging 3/13 → 3 + 12.5 × 3/13 = 76.5/13.
    expect(acme).toMatchObject({ spent_usd: usd12("3"), forecast_usd: "5.884615384615", method: "recent_mean", basis_days: 13 });
  });

  it("groups in one answer: each group's forecast from its own series, by forecast descending", async () => {
    const body = await atNow({ cookie: admin.cookie }, { group_by: "team" });
    expect(body.group_by).toEqual(["team"]);
    const byTeam = new Map(body.groups.map((g) => [g.team, g]));
    expect(figures(byTeam.get(teamA.slug) as ForecastJson)).toEqual(expected(teamARows));
    expect(figures(byTeam.get(teamB.slug) as ForecastJson)).toEqual(expected(teamBRows));
    expect(figures(byTeam.get(null) as ForecastJson)).toEqual(expected(untaggedRows));
    // The total is still all spend.
    expect(figures(body)).toEqual(expected([...teamARows, ...teamBRows, ...untaggedRows, ...teamCRows]));
    const forecasts = body.groups.map((g) => Number(g.forecast_usd));
    expect(forecasts).toEqual([...forecasts].sort((a, b) => b - a));

    const features = await atNow({ cookie: admin.cookie }, { team: teamA.slug, group_by: "feature,tenant" });
    expect(features.groups.map((g) => [g.feature, g.tenant, g.spent_usd])).toEqual([
      ["rewrite", null, usd12("35")],
      ["summarize", "acme", usd12("3")],
    ]);
    expect(figures(features.groups[1] as ForecastJson)).toEqual(expected(teamARows.filter((row) => row.tags?.feature === "summarize")));
  });

  it("agrees with a budget of the same scope to the last digit", async () => {
    const scope = { team: teamA.slug, feature: "rewrite" };
    const [status] = await statusesForBudgets(getPool(), NOW, [
      { id: randomUUID(), name: "same scope", scope, period: "month", amountUsd: usd12("100"), thresholds: [], archived: false },
    ]);
    const { forecast } = await forecastSpend(getPool(), { now: NOW, scope: { kind: "all" }, filters: scope });
    expect([forecast.spentUsd, forecast.forecastUsd, forecast.lowUsd, forecast.highUsd, forecast.method]).toEqual([
      status?.forecast.actualUsd,
      status?.forecast.forecastUsd,
      status?.forecast.lowUsd,
      status?.forecast.highUsd,
      status?.forecast.method,
    ]);
  });

  it("scopes a lead's and a viewer's all spend to their teams; a team-bound key to its team", async () => {
    const teamAOnly = figures(await atNow({ cookie: admin.cookie }, { team: teamA.slug }));
    expect(figures(await atNow(lead as { cookie: string }))).toEqual(teamAOnly);
    expect(figures(await atNow(viewer as { cookie: string }))).toEqual(teamAOnly);
    const grouped = await atNow(lead as { cookie: string }, { group_by: "team" });
    expect(grouped.groups.map((g) => g.team)).toEqual([teamA.slug]);
    expect(figures(await atNow(boundKeyB as { key: string }))).toEqual(expected(teamBRows));
  });

  it("a team filter outside the caller's teams is a 403 naming team", async () => {
    const leadPrincipal = await principalOf(lead as { cookie: string });
    await expect(queryForecast({ principal: leadPrincipal, now: NOW }, forecastQuerySchema.parse({ team: teamB.slug }))).rejects.toMatchObject({
      code: "forbidden",
      details: [{ path: "team" }],
    });
  });
});

describe("GET /api/v1/forecast (real clock)", () => {
  /** What the route should have answered at its own `as_of`, from the rows ingested. */
  function expectedAt(asOf: string, rows: UsageRowSpec[], filters: Record<string, string>): ForecastJson {
    const now = new Date(asOf);
    const seen = rows.filter((row) => Date.parse(row.at) <= now.getTime());
    return forecastJson(spendForecastFromDaily(now, dailyOf(seen, costOf)), filters);
  }

  it("answers a team's forecast for the current month, exactly", async () => {
    const { status, body } = await route({ cookie: admin.cookie }, { team: teamC.slug });
    expect(status).toBe(200);
    expect(body).toEqual(expectedAt(body.as_of, teamCRows, { team: teamC.slug }));
    expect(body.basis_days).toBeGreaterThanOrEqual(10);
    expect(body.enough_history).toBe(true);
    expect(body.month).toBe(new Date().toISOString().slice(0, 7));
  });

  it("gives a lead, a viewer and a read key their scope; 403 naming `team` outside it", async () => {
    for (const auth of [lead, viewer]) {
      const mine = await route(auth, {});
      expect(mine.status).toBe(200);
      const principal = await principalOf(auth as { cookie: string });
      expect(teamScope(principal)).toEqual({ kind: "teams", slugs: [teamA.slug] });
      expect(mine.body).toEqual(await queryForecast({ principal, now: new Date(mine.body.as_of) }, forecastQuerySchema.parse({})));
      const other = await route(auth, { team: teamC.slug });
      expect(other.status).toBe(403);
      expect(other.body).toMatchObject({ error: { code: "forbidden" } });
      expect(detailPaths(other.body)).toEqual(["team"]);
    }
    const all = await route(readKey, { group_by: "team" });
    expect(all.status).toBe(200);
    expect(all.body.groups.find((g) => g.team === teamC.slug)).toMatchObject(
      Object.fromEntries(Object.entries(expectedAt(all.body.as_of, teamCRows, {})).filter(([k]) => ["spent_usd", "forecast_usd", "low_usd", "high_usd", "method", "basis_days"].includes(k))),
    );
    const bound = await route(boundKeyB, { team: teamA.slug });
    expect(bound.status).toBe(403);
    expect(detailPaths(bound.body)).toEqual(["team"]);
  });

  it("refuses bad queries at their names, anonymous callers and ingest keys", async () => {
    const typo = await route({ cookie: admin.cookie }, { teams: teamA.slug });
    expect(typo.status).toBe(400);
    expect(detailPaths(typo.body)).toEqual(["teams"]);
    const badGroup = await route({ cookie: admin.cookie }, { group_by: "day" });
    expect(badGroup.status).toBe(400);
    expect(detailPaths(badGroup.body)).toEqual(["group_by"]);
    const empty = await route({ cookie: admin.cookie }, { team: "" });
    expect(empty.status).toBe(400);
    expect(detailPaths(empty.body)).toEqual(["team"]);
    expect((await route(null)).status).toBe(401);
    expect((await route(ingestKey)).status).toBe(403);
  });
});
