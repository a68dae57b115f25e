import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/spend/route";
import { aggregateSpend, type SpendMeasures, type SpendResult, type SpendRow } from "@/lib/analytics/spend";
import { getPool, prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createUsageWorld, type UsageModels } from "../factories/usage-rows";
import { createTestKeyFor, createTestUser, detailPaths, read, sessionRequest } from "../factories/users";

/**
 * GET /api/v1/spend on hand-built usage, ingested through POST /api/v1/events. Prices
 * (usage-rows factory): $1/M input, $10/M output, $0.10/M cache read, $1.25/M cache
 * write, $10/M reasoning. Every expected figure below is worked out by hand.
 */

let models: UsageModels;
let readKey: string;

const NOV = { from: "2026-11-01", to: "2026-12-01" };
const ALL_TAGS = { team: "search", feature: "rewrite", environment: "production" };

beforeAll(async () => {
  const world = await createUsageWorld();
  models = world.models;
  readKey = await createTestKey(["read"]);
  await world.ingest([
    // e1 at `from` exactly: 1000 in + 100 out = 0.002
    { at: "2026-11-01T00:00:00Z", tags: { ...ALL_TAGS, tenant: "acme", user: "u1", prompt_version: "v1" } },
    // e11: same hour as e2 but before 10:15: 1000 in = 0.001
    { at: "2026-11-01T10:05:00Z", output: 0, tags: ALL_TAGS },
    // e2, a retry: 2000 in + 200 out = 0.004
    { at: "2026-11-01T10:15:00Z", input: 2000, output: 200, attempt: 2, tags: { ...ALL_TAGS, tenant: "globex", user: "u2" } },
    // e3: (2000 * 1 + 1000 * 0.1) in + 100 out = 0.0031
    {
      at: "2026-11-02T08:00:00Z",
      provider: "anthropic",
      input: 3000,
      output: 100,
      cacheRead: 1000,
      tags: { team: "search", feature: "summarize", environment: "production", user: "u1" },
    },
    // e4, batch tier (no entry of its own: the standard price):
    // (8000 * 1 + 2000 * 1.25) in + (500 * 10 + 500 * 10) out = 0.0205
    {
      at: "2026-11-15T12:30:00Z",
      serviceTier: "batch",
      input: 10000,
      output: 1000,
      cacheCreation: 2000,
      reasoning: 500,
      tags: { team: "support", feature: "chat", environment: "staging" },
    },
    // e5, untagged, 1 ms before the end of Nov 20th: 5000 in = 0.005
    { at: "2026-11-20T23:59:59.999Z", input: 5000, output: 0 },
    // e6, unpriced
    { at: "2026-11-21T01:00:00Z", provider: "inhouse", input: 100, output: 10, tags: { team: "support" } },
    // e7, answered from the app's cache: no tokens, no cost
    { at: "2026-11-30T23:59:59Z", input: 0, output: 0, cacheHit: true, tags: ALL_TAGS },
    // e8 exactly at `to` (Dec 1st): 0.002; e9 1 ms before Nov: 0.002; e10 in December: 0.004
    { at: "2026-12-01T00:00:00Z", tags: { team: "search" } },
    { at: "2026-10-31T23:59:59.999Z", tags: { team: "search" } },
    { at: "2026-12-05T12:00:00Z", input: 4000, output: 0, tags: { team: "search" } },
  ]);
});

const ZERO: SpendMeasures = {
  cost_usd: "0.000000000000",
  requests: 0,
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
  reasoning_output_tokens: 0,
  response_cache_hits: 0,
  retries: 0,
  unpriced_requests: 0,
  reported_cost_usd: null,
  retry_cost_usd: "0.000000000000",
  error_cost_usd: "0.000000000000",
};
const m = (measures: Partial<SpendMeasures>): SpendMeasures => ({ ...ZERO, ...measures });

const NOV_TOTAL = m({
  cost_usd: "0.035600000000",
  requests: 8,
  input_tokens: 22100,
  output_tokens: 1410,
  cache_read_input_tokens: 1000,
  cache_creation_input_tokens: 2000,
  reasoning_output_tokens: 500,
  response_cache_hits: 1,
  retries: 1,
  retry_cost_usd: "0.004000000000",
  unpriced_requests: 1,
});
const SEARCH = m({
  cost_usd: "0.010100000000",
  requests: 5,
  input_tokens: 7000,
  output_tokens: 400,
  cache_read_input_tokens: 1000,
  response_cache_hits: 1,
  retries: 1,
  retry_cost_usd: "0.004000000000",
});
const SUPPORT = m({
  cost_usd: "0.020500000000",
  requests: 2,
  input_tokens: 10100,
  output_tokens: 1010,
  cache_creation_input_tokens: 2000,
  reasoning_output_tokens: 500,
  unpriced_requests: 1,
});
const UNTAGGED = m({ cost_usd: "0.005000000000", requests: 1, input_tokens: 5000 });

type Auth = { key: string } | { cookie: string } | null;

async function spend(params: Record<string, string>, auth: Auth = { key: readKey }) {
  const path = `/api/v1/spend?${new URLSearchParams(params).toString()}`;
  const request =
    auth && "cookie" in auth
      ? sessionRequest(path, { cookie: auth.cookie })
      : apiRequest(path, { method: "GET", key: auth?.key });
  return read<SpendResult>(await GET(request));
}

async function ok(params: Record<string, string>, auth?: Auth): Promise<SpendResult> {
  const { status, body } = await spend(params, auth);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

describe("GET /api/v1/spend: grouping", () => {
  it("groups by team: most expensive first, untagged as null, total over everything", async () => {
    const body = await ok({ ...NOV, group_by: "team" });
    expect(body).toEqual({
      currency: "USD",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-12-01T00:00:00.000Z",
      group_by: ["team"],
      rows: [
        { team: "support", ...SUPPORT },
        { team: "search", ...SEARCH },
        { team: null, ...UNTAGGED },
      ],
      total: NOV_TOTAL,
      truncated: false,
    });
  });

  it("groups by team and feature, ties broken by the keys", async () => {
    const body = await ok({ ...NOV, group_by: "team,feature" });
    expect(body.group_by).toEqual(["team", "feature"]);
    expect(body.rows).toEqual([
      { team: "support", feature: "chat", ...m({ cost_usd: "0.020500000000", requests: 1, input_tokens: 10000, output_tokens: 1000, cache_creation_input_tokens: 2000, reasoning_output_tokens: 500 }) },
      { team: "search", feature: "rewrite", ...m({ cost_usd: "0.007000000000", requests: 4, input_tokens: 4000, output_tokens: 300, retries: 1, retry_cost_usd: "0.004000000000", response_cache_hits: 1 }) },
      { team: null, feature: null, ...UNTAGGED },
      { team: "search", feature: "summarize", ...m({ cost_usd: "0.003100000000", requests: 1, input_tokens: 3000, output_tokens: 100, cache_read_input_tokens: 1000 }) },
      { team: "support", feature: null, ...m({ requests: 1, input_tokens: 100, output_tokens: 10, unpriced_requests: 1 }) },
    ]);
    expect(body.total).toEqual(NOV_TOTAL);
  });

  it("groups by UTC day; equal costs in day order", async () => {
    const body = await ok({ ...NOV, group_by: "day" });
    expect(body.rows.map((row) => [row.day, row.cost_usd, row.requests])).toEqual([
      ["2026-11-15", "0.020500000000", 1],
      ["2026-11-01", "0.007000000000", 3],
      ["2026-11-20", "0.005000000000", 1],
      ["2026-11-02", "0.003100000000", 1],
      ["2026-11-21", "0.000000000000", 1],
      ["2026-11-30", "0.000000000000", 1],
    ]);
    expect(body.rows[0]).toEqual({ day: "2026-11-15", ...m({ cost_usd: "0.020500000000", requests: 1, input_tokens: 10000, output_tokens: 1000, cache_creation_input_tokens: 2000, reasoning_output_tokens: 500 }) });
  });

  it("groups by UTC month", async () => {
    const body = await ok({ from: "2026-10-01", to: "2027-01-01", group_by: "month" });
    expect(body.rows).toEqual([
      { month: "2026-11", ...NOV_TOTAL },
      { month: "2026-12", ...m({ cost_usd: "0.006000000000", requests: 2, input_tokens: 5000, output_tokens: 100 }) },
      { month: "2026-10", ...m({ cost_usd: "0.002000000000", requests: 1, input_tokens: 1000, output_tokens: 100 }) },
    ]);
    expect(body.total).toEqual(m({ ...NOV_TOTAL, cost_usd: "0.043600000000", requests: 11, input_tokens: 28100, output_tokens: 1610 }));
  });

  it("answers one row equal to the total when group_by is empty or omitted", async () => {
    for (const params of [{ ...NOV, group_by: "" }, NOV]) {
      const body = await ok(params);
      expect(body.group_by).toEqual([]);
      expect(body.rows).toEqual([NOV_TOTAL]);
      expect(body.total).toEqual(NOV_TOTAL);
    }
  });

  it("groups by service tier, prompt version, provider and model", async () => {
    expect((await ok({ ...NOV, group_by: "service_tier" })).rows.map((r) => [r.service_tier, r.cost_usd, r.requests])).toEqual([
      ["batch", "0.020500000000", 1],
      ["standard", "0.015100000000", 7],
    ]);
    expect((await ok({ ...NOV, group_by: "prompt_version" })).rows.map((r) => [r.prompt_version, r.cost_usd])).toEqual([
      [null, "0.033600000000"],
      ["v1", "0.002000000000"],
    ]);
    expect((await ok({ ...NOV, group_by: "provider,model" })).rows.map((r) => [r.provider, r.model, r.cost_usd, r.unpriced_requests])).toEqual([
      ["openai", models.openai, "0.032500000000", 0],
      ["anthropic", models.anthropic, "0.003100000000", 0],
      ["inhouse", models.unpriced, "0.000000000000", 1],
    ]);
  });

  it("groups by user from the raw events, with the same totals as the rollups", async () => {
    const body = await ok({ ...NOV, group_by: "user" });
    expect(body.rows).toEqual([
      { user: null, ...m({ cost_usd: "0.026500000000", requests: 5, input_tokens: 16100, output_tokens: 1010, cache_creation_input_tokens: 2000, reasoning_output_tokens: 500, response_cache_hits: 1, unpriced_requests: 1 }) },
      { user: "u1", ...m({ cost_usd: "0.005100000000", requests: 2, input_tokens: 4000, output_tokens: 200, cache_read_input_tokens: 1000 }) },
      { user: "u2", ...m({ cost_usd: "0.004000000000", requests: 1, input_tokens: 2000, output_tokens: 200, retries: 1, retry_cost_usd: "0.004000000000" }) },
    ]);
    expect(body.total).toEqual(NOV_TOTAL);
    expect((await ok({ ...NOV, group_by: "team,user" })).rows.map((r) => [r.team, r.user, r.cost_usd])).toEqual([
      ["support", null, "0.020500000000"],
      ["search", "u1", "0.005100000000"],
      [null, null, "0.005000000000"],
      ["search", "u2", "0.004000000000"],
      ["search", null, "0.001000000000"],
    ]);
  });

  it("drops a repeated group key", async () => {
    const body = await ok({ ...NOV, group_by: "team, team" });
    expect(body.group_by).toEqual(["team"]);
    expect(body.rows).toHaveLength(3);
  });

  it("caps the rows and says so, the total still covering every group", async () => {
    const selection = { from: new Date(NOV.from), to: new Date(NOV.to), groupBy: ["day"] as const, filters: {} };
    const capped = await aggregateSpend(getPool(), selection, { kind: "all" }, { limit: 2, order: "cost" });
    expect(capped.truncated).toBe(true);
    expect(capped.rows.map((row: SpendRow) => row.day)).toEqual(["2026-11-15", "2026-11-01"]);
    expect(capped.total).toEqual(NOV_TOTAL);
    const exact = await aggregateSpend(getPool(), selection, { kind: "all" }, { limit: 6, order: "cost" });
    expect(exact.truncated).toBe(false);
    expect(exact.rows).toHaveLength(6);
  });
});

describe("GET /api/v1/spend: filters", () => {
  it.each([
    [{ team: "search" }, SEARCH],
    [{ feature: "rewrite" }, m({ cost_usd: "0.007000000000", requests: 4, input_tokens: 4000, output_tokens: 300, retries: 1, retry_cost_usd: "0.004000000000", response_cache_hits: 1 })],
    [{ environment: "staging" }, m({ cost_usd: "0.020500000000", requests: 1, input_tokens: 10000, output_tokens: 1000, cache_creation_input_tokens: 2000, reasoning_output_tokens: 500 })],
    [{ tenant: "acme" }, m({ cost_usd: "0.002000000000", requests: 1, input_tokens: 1000, output_tokens: 100 })],
    [{ provider: "anthropic" }, m({ cost_usd: "0.003100000000", requests: 1, input_tokens: 3000, output_tokens: 100, cache_read_input_tokens: 1000 })],
    [{ team: "search", provider: "openai", feature: "summarize" }, ZERO],
  ])("filters %j exactly", async (filter, expected) => {
    const body = await ok({ ...NOV, ...filter });
    expect(body.total).toEqual(expected);
    expect(body.rows).toEqual([expected]);
  });

  it("filters by model; an unpriced model counts its requests and costs nothing", async () => {
    expect((await ok({ ...NOV, model: models.unpriced })).total).toEqual(
      m({ requests: 1, input_tokens: 100, output_tokens: 10, unpriced_requests: 1 }),
    );
    expect((await ok({ ...NOV, model: models.anthropic })).total.cost_usd).toBe("0.003100000000");
  });

  it("filters the raw-event path too (user grouping)", async () => {
    const body = await ok({ ...NOV, group_by: "user", team: "search", provider: "openai" });
    expect(body.rows.map((r) => [r.user, r.cost_usd, r.requests])).toEqual([
      ["u2", "0.004000000000", 1],
      ["u1", "0.002000000000", 1],
      [null, "0.001000000000", 2],
    ]);
  });
});

describe("GET /api/v1/spend: window edges", () => {
  it("includes an event at `from` and excludes one at `to`", async () => {
    expect((await ok({ from: "2026-12-01", to: "2026-12-02" })).total).toEqual(m({ cost_usd: "0.002000000000", requests: 1, input_tokens: 1000, output_tokens: 100 }));
    expect((await ok({ from: "2026-10-31", to: "2026-11-01" })).total.requests).toBe(1);
    expect((await ok({ from: "2026-10-31", to: "2026-11-01T00:00:00.001Z" })).total.requests).toBe(2);
  });

  it("reads a bare date as midnight UTC, the same as RFC 3339 with any offset", async () => {
    const rfc = await ok({ from: "2026-11-01T01:00:00+01:00", to: "2026-11-30T19:00:00-05:00", group_by: "team" });
    expect(rfc.from).toBe("2026-11-01T00:00:00.000Z");
    expect(rfc.to).toBe("2026-12-01T00:00:00.000Z");
    expect(rfc).toEqual(await ok({ ...NOV, group_by: "team" }));
  });

  it("answers a window inside hours exactly, from the raw events", async () => {
    // e2 at 10:15 is in; e11 at 10:05 (same hour) and e5 at `to` are out.
    const body = await ok({ from: "2026-11-01T10:15:00Z", to: "2026-11-20T23:59:59.999Z", group_by: "day" });
    expect(body.rows.map((r) => [r.day, r.cost_usd])).toEqual([
      ["2026-11-15", "0.020500000000"],
      ["2026-11-01", "0.004000000000"],
      ["2026-11-02", "0.003100000000"],
    ]);
    expect(body.total).toEqual(m({ cost_usd: "0.027600000000", requests: 3, input_tokens: 15000, output_tokens: 1300, cache_read_input_tokens: 1000, cache_creation_input_tokens: 2000, reasoning_output_tokens: 500, retries: 1, retry_cost_usd: "0.004000000000" }));
  });

  it("is all zeros for a window without usage", async () => {
    const body = await ok({ from: "2025-01-01", to: "2025-02-01", group_by: "team" });
    expect(body.rows).toEqual([]);
    expect(body.total).toEqual(ZERO);
  });
});

describe("GET /api/v1/spend: team scope", () => {
  it("shows a team lead only their teams' rows and totals, on both paths", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: "search", role: "lead" }] });
    const byTeam = await ok({ ...NOV, group_by: "team" }, { cookie: lead.cookie });
    expect(byTeam.rows).toEqual([{ team: "search", ...SEARCH }]);
    expect(byTeam.total).toEqual(SEARCH);
    expect((await ok(NOV, { cookie: lead.cookie })).total).toEqual(SEARCH);
    expect((await ok({ ...NOV, team: "search" }, { cookie: lead.cookie })).total).toEqual(SEARCH);
    const byUser = await ok({ ...NOV, group_by: "user" }, { cookie: lead.cookie });
    expect(byUser.rows.map((r) => [r.user, r.cost_usd])).toEqual([
      ["u1", "0.005100000000"],
      ["u2", "0.004000000000"],
      [null, "0.001000000000"],
    ]);
    expect(byUser.total).toEqual(SEARCH);
  });

  it("answers 403 naming `team` for a team filter outside the caller's teams", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: "search", role: "lead" }] });
    for (const team of ["support", "nobody"]) {
      const { status, body } = await spend({ ...NOV, team }, { cookie: lead.cookie });
      expect(status).toBe(403);
      expect(body).toMatchObject({ error: { code: "forbidden" } });
      expect(detailPaths(body)).toEqual(["team"]);
    }
  });

  it("scopes a viewer to the teams they belong to", async () => {
    const viewer = await createTestUser({ role: "viewer", teams: [{ slug: "support", role: "member" }] });
    expect((await ok({ ...NOV, group_by: "team" }, { cookie: viewer.cookie })).rows).toEqual([{ team: "support", ...SUPPORT }]);
  });

  it("scopes a team-bound read key to its team", async () => {
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: "support" } });
    const key = await createTestKeyFor({ scopes: ["read"], teamId: team.id });
    const body = await ok({ ...NOV, group_by: "team" }, { key: key.secret });
    expect(body.rows).toEqual([{ team: "support", ...SUPPORT }]);
    expect(body.total).toEqual(SUPPORT);
    expect((await spend({ ...NOV, team: "search" }, { key: key.secret })).status).toBe(403);
  });

  it("shows a team lead without teams nothing, and finance everything", async () => {
    const loner = await createTestUser({ role: "team_lead" });
    const empty = await ok({ ...NOV, group_by: "team" }, { cookie: loner.cookie });
    expect(empty.rows).toEqual([]);
    expect(empty.total).toEqual(ZERO);
    const finance = await createTestUser({ role: "finance" });
    expect((await ok({ ...NOV, group_by: "team" }, { cookie: finance.cookie })).total).toEqual(NOV_TOTAL);
  });
});

describe("GET /api/v1/spend: refusals", () => {
  it("answers 401 without credentials and 403 to an ingest-only key", async () => {
    const anonymous = await spend(NOV, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: "unauthorized" } });
    const ingest = await spend(NOV, { key: await createTestKey(["ingest"]) });
    expect(ingest.status).toBe(403);
    expect(ingest.body).toMatchObject({ error: { code: "forbidden" } });
  });

  it.each([
    [{ to: "2026-12-01" }, ["from"]],
    [{ from: "2026-11-01" }, ["to"]],
    [{ from: "2026-02-30", to: "2026-12-01" }, ["from"]],
    [{ from: "yesterday", to: "2026-12-01" }, ["from"]],
    [{ from: "2026-11-01T00:00:00", to: "2026-12-01" }, ["from"]], // no time zone
    [{ ...NOV, group_by: "team,colour" }, ["group_by"]],
    [{ from: "2026-12-01", to: "2026-12-01" }, ["to"]],
    [{ from: "2026-12-01", to: "2026-11-01" }, ["to"]],
    [{ from: "2026-01-01", to: "2027-02-06" }, ["to"]], // 401 days
    [{ ...NOV, teams: "search" }, ["teams"]],
    [{ ...NOV, team: "" }, ["team"]],
    [{ ...NOV, model: "x".repeat(257) }, ["model"]],
  ])("answers 400 to %j naming %j", async (params, paths) => {
    const { status, body } = await spend(params);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: "invalid_request" } });
    expect(detailPaths(body)).toEqual(paths);
  });

  it("accepts a window of exactly 400 days", async () => {
    expect((await spend({ from: "2026-01-01", to: "2027-02-05" })).status).toBe(200);
  });
});
