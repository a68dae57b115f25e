import { beforeAll, describe, expect, it } from "vitest";
import { GET as getExport } from "@/app/api/v1/spend/export/route";
import { GET as getSpend } from "@/app/api/v1/spend/route";
import { FOCUS_COLUMNS } from "@/lib/analytics/spend-export";
import type { SpendResult } from "@/lib/analytics/spend";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createUsageWorld, type UsageModels } from "../factories/usage-rows";
import { createTestUser, detailPaths, sessionRequest } from "../factories/users";

/**
 * GET /api/v1/spend/export on hand-built usage (prices of the usage-rows factory:
 * $1/M in, $10/M out, $0.10/M cache read, $10/M reasoning).
 */

let models: UsageModels;
let readKey: string;

const WINDOW = { from: "2026-11-01", to: "2026-11-04" };
const AWKWARD = 'summarize, "long"';

beforeAll(async () => {
  const world = await createUsageWorld();
  models = world.models;
  readKey = await createTestKey(["read"]);
  const tagged = { team: "search", feature: AWKWARD, environment: "production", tenant: "acme" };
  await world.ingest([
    // f1: (800 * 1 + 200 * 0.1) in + (50 * 10 + 50 * 10) out = 0.00182
    { at: "2026-11-01T09:00:00Z", input: 1000, output: 100, cacheRead: 200, reasoning: 50, tags: tagged },
    // f2, a retry, same FOCUS row as f1: 2000 in = 0.002
    { at: "2026-11-01T15:00:00Z", input: 2000, output: 0, attempt: 2, tags: tagged },
    // f3: 1000 in + 100 out = 0.002
    { at: "2026-11-01T12:00:00Z", provider: "anthropic", tags: { team: "search" } },
    // f4, unpriced
    { at: "2026-11-02T00:00:00Z", provider: "inhouse", input: 100, output: 10, tags: { team: "support" } },
    // f7: 0.002
    { at: "2026-11-02T03:00:00Z", tags: { team: "support", environment: "staging" } },
    // f5, f6: untagged, standard 0.005 and batch 0.001
    { at: "2026-11-03T05:00:00Z", input: 5000, output: 0 },
    { at: "2026-11-03T06:00:00Z", input: 1000, output: 0, serviceTier: "batch" },
    // f8, after the window
    { at: "2026-12-01T00:00:00Z", tags: { team: "search" } },
  ]);
});

/** RFC 4180 parsing, enough for the tests: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += char;
  }
  if (field !== "" || record.length > 0) throw new Error("the CSV does not end with CRLF");
  return records;
}

type Auth = { key: string } | { cookie: string } | null;

async function exportCsv(params: Record<string, string>, auth: Auth = { key: readKey }) {
  const path = `/api/v1/spend/export?${new URLSearchParams(params).toString()}`;
  const request =
    auth && "cookie" in auth ? sessionRequest(path, { cookie: auth.cookie }) : apiRequest(path, { method: "GET", key: auth?.key });
  const response = await getExport(request);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function focus(params: Record<string, string>, auth?: Auth): Promise<Record<string, string>[]> {
  const { status, text } = await exportCsv({ ...params, format: "focus" }, auth);
  expect(status, text).toBe(200);
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([...FOCUS_COLUMNS]);
  return rows.map((row) => Object.fromEntries(row.map((value, i) => [header?.[i] ?? "", value])));
}

describe("GET /api/v1/spend/export?format=csv", () => {
  it("writes the header and exactly the rows of /api/v1/spend, RFC 4180 quoted", async () => {
    const { status, headers, text } = await exportCsv({ ...WINDOW, group_by: "team,feature" });
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(headers.get("content-disposition")).toBe('attachment; filename="burnrate-spend-2026-11-01-to-2026-11-04.csv"');
    expect(headers.get("x-burnrate-truncated")).toBeNull();
    expect(text).toBe(
      [
        "team,feature,cost_usd,requests,input_tokens,output_tokens,cache_read_input_tokens,cache_creation_input_tokens,reasoning_output_tokens,response_cache_hits,retries,unpriced_requests,reported_cost_usd,retry_cost_usd,error_cost_usd",
        ",,0.006000000000,2,6000,0,0,0,0,0,0,0,,0.000000000000,0.000000000000",
        'search,"summarize, ""long""",0.003820000000,2,3000,100,200,0,50,0,1,0,,0.002000000000,0.000000000000',
        "search,,0.002000000000,1,1000,100,0,0,0,0,0,0,,0.000000000000,0.000000000000",
        "support,,0.002000000000,2,1100,110,0,0,0,0,0,1,,0.000000000000,0.000000000000",
        "",
      ].join("\r\n"),
    );

    // The same rows as the JSON answer, field by field.
    const path = "/api/v1/spend?from=2026-11-01&to=2026-11-04&group_by=team,feature";
    const json = (await (await getSpend(apiRequest(path, { method: "GET", key: readKey }))).json()) as SpendResult;
    const [header = [], ...rows] = parseCsv(text);
    const asText = (row: SpendResult["rows"][number]) =>
      header.map((column) => String(Object.entries(row).find(([name]) => name === column)?.[1] ?? ""));
    expect(rows).toEqual(json.rows.map(asText));
  });

  it("writes only the measures when group_by is empty", async () => {
    const { text } = await exportCsv({ ...WINDOW, format: "csv" });
    expect(parseCsv(text)).toEqual([
      ["cost_usd", "requests", "input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens", "reasoning_output_tokens", "response_cache_hits", "retries", "unpriced_requests", "reported_cost_usd", "retry_cost_usd", "error_cost_usd"],
      ["0.013820000000", "7", "11100", "310", "200", "0", "50", "0", "1", "1", "", "0.002000000000", "0.000000000000"],
    ]);
  });

  it("names a window inside days in the file name", async () => {
    const { headers } = await exportCsv({ from: "2026-11-01T14:30:00Z", to: "2026-11-02T02:00:00Z" });
    expect(headers.get("content-disposition")).toBe('attachment; filename="burnrate-spend-20261101T143000Z-to-20261102T020000Z.csv"');
  });
});

describe("GET /api/v1/spend/export?format=focus", () => {
  it("writes one FOCUS row per day, provider, model, tier and tags, sorted by them", async () => {
    const { headers } = await exportCsv({ ...WINDOW, format: "focus" });
    expect(headers.get("content-disposition")).toBe('attachment; filename="burnrate-focus-2026-11-01-to-2026-11-04.csv"');
    const rows = await focus(WINDOW);
    expect(rows.map((r) => [r.ChargePeriodStart, r.ServiceProviderName, r.SkuId, r.x_ServiceTier, r.Tags, r.BilledCost])).toEqual([
      ["2026-11-01T00:00:00Z", "Anthropic", models.anthropic, "standard", '{"team":"search"}', "0.002000000000"],
      ["2026-11-01T00:00:00Z", "OpenAI", models.openai, "standard", JSON.stringify({ team: "search", feature: AWKWARD, environment: "production", tenant: "acme" }), "0.003820000000"],
      ["2026-11-02T00:00:00Z", "inhouse", models.unpriced, "standard", '{"team":"support"}', ""],
      ["2026-11-02T00:00:00Z", "OpenAI", models.openai, "standard", '{"team":"support","environment":"staging"}', "0.002000000000"],
      ["2026-11-03T00:00:00Z", "OpenAI", models.openai, "batch", "{}", "0.001000000000"],
      ["2026-11-03T00:00:00Z", "OpenAI", models.openai, "standard", "{}", "0.005000000000"],
    ]);
  });

  it("fills every column of a row exactly", async () => {
    const rows = await focus(WINDOW);
    expect(rows[1]).toEqual({
      BillingPeriodStart: "2026-11-01T00:00:00Z",
      BillingPeriodEnd: "2026-12-01T00:00:00Z",
      ChargePeriodStart: "2026-11-01T00:00:00Z",
      ChargePeriodEnd: "2026-11-02T00:00:00Z",
      BilledCost: "0.003820000000",
      EffectiveCost: "0.003820000000",
      ListCost: "0.003820000000",
      BillingCurrency: "USD",
      ConsumedQuantity: "3100",
      ConsumedUnit: "Tokens",
      ChargeCategory: "Usage",
      ServiceCategory: "AI and Machine Learning",
      ServiceName: "OpenAI API",
      ServiceProviderName: "OpenAI",
      SkuId: models.openai,
      PricingUnit: "Tokens",
      Tags: '{"team":"search","feature":"summarize, \\"long\\"","environment":"production","tenant":"acme"}',
      x_PricingState: "priced",
      x_ServiceTier: "standard",
      x_InputTokens: "3000",
      x_OutputTokens: "100",
      x_CacheReadInputTokens: "200",
      x_CacheCreationInputTokens: "0",
      x_ReasoningOutputTokens: "50",
      x_Requests: "2",
      x_Retries: "1",
      x_UnpricedRequests: "0",
    });
    expect(rows[0]?.ServiceName).toBe("Anthropic API");
  });

  it("leaves the cost of unpriced usage empty and marks it, never $0", async () => {
    const unpriced = (await focus(WINDOW)).find((r) => r.SkuId === models.unpriced);
    expect(unpriced).toMatchObject({
      BilledCost: "",
      EffectiveCost: "",
      ListCost: "",
      x_PricingState: "unpriced",
      ServiceName: "inhouse",
      ConsumedQuantity: "110",
      x_Requests: "1",
      x_UnpricedRequests: "1",
    });
  });

  it("clips the charge period to a window that starts or ends inside a day", async () => {
    // Hour-aligned (rollups): f1 at 09:00 is before the window, f7 at 03:00 after it.
    const hours = await focus({ from: "2026-11-01T12:00:00Z", to: "2026-11-02T02:00:00Z" });
    expect(hours.map((r) => [r.ChargePeriodStart, r.ChargePeriodEnd, r.SkuId, r.BilledCost])).toEqual([
      ["2026-11-01T12:00:00Z", "2026-11-02T00:00:00Z", models.anthropic, "0.002000000000"],
      ["2026-11-01T12:00:00Z", "2026-11-02T00:00:00Z", models.openai, "0.002000000000"],
      ["2026-11-02T00:00:00Z", "2026-11-02T02:00:00Z", models.unpriced, ""],
    ]);
    // Inside an hour (raw events): f3 at 12:00 is out, f2 at 15:00 in.
    const minutes = await focus({ from: "2026-11-01T14:30:00Z", to: "2026-11-02T02:00:00Z" });
    expect(minutes.map((r) => [r.ChargePeriodStart, r.SkuId, r.x_Retries])).toEqual([
      ["2026-11-01T14:30:00Z", models.openai, "1"],
      ["2026-11-02T00:00:00Z", models.unpriced, "0"],
    ]);
    expect(minutes[0]?.BillingPeriodStart).toBe("2026-11-01T00:00:00Z");
  });

  it("streams a long window day by day with the same rows, and an empty one as the header alone", async () => {
    expect(await focus({ from: "2026-10-01", to: "2026-12-01" })).toEqual(await focus(WINDOW));
    expect(await focus({ from: "2025-01-01", to: "2026-01-01" })).toEqual([]);
  });

  it("applies the filters", async () => {
    const rows = await focus({ ...WINDOW, provider: "openai", team: "search" });
    expect(rows.map((r) => r.BilledCost)).toEqual(["0.003820000000"]);
  });
});

describe("GET /api/v1/spend/export: access", () => {
  it("scopes a team lead to their teams, in both formats", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: "search", role: "lead" }] });
    const rows = await focus(WINDOW, { cookie: lead.cookie });
    expect(rows.map((r) => JSON.parse(r.Tags ?? "{}").team)).toEqual(["search", "search"]);
    const { text } = await exportCsv({ ...WINDOW, group_by: "team" }, { cookie: lead.cookie });
    expect(parseCsv(text).map((r) => r.slice(0, 3))).toEqual([
      ["team", "cost_usd", "requests"],
      ["search", "0.005820000000", "3"],
    ]);
    for (const format of ["csv", "focus"]) {
      const refused = await exportCsv({ ...WINDOW, team: "support", format }, { cookie: lead.cookie });
      expect(refused.status).toBe(403);
      expect(detailPaths(JSON.parse(refused.text))).toEqual(["team"]);
    }
  });

  it("answers 401 anonymous, 403 to an ingest key and to a viewer (no exports)", async () => {
    expect((await exportCsv(WINDOW, null)).status).toBe(401);
    expect((await exportCsv(WINDOW, { key: await createTestKey(["ingest"]) })).status).toBe(403);
    const viewer = await createTestUser({ role: "viewer", teams: [{ slug: "search", role: "member" }] });
    expect((await exportCsv(WINDOW, { cookie: viewer.cookie })).status).toBe(403);
  });

  it.each([
    [{ ...WINDOW, format: "xlsx" }, ["format"]],
    [{ ...WINDOW, format: "focus", group_by: "colour" }, ["group_by"]],
    [{ from: "2026-11-04", to: "2026-11-01", format: "focus" }, ["to"]],
  ])("answers 400 to %j naming %j", async (params, paths) => {
    const { status, text } = await exportCsv(params);
    expect(status).toBe(400);
    expect(detailPaths(JSON.parse(text))).toEqual(paths);
  });
});
