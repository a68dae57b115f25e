import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { GET } from "@/app/api/v1/tokens-per-request/route";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { createTestUser, detailPaths, read, sessionRequest, type ErrorBodyShape } from "../factories/users";

/**
 * GET /api/v1/tokens-per-request on usage sent through the real ingestion path (POST
 * /api/v1/events keeps the hourly rollups in step). `to` is 2025-07-01, so the jump rule
 * compares [2025-06-24, 07-01) with [2025-05-27, 06-24).
 */

let readKey: string;
let ingestKey: string;

interface Batch {
  count: number;
  at: string;
  feature: string;
  team: string;
  model: string;
  input: number | number[];
  output: number | number[];
  version?: string;
}

function events(batch: Batch): Record<string, unknown>[] {
  const pick = (value: number | number[], i: number) => (typeof value === "number" ? value : (value[i] ?? 0));
  return Array.from({ length: batch.count }, (_, i) =>
    contractEvent({
      timestamp: batch.at,
      provider: "testco",
      model: batch.model,
      usage: { input_tokens: pick(batch.input, i), output_tokens: pick(batch.output, i) },
      tags: { team: batch.team, feature: batch.feature, ...(batch.version ? { prompt_version: batch.version } : {}) },
    }),
  );
}

beforeAll(async () => {
  readKey = await createTestKey(["read"]);
  ingestKey = await createTestKey(["ingest"]);
  const batches: Batch[] = [
    // +25 % input tokens per request in the last 7 days: a jump (exactly at the threshold)
    { count: 60, at: "2025-06-10T12:00:00Z", feature: "grow", team: "alpha", model: "ma", input: 1000, output: 100, version: "v1" },
    { count: 60, at: "2025-06-28T12:00:00Z", feature: "grow", team: "alpha", model: "ma", input: 1250, output: 100, version: "v2" },
    // +24.9 %: no jump; its prior calls are before the window but count for the rule
    { count: 60, at: "2025-05-30T12:00:00Z", feature: "steady", team: "beta", model: "mb", input: 1000, output: 200 },
    { count: 60, at: "2025-06-25T12:00:00Z", feature: "steady", team: "beta", model: "mb", input: 1249, output: 200 },
    // 50x, but only 10 recent requests: too few to flag
    { count: 60, at: "2025-06-01T00:00:00Z", feature: "tiny", team: "alpha", model: "ma", input: 100, output: 10 },
    { count: 10, at: "2025-06-30T23:00:00Z", feature: "tiny", team: "alpha", model: "ma", input: 5000, output: 10 },
    // averages with a remainder: 3002 / 3 and 5 / 3
    { count: 3, at: "2025-06-15T08:00:00Z", feature: "odd", team: "alpha", model: "mb", input: [1000, 1001, 1001], output: [1, 2, 2], version: "v1" },
  ];
  const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: batches.flatMap(events) } }));
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ accepted: 313, rejected: 0 });
});

async function tpr(query: string, auth: { key?: string; cookie?: string } = { key: readKey }) {
  const path = `/api/v1/tokens-per-request?${query}`;
  const request = auth.cookie ? sessionRequest(path, { cookie: auth.cookie }) : apiRequest(path, { key: auth.key, method: "GET" });
  return read<TokensPerRequestReport>(await GET(request));
}

async function ok(query: string, auth?: { key?: string; cookie?: string }): Promise<TokensPerRequestReport> {
  const { status, body } = await tpr(query, auth);
  expect(status).toBe(200);
  return body;
}

const WINDOW = "from=2025-06-01&to=2025-07-01";

const metrics = (requests: number, input: number, output: number, avgInput: string | null, avgOutput: string | null) => ({
  requests,
  input_tokens: input,
  output_tokens: output,
  avg_input_tokens: avgInput,
  avg_output_tokens: avgOutput,
});

describe("GET /api/v1/tokens-per-request", () => {
  it("averages tokens per request per group exactly, with the jump rule's periods", async () => {
    const body = await ok(WINDOW);
    expect(body).toMatchObject({
      from: "2025-06-01T00:00:00.000Z",
      to: "2025-07-01T00:00:00.000Z",
      bucket: "day",
      group_by: "feature",
      jump_rule: {
        recent_days: 7,
        prior_days: 28,
        threshold_pct: 25,
        min_requests: 50,
        recent: { from: "2025-06-24T00:00:00.000Z", to: "2025-07-01T00:00:00.000Z" },
        prior: { from: "2025-05-27T00:00:00.000Z", to: "2025-06-24T00:00:00.000Z" },
      },
    });
    // 268942 / 253 = 1063.01…, 24705 / 253 = 97.64…
    expect(body.totals).toEqual(metrics(253, 268_942, 24_705, "1063.0", "97.6"));
    expect(body.series).toHaveLength(30);

    expect(body.groups.map((g) => [g.key, g.totals])).toEqual([
      ["grow", metrics(120, 135_000, 12_000, "1125.0", "100.0")],
      ["tiny", metrics(70, 56_000, 700, "800.0", "10.0")],
      ["steady", metrics(60, 74_940, 12_000, "1249.0", "200.0")],
      ["odd", metrics(3, 3002, 5, "1000.7", "1.7")],
    ]);
    expect(body.groups.every((g) => !("feature" in g))).toBe(true);
  });

  it("flags a jump of at least 25 % over at least 50 requests in both periods, and nothing less", async () => {
    const jumps = Object.fromEntries((await ok(WINDOW)).groups.map((g) => [g.key, g.jump]));
    expect(jumps.grow).toEqual({
      recent: metrics(60, 75_000, 6000, "1250.0", "100.0"),
      prior: metrics(60, 60_000, 6000, "1000.0", "100.0"),
      input_change_pct: "25.0",
      output_change_pct: "0.0",
      input_jump: true,
      output_jump: false,
      jump: true,
    });
    expect(jumps.steady).toMatchObject({
      prior: metrics(60, 60_000, 12_000, "1000.0", "200.0"),
      input_change_pct: "24.9",
      input_jump: false,
      jump: false,
    });
    expect(jumps.tiny).toMatchObject({ input_change_pct: "4900.0", input_jump: false, output_jump: false, jump: false });
    expect(jumps.odd).toEqual({
      recent: metrics(0, 0, 0, null, null),
      prior: metrics(3, 3002, 5, "1000.7", "1.7"),
      input_change_pct: null,
      output_change_pct: null,
      input_jump: false,
      output_jump: false,
      jump: false,
    });
  });

  it("applies the rule to the overall figures too", async () => {
    const { jump } = await ok(WINDOW);
    // recent 199940 / 130 = 1538 vs prior 129002 / 183 = 704.93; outputs 139.23 vs 101.67
    expect(jump).toEqual({
      recent: metrics(130, 199_940, 18_100, "1538.0", "139.2"),
      prior: metrics(183, 129_002, 18_605, "704.9", "101.7"),
      input_change_pct: "118.2",
      output_change_pct: "36.9",
      input_jump: true,
      output_jump: true,
      jump: true,
    });
  });

  it("fills every bucket, zeros and null averages where nothing happened", async () => {
    const { groups } = await ok(WINDOW);
    const grow = groups.find((g) => g.key === "grow");
    const used = grow?.series.filter((p) => p.requests > 0).map((p) => [p.bucket, p.requests, p.avg_input_tokens]);
    expect(used).toEqual([
      ["2025-06-10T00:00:00.000Z", 60, "1000.0"],
      ["2025-06-28T00:00:00.000Z", 60, "1250.0"],
    ]);
    expect(grow?.series[0]).toEqual({ bucket: "2025-06-01T00:00:00.000Z", ...metrics(0, 0, 0, null, null) });

    const hourly = await ok("from=2025-06-30T22:00:00Z&to=2025-07-01T00:00:00Z&bucket=hour");
    expect(hourly.series).toEqual([
      { bucket: "2025-06-30T22:00:00.000Z", ...metrics(0, 0, 0, null, null) },
      { bucket: "2025-06-30T23:00:00.000Z", ...metrics(10, 50_000, 100, "5000.0", "10.0") },
    ]);
    // the jump rule does not depend on the window's start or bucket
    expect(hourly.groups.map((g) => [g.key, g.jump.input_change_pct])).toEqual([["tiny", "4900.0"]]);
  });

  it("groups by prompt version within its feature, and by model", async () => {
    const byVersion = await ok(`${WINDOW}&group_by=prompt_version`);
    expect(byVersion.groups.map((g) => [g.feature, g.key, g.totals.requests, g.totals.avg_input_tokens, g.jump.jump])).toEqual([
      ["tiny", null, 70, "800.0", false],
      ["grow", "v1", 60, "1000.0", false],
      ["grow", "v2", 60, "1250.0", false], // no prior calls of v2: nothing to compare with
      ["steady", null, 60, "1249.0", false],
      ["odd", "v1", 3, "1000.7", false],
    ]);
    const byModel = await ok(`${WINDOW}&group_by=model`);
    expect(byModel.groups.map((g) => [g.key, g.totals.requests, g.totals.input_tokens])).toEqual([
      ["ma", 190, 191_000],
      ["mb", 63, 77_942],
    ]);
  });

  it("filters by exact tag values", async () => {
    const body = await ok(`${WINDOW}&feature=odd`);
    expect(body.totals).toEqual(metrics(3, 3002, 5, "1000.7", "1.7"));
    expect(body.groups.map((g) => g.key)).toEqual(["odd"]);
    expect((await ok(`${WINDOW}&model=mb&team=beta`)).groups.map((g) => g.key)).toEqual(["steady"]);
  });

  it("shows a team lead only their teams, jump figures included", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: "alpha", role: "lead" }] });
    const body = await ok(WINDOW, { cookie: lead.cookie });
    expect(body.groups.map((g) => g.key)).toEqual(["grow", "tiny", "odd"]);
    expect(body.totals.requests).toBe(193);
    expect(body.jump.recent.requests).toBe(70);
    expect(body.jump.prior.requests).toBe(123);
  });

  it("answers 401 and 403", async () => {
    expect((await GET(apiRequest(`/api/v1/tokens-per-request?${WINDOW}`, { method: "GET" }))).status).toBe(401);
    expect((await tpr(WINDOW, { key: "br_notARealKey" })).status).toBe(401);
    const refused = await tpr(WINDOW, { key: ingestKey });
    expect(refused.status).toBe(403);
    expect((refused.body as unknown as ErrorBodyShape).error.code).toBe("forbidden");
  });

  it.each([
    ["to=2025-07-01", "from"],
    ["from=2025-06-01", "to"],
    ["from=2025-07-01&to=2025-06-01", "to"],
    ["from=2025-01-01&to=2025-06-01&bucket=hour", "to"],
    [`${WINDOW}&group_by=tenant`, "group_by"],
    [`${WINDOW}&bucket=minute`, "bucket"],
    [`${WINDOW}&feature=`, "feature"],
  ])("answers 400 to %s naming %s", async (query, path) => {
    const { status, body } = await tpr(query);
    expect(status).toBe(400);
    expect(detailPaths(body)).toContain(path);
  });

  it("answers 400 to a parameter it does not know, naming it", async () => {
    const { status, body } = await tpr(`${WINDOW}&limit=5`);
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain("limit");
  });
});
