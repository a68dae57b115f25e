import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchChannel } from "@/app/api/v1/alert-channels/[id]/route";
import { POST as postChannel } from "@/app/api/v1/alert-channels/route";
import { PATCH as patchRule } from "@/app/api/v1/alert-rules/[id]/route";
import { PATCH as patchBudget } from "@/app/api/v1/budgets/[id]/route";
import { POST as postBudget } from "@/app/api/v1/budgets/route";
import { POST as postLitellm } from "@/app/api/v1/integrations/litellm/route";
import { POST as postKey } from "@/app/api/v1/keys/route";
import { POST as postOtlp } from "@/app/api/v1/otlp/v1/traces/route";
import { POST as postOutcomes } from "@/app/api/v1/outcomes/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as cancelBurst } from "@/app/api/v1/quota/requests/[id]/cancel/route";
import { POST as postSetup } from "@/app/api/setup/route";
import { POST as postPrice } from "@/app/api/v1/prices/route";
import { PATCH as patchAllocation } from "@/app/api/v1/quota/allocations/[id]/route";
import { POST as postAllocation } from "@/app/api/v1/quota/allocations/route";
import { POST as postCheck } from "@/app/api/v1/quota/check/route";
import { POST as approveBurst } from "@/app/api/v1/quota/requests/[id]/approve/route";
import { POST as rejectBurst } from "@/app/api/v1/quota/requests/[id]/reject/route";
import { POST as postBurst } from "@/app/api/v1/quota/requests/route";
import { PUT as putMember } from "@/app/api/v1/teams/[id]/members/route";
import { PATCH as patchTeam } from "@/app/api/v1/teams/[id]/route";
import { POST as postTeam } from "@/app/api/v1/teams/route";
import { PATCH as patchUser } from "@/app/api/v1/users/[id]/route";
import { POST as postUser } from "@/app/api/v1/users/route";
import { GET as getAudit } from "@/app/api/v1/audit/route";
import { GET as getCache } from "@/app/api/v1/cache/route";
import { GET as getOutcomeCost } from "@/app/api/v1/outcomes/cost/route";
import { GET as getOutcomeReport } from "@/app/api/v1/outcomes/report/route";
import { GET as getBursts } from "@/app/api/v1/quota/requests/route";
import { GET as getSpendExport } from "@/app/api/v1/spend/export/route";
import { GET as getSpend } from "@/app/api/v1/spend/route";
import { GET as getTokens } from "@/app/api/v1/tokens-per-request/route";
import { GET as getForecast } from "@/app/api/v1/forecast/route";
import { apiRequest, createTestKey } from "../factories/api-keys";

// Contract: bad input never gives a 500. Every JSON route gets at least 2,000 bodies (CI runs
// this file in full), every query route 2,000 queries: near-valid documents built from the
// route's own field names, hostile strings (NUL, lone surrogates, formula prefixes), deep
// nesting, wrong types, and plain garbage.

process.env.BURNRATE_RATE_LIMIT_PER_SECOND = "1000000";
process.env.BURNRATE_RATE_LIMIT_BURST = "1000000";

const RUNS = 2000;

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

let adminKey: string;
beforeAll(async () => {
  adminKey = await createTestKey(["admin"]);
});

const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("a\u0000b", "\uD800", "x\uDFFFy", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "@SUM(1)", "-1", "", " ", "search", "2026-11-01", "usd", "tokens", "month"),
  fc.string({ minLength: 300, maxLength: 400 }),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, 2 ** 53 + 1, 0.1, 100, 1000));
const scalar = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));
const deep = fc.nat({ max: 200 }).map((depth) => {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
});

/** Objects built from the route's own field names, with anything as values. */
function documents(fields: readonly string[]) {
  const value = fc.oneof(scalar, fc.dictionary(fc.constantFrom(...fields, "team", "x"), scalar, { maxKeys: 4 }), fc.array(scalar, { maxLength: 3 }), deep);
  return fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: fields.length });
}

/** A valid body with one or two fields replaced by anything: gets past the envelope to the queries. */
function mutations(sample: () => Record<string, unknown>, fields: readonly string[], wrap?: (item: Record<string, unknown>) => unknown) {
  const value = fc.oneof(scalar, deep, fc.dictionary(fc.constantFrom(...fields, "team"), scalar, { maxKeys: 3 }), fc.array(scalar, { maxLength: 3 }));
  return fc.array(fc.tuple(fc.constantFrom(...fields), value), { minLength: 1, maxLength: 2 }).map((changes) => {
    const item = sample();
    for (const [field, replacement] of changes) item[field] = replacement;
    return JSON.stringify(wrap ? wrap(item) : item);
  });
}

function bodies(fields: readonly string[], sample?: () => Record<string, unknown>, wrap?: (item: Record<string, unknown>) => unknown) {
  return fc.oneof(
    { weight: sample ? 6 : 0, arbitrary: sample ? mutations(sample, fields, wrap) : fc.constant("{}") },
    { weight: 2, arbitrary: documents(fields).map((doc) => JSON.stringify(doc)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.constantFrom("", "{", "[]", "null", '{"a":', "\u0000")) },
  );
}

interface JsonRoute {
  name: string;
  handler: Handler;
  fields: readonly string[];
  /** A valid body (fresh ids each time), mutated field by field. */
  sample?: () => Record<string, unknown>;
  /** Batch routes: the mutated item goes inside the envelope. */
  wrap?: (item: Record<string, unknown>) => unknown;
  /** Dynamic segments, e.g. an unknown or malformed id. */
  params?: fc.Arbitrary<Record<string, string>>;
}

const id = fc.oneof(fc.uuid().map(String), fc.constant(randomUUID()), hostileString.filter((s) => s.length > 0));

const JSON_ROUTES: JsonRoute[] = [
  {
    name: "POST /api/v1/events",
    handler: postEvents as Handler,
    fields: ["id", "timestamp", "provider", "model", "usage", "openai_usage", "tags", "attempt", "reported_cost_usd", "trace_id"],
    sample: () => ({ id: `e-${randomUUID()}`, timestamp: "2026-11-02T10:00:00Z", provider: "openai", model: "gpt-4o-mini", usage: { input_tokens: 10, output_tokens: 2 }, tags: { team: "search" } }),
    wrap: (item) => ({ events: [item] }),
  },
  { name: "POST /api/v1/outcomes", handler: postOutcomes as Handler, fields: ["outcomes", "id", "timestamp", "trace_id", "type", "success", "value", "tags"], sample: () => ({ id: `o-${randomUUID()}`, timestamp: "2026-11-02T10:00:00Z", trace_id: "t-1", type: "resolved", success: true, tags: { team: "search" } }), wrap: (item) => ({ outcomes: [item] }) },
  { name: "POST /api/v1/otlp/v1/traces", handler: postOtlp as Handler, fields: ["resourceSpans", "scopeSpans", "spans", "attributes", "traceId", "spanId"] },
  { name: "POST /api/v1/integrations/litellm", handler: postLitellm as Handler, fields: ["id", "startTime", "endTime", "custom_llm_provider", "model", "prompt_tokens", "completion_tokens", "metadata", "request_tags", "messages"], sample: () => ({ id: `l-${randomUUID()}`, startTime: 1795168800, custom_llm_provider: "openai", model: "gpt-4o-mini", prompt_tokens: 10, completion_tokens: 2, metadata: { user_api_key_team_alias: "search" }, request_tags: ["feature:x"] }), wrap: (item) => [item] },
  { name: "POST /api/v1/prices", handler: postPrice as Handler, fields: ["provider", "model", "service_tier", "effective_from", "input_per_mtok", "output_per_mtok", "cache_read_per_mtok"], sample: () => ({ provider: "openai", model: `m-${randomUUID()}`, effective_from: "2026-01-01", input_per_mtok: "1", output_per_mtok: "2" }) },
  { name: "POST /api/v1/keys", handler: postKey as Handler, fields: ["name", "scopes", "team", "expires_at"], sample: () => ({ name: `k-${randomUUID()}`, scopes: ["read"] }) },
  { name: "POST /api/v1/users", handler: postUser as Handler, fields: ["email", "name", "role", "password"], sample: () => ({ email: `${randomUUID()}@example.com`, name: "Fuzz", role: "viewer", password: "a-long-enough-password" }) },
  { name: "PATCH /api/v1/users/[id]", handler: patchUser as Handler, fields: ["name", "role", "disabled", "password"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/teams", handler: postTeam as Handler, fields: ["slug", "name"], sample: () => ({ slug: `t-${randomUUID().slice(0, 8)}`, name: "Fuzz" }) },
  { name: "PATCH /api/v1/teams/[id]", handler: patchTeam as Handler, fields: ["name", "slug"], params: id.map((v) => ({ id: v })) },
  { name: "PUT /api/v1/teams/[id]/members", handler: putMember as Handler, fields: ["user_id", "role", "email"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/alert-channels", handler: postChannel as Handler, fields: ["type", "url", "secret", "name", "email"], sample: () => ({ type: "webhook", url: "https://hooks.example.com/x", name: "fuzz" }) },
  { name: "PATCH /api/v1/alert-channels/[id]", handler: patchChannel as Handler, fields: ["url", "enabled", "name"], params: id.map((v) => ({ id: v })) },
  { name: "PATCH /api/v1/alert-rules/[id]", handler: patchRule as Handler, fields: ["enabled", "params", "channel_ids", "scope"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/budgets", handler: postBudget as Handler, fields: ["name", "scope", "period", "amount_usd", "thresholds"], sample: () => ({ name: `b-${randomUUID()}`, scope: { team: "search" }, period: "month", amount_usd: "100" }) },
  { name: "PATCH /api/v1/budgets/[id]", handler: patchBudget as Handler, fields: ["name", "amount_usd", "thresholds", "archived"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/quota/allocations", handler: postAllocation as Handler, fields: ["team", "unit", "amount", "period", "model"], sample: () => ({ team: "search", unit: "usd", amount: "10", period: "month" }) },
  { name: "PATCH /api/v1/quota/allocations/[id]", handler: patchAllocation as Handler, fields: ["amount", "model"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/quota/requests", handler: postBurst as Handler, fields: ["team", "amount", "starts_at", "ends_at", "reason", "unit"], sample: () => ({ team: "search", amount: "5", starts_at: new Date(Date.now() + 3_600_000).toISOString(), ends_at: new Date(Date.now() + 7_200_000).toISOString(), reason: "fuzz" }) },
  { name: "POST /api/v1/quota/requests/[id]/approve", handler: approveBurst as Handler, fields: ["comment", "amount"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/quota/requests/[id]/reject", handler: rejectBurst as Handler, fields: ["comment"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/v1/quota/requests/[id]/cancel", handler: cancelBurst as Handler, fields: ["comment"], params: id.map((v) => ({ id: v })) },
  { name: "POST /api/setup", handler: postSetup as Handler, fields: ["email", "name", "password"], sample: () => ({ email: "x@example.com", name: "X", password: "a-long-enough-password" }) },
  { name: "POST /api/v1/quota/check", handler: postCheck as Handler, fields: ["team", "model", "estimated_tokens", "estimated_cost_usd"], sample: () => ({ team: "search", model: "gpt-4o-mini", estimated_tokens: 10 }) },
];

const QUERY_ROUTES: { name: string; handler: Handler; path: string; keys: readonly string[] }[] = [
  { name: "GET /api/v1/spend", handler: getSpend as Handler, path: "/api/v1/spend", keys: ["from", "to", "group_by", "team", "feature", "provider", "model", "tenant"] },
  { name: "GET /api/v1/spend/export", handler: getSpendExport as Handler, path: "/api/v1/spend/export", keys: ["from", "to", "group_by", "format", "team"] },
  { name: "GET /api/v1/cache", handler: getCache as Handler, path: "/api/v1/cache", keys: ["from", "to", "group_by", "team", "feature"] },
  { name: "GET /api/v1/tokens-per-request", handler: getTokens as Handler, path: "/api/v1/tokens-per-request", keys: ["from", "to", "team", "feature"] },
  { name: "GET /api/v1/outcomes/cost", handler: getOutcomeCost as Handler, path: "/api/v1/outcomes/cost", keys: ["from", "to", "type", "group_by"] },
  { name: "GET /api/v1/outcomes/report", handler: getOutcomeReport as Handler, path: "/api/v1/outcomes/report", keys: ["from", "to", "type", "feature"] },
  { name: "GET /api/v1/audit", handler: getAudit as Handler, path: "/api/v1/audit", keys: ["from", "to", "action", "actor", "format"] },
  { name: "GET /api/v1/quota/requests", handler: getBursts as Handler, path: "/api/v1/quota/requests", keys: ["status", "team"] },
  { name: "GET /api/v1/forecast", handler: getForecast as Handler, path: "/api/v1/forecast", keys: ["group_by", "team", "feature", "environment", "tenant", "provider", "model"] },
];

describe("no 5xx for any body on any JSON route", () => {
  it.each(JSON_ROUTES.map((route) => [route.name, route] as const))("%s", async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(bodies(route.fields, route.sample, route.wrap), route.params ?? fc.constant({}), async (body, params) => {
        const response = await route.handler(apiRequest("/api/fuzz", { key: adminKey, rawBody: body }), { params: Promise.resolve(params) });
        if (response.status >= 500) throw new Error(`${response.status} for ${body.slice(0, 300)}: ${(await response.text()).slice(0, 300)}`);
        await response.body?.cancel();
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});

describe("no 5xx for any query on the read routes", () => {
  const value = fc.oneof(hostileString, fc.constantFrom("2026-11-01", "2026-12-01T00:00:00Z", "team,day", "csv", "focus", "%00", "0001-01-01", "9999-12-31"));
  it.each(QUERY_ROUTES.map((route) => [route.name, route] as const))("%s", async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.dictionary(fc.constantFrom(...route.keys), value, { maxKeys: route.keys.length }), async (windowed, query) => {
        // Mostly with a valid window, so the other parameters reach the queries.
        const search = new URLSearchParams({ ...(windowed ? { from: "2026-11-01", to: "2026-12-01", type: "resolved" } : {}), ...query }).toString();
        const response = await route.handler(apiRequest(`${route.path}?${search}`, { key: adminKey, method: "GET" }), { params: Promise.resolve({}) });
        if (response.status >= 500) throw new Error(`${response.status} for ?${search.slice(0, 300)}: ${(await response.text()).slice(0, 300)}`);
        await response.body?.cancel();
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("refuses a NUL in a filter with a 400 naming it", async () => {
    const response = await (getSpend as Handler)(apiRequest("/api/v1/spend?from=2026-11-01&to=2026-12-01&team=%00", { key: adminKey, method: "GET" }), {
      params: Promise.resolve({}),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request", details: [{ path: "team" }] } });
  });
});
