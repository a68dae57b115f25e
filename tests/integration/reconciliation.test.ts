import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postPrice } from "@/app/api/v1/prices/route";
import { GET as getReport } from "@/app/api/v1/reconciliation/route";
import { GET as listConnectionsRoute, POST as postConnection } from "@/app/api/v1/reconciliation/connections/route";
import { DELETE as deleteConnectionRoute } from "@/app/api/v1/reconciliation/connections/[id]/route";
import { POST as postRun } from "@/app/api/v1/reconciliation/run/route";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { openAdminKey } from "@/lib/reconciliation/key-box";
import { resealConnectionKeys, runDueReconciliation } from "@/lib/reconciliation/reconciliation";
import { getPool, prisma } from "@/lib/db";
import { createLogger } from "@/lib/log";
import { Money } from "@/lib/money";
import type { ConnectionJson, ReconciliationReportJson, ReconciliationRowJson } from "@/lib/schemas/reconciliation";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { fixture, startProviderStub, type ProviderStub } from "../factories/provider-stub";
import { createTestUser, read, routeParams, sessionRequest, type TestUser } from "../factories/users";

// The stub providers run on 127.0.0.1: the outbound guard reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/**
 * Reconciliation against stubs of OpenAI's and Anthropic's admin APIs on 127.0.0.1, answering
 * with the recorded shapes in tests/fixtures/reconciliation (two pages of usage each, a 429
 * with retry-after, a 500, Anthropic's cents strings, OpenAI's JSON-number costs). Burnrate's
 * side is ingested through POST /api/v1/events at prices set through POST /api/v1/prices,
 * so every expected figure below is worked out by hand from the fixtures and those rates.
 */

const OPENAI_KEY = "sk-admin-openai-RECONCILE-7f3a9c";
const ANTHROPIC_KEY = "sk-ant-admin01-RECONCILE-b81e44";

let stub: ProviderStub;
let adminKey: string;
let ingestKey: string;
let finance: TestUser;
let lead: TestUser;
const logLines: string[] = [];

/** USD per million tokens, set through the prices API: input, output, cache read, cache write. */
const RATES: Record<string, { provider: string; rates: [string, string, string, string] }> = {
  "claude-sonnet-4-5-20250929": { provider: "anthropic", rates: ["3", "15", "0.3", "3.75"] },
  "claude-haiku-4-5-20251001": { provider: "anthropic", rates: ["1", "5", "0.1", "1.25"] },
  "gpt-4o-2024-08-06": { provider: "openai", rates: ["2.5", "10", "1.25", "2.5"] },
  "gpt-4o-mini-2024-07-18": { provider: "openai", rates: ["0.15", "0.6", "0.075", "0.15"] },
};

interface Usage {
  input: number;
  read: number;
  write: number;
  /** The 1-hour part of `write` (sent as usage.cache_creation_1h_input_tokens). */
  write1h?: number;
  output: number;
}

/** The contract's billing rule, by hand, for the expectations. */
function costOf(model: string, usage: Usage): Money {
  const [input, output, read, write] = (RATES[model]?.rates ?? []).map((r) => new Money(r));
  return new Money(usage.input - usage.read - usage.write)
    .mul(input as Money)
    .plus(new Money(usage.read).mul(read as Money))
    .plus(new Money(usage.write).mul(write as Money))
    .plus(new Money(usage.output).mul(output as Money))
    .div(1_000_000);
}

// What Burnrate is sent: the providers' own token counts, except Haiku on Nov 3 and the audio model (never sent).
const SONNET_NOV2: Usage = { input: 1204337 + 9873552 + 845120 + 120448, read: 9873552, write: 845120 + 120448, write1h: 120448, output: 412908 };
const SONNET_NOV3: Usage = { input: 987215 + 8120311 + 702004 + 98304, read: 8120311, write: 702004 + 98304, write1h: 98304, output: 356120 };
const HAIKU_NOV2: Usage = { input: 3512004 + 1402880 + 210336, read: 1402880, write: 210336, output: 298771 };
const GPT4O_NOV2: Usage = { input: 2551962, read: 612352, write: 0, output: 284117 };
const MINI_NOV2: Usage = { input: 8208463, read: 2187008, write: 0, output: 903366 };
const GPT4O_NOV3: Usage = { input: 2052765, read: 498688, write: 0, output: 231904 };
const MINI_NOV3: Usage = { input: 7322438, read: 1934336, write: 0, output: 811250 };

async function sendUsage(model: string, day: string, usage: Usage): Promise<void> {
  const event = contractEvent({
    timestamp: `${day}T10:00:00Z`,
    provider: RATES[model]?.provider,
    model,
    usage: {
      input_tokens: usage.input,
      output_tokens: usage.output,
      cache_read_input_tokens: usage.read,
      cache_creation_input_tokens: usage.write,
      cache_creation_1h_input_tokens: usage.write1h ?? 0,
    },
  });
  const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [event] } }));
  expect(await response.json()).toMatchObject({ accepted: 1, rejected: 0 });
}

async function connect(provider: "openai" | "anthropic", key: string): Promise<ConnectionJson> {
  const { status, body } = await read<ConnectionJson>(await postConnection(apiRequest("/api/v1/reconciliation/connections", { key: adminKey, body: { provider, admin_key: key, base_url: stub.url } })));
  expect(status).toBe(201);
  return body;
}

async function run(from: string, to: string) {
  return read<{ connections: { provider: string; status: string; error: string | null; pages: number; rows: number }[]; days: number }>(
    await postRun(apiRequest("/api/v1/reconciliation/run", { key: adminKey, body: { from, to } })),
  );
}

async function report(auth: TestUser | { key: string }, query: string) {
  const request = "cookie" in auth ? sessionRequest(`/api/v1/reconciliation?${query}`, { cookie: auth.cookie }) : apiRequest(`/api/v1/reconciliation?${query}`, { key: auth.key, method: "GET" });
  return read<ReconciliationReportJson>(await getReport(request));
}

const usd = (amount: Money) => amount.toFixed(12);
const cents = (...amounts: string[]) => amounts.reduce((sum, a) => sum.plus(a), new Money(0)).div(100);
const pct = (drift: Money, provider: Money) => drift.div(provider).mul(100).toFixed(2);
const row = (body: ReconciliationReportJson, provider: string, day: string, model: string | null) =>
  body.rows.find((r) => r.provider === provider && r.day === day && r.model === model) as ReconciliationRowJson;

beforeAll(async () => {
  (globalThis as { burnrateLogger?: unknown }).burnrateLogger = createLogger({ level: "debug", write: (line) => void logLines.push(line) });
  stub = await startProviderStub({ openaiKey: OPENAI_KEY, anthropicKey: ANTHROPIC_KEY, failFirst: true });
  adminKey = await createTestKey(["admin"]);
  ingestKey = await createTestKey(["ingest"]);
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: "search", role: "lead" }] });
  for (const [model, { provider, rates }] of Object.entries(RATES)) {
    const [input, output, read, write] = rates;
    const response = await postPrice(
      apiRequest("/api/v1/prices", {
        key: adminKey,
        body: { provider, model, effective_from: "2026-01-01T00:00:00Z", input_per_mtok: input, output_per_mtok: output, cache_read_per_mtok: read, cache_write_per_mtok: write },
      }),
    );
    expect(response.status).toBe(201);
  }
  await sendUsage("claude-sonnet-4-5-20250929", "2026-11-02", SONNET_NOV2);
  await sendUsage("claude-sonnet-4-5-20250929", "2026-11-03", SONNET_NOV3);
  await sendUsage("claude-haiku-4-5-20251001", "2026-11-02", HAIKU_NOV2);
  await sendUsage("gpt-4o-2024-08-06", "2026-11-02", GPT4O_NOV2);
  await sendUsage("gpt-4o-mini-2024-07-18", "2026-11-02", MINI_NOV2);
  await sendUsage("gpt-4o-2024-08-06", "2026-11-03", GPT4O_NOV3);
  await sendUsage("gpt-4o-mini-2024-07-18", "2026-11-03", MINI_NOV3);
});

afterAll(async () => {
  delete (globalThis as { burnrateLogger?: unknown }).burnrateLogger;
  await stub.close();
});

describe("reconciliation against the providers' admin APIs", () => {
  let openai: ConnectionJson;
  let anthropic: ConnectionJson;

  it("stores connections with the key sealed: the answers carry a 4-character hint, never the key", async () => {
    openai = await connect("openai", OPENAI_KEY);
    anthropic = await connect("anthropic", ANTHROPIC_KEY);
    expect(openai).toMatchObject({ provider: "openai", base_url: stub.url, last_run: null });
    expect(openai.key_hint).toBe(`…${OPENAI_KEY.slice(-4)}`);
    const { body } = await read<{ connections: ConnectionJson[] }>(await listConnectionsRoute(apiRequest("/api/v1/reconciliation/connections", { key: adminKey, method: "GET" })));
    expect(body.connections.map((c) => c.provider)).toEqual(["openai", "anthropic"]);
    const stored = await prisma.reconciliationConnection.findMany({ select: { keyCiphertext: true } });
    for (const { keyCiphertext } of stored) {
      expect(keyCiphertext).not.toContain(OPENAI_KEY);
      expect(keyCiphertext).not.toContain(ANTHROPIC_KEY);
      expect(keyCiphertext).toMatch(/^v1\./);
    }
    const audit = await prisma.auditLog.findMany({ where: { action: "reconciliation.connection_create" } });
    expect(JSON.stringify(audit.map((entry) => [entry.before, entry.after]))).not.toContain("RECONCILE");
  });

  it("pulls every page, waits out the 429 and retries the 500, with each provider's authentication", async () => {
    const { status, body } = await run("2026-11-02", "2026-11-04");
    expect(status).toBe(200);
    expect(body.connections).toEqual([
      { id: openai.id, provider: "openai", status: "ok", error: null, pages: 3, rows: 7 },
      { id: anthropic.id, provider: "anthropic", status: "ok", error: null, pages: 3, rows: 6 },
    ]);
    expect(body.days).toBe(4);
    const paths = stub.requests.map((r) => `${r.status} ${r.path}${r.query.get("page") ? " page" : ""}`);
    expect(paths).toEqual([
      "200 /v1/organization/usage/completions",
      "200 /v1/organization/usage/completions page",
      "200 /v1/organization/costs",
      "429 /v1/organizations/usage_report/messages",
      "200 /v1/organizations/usage_report/messages",
      "200 /v1/organizations/usage_report/messages page",
      "500 /v1/organizations/cost_report",
      "200 /v1/organizations/cost_report",
    ]);
    const usage = stub.requests.find((r) => r.path === "/v1/organization/usage/completions");
    expect(Object.fromEntries(usage?.query ?? [])).toMatchObject({ start_time: "1793577600", end_time: "1793750400", bucket_width: "1d", group_by: "model" });
    const messages = stub.requests.find((r) => r.path === "/v1/organizations/usage_report/messages" && r.status === 200);
    expect(Object.fromEntries(messages?.query ?? [])).toMatchObject({ starting_at: "2026-11-02T00:00:00.000Z", ending_at: "2026-11-04T00:00:00.000Z", "group_by[]": "model" });
  });

  it("compares exactly per provider, day and model: tokens by class, cost, drift and its cause", async () => {
    const { status, body } = await report(finance, "from=2026-11-02&to=2026-11-04");
    expect(status).toBe(200);

    // Anthropic, Nov 2, Sonnet: Burnrate priced the 120,448 one-hour cache writes at the 5-minute rate.
    const sonnetProvider = cents("361.3011", "619.362", "296.20656", "316.92", "72.2688");
    const sonnetBurnrate = costOf("claude-sonnet-4-5-20250929", SONNET_NOV2);
    expect(sonnetBurnrate.minus(sonnetProvider).toFixed(12)).toBe("-0.271008000000");
    expect(row(body, "anthropic", "2026-11-02", "claude-sonnet-4-5-20250929")).toEqual({
      provider: "anthropic",
      day: "2026-11-02",
      model: "claude-sonnet-4-5-20250929",
      provider_cost_usd: usd(sonnetProvider),
      burnrate_cost_usd: usd(sonnetBurnrate),
      drift_usd: "-0.271008000000",
      drift_pct: pct(sonnetBurnrate.minus(sonnetProvider), sonnetProvider),
      provider_input_tokens: SONNET_NOV2.input,
      burnrate_input_tokens: SONNET_NOV2.input,
      provider_cache_read_tokens: SONNET_NOV2.read,
      burnrate_cache_read_tokens: SONNET_NOV2.read,
      provider_cache_write_tokens: SONNET_NOV2.write,
      burnrate_cache_write_tokens: SONNET_NOV2.write,
      provider_output_tokens: SONNET_NOV2.output,
      burnrate_output_tokens: SONNET_NOV2.output,
      provider_requests: null,
      burnrate_requests: 1,
      burnrate_unpriced_requests: 0,
      causes: ["missing_cache_write_rate"],
      explanation: "120,448 one-hour cache-write tokens are priced at the 5-minute rate: the model's price has no 1-hour rate (cache_write_1h_per_mtok).",
    });
    // Haiku, Nov 2: the same tokens at the same rates: no drift, nothing to explain.
    const haiku = row(body, "anthropic", "2026-11-02", "claude-haiku-4-5-20251001");
    expect(haiku).toMatchObject({ provider_cost_usd: usd(cents("351.2004", "149.3855", "14.0288", "26.292")), drift_usd: "0.000000000000", drift_pct: "0.00", causes: [], explanation: null });
    expect(haiku.burnrate_cost_usd).toBe(usd(costOf("claude-haiku-4-5-20251001", HAIKU_NOV2)));
    // Haiku, Nov 3: never sent to Burnrate.
    const missing = row(body, "anthropic", "2026-11-03", "claude-haiku-4-5-20251001");
    expect(missing).toMatchObject({ burnrate_cost_usd: "0.000000000000", burnrate_input_tokens: 0, provider_input_tokens: 2998410 + 1210112 + 180224, causes: ["tokens_missing"] });
    expect(missing.explanation).toContain(`${(2998410 + 1210112 + 180224).toLocaleString("en-US")} input and ${(250009).toLocaleString("en-US")} output tokens`);
    // Web search and code execution are not split by model: the model-less row.
    expect(row(body, "anthropic", "2026-11-03", null)).toMatchObject({ provider_cost_usd: "0.140000000000", burnrate_cost_usd: "0.000000000000", drift_usd: "-0.140000000000", drift_pct: "-100.00", causes: ["unattributed_cost"] });

    // OpenAI's costs name no model: per-model rows compare tokens only, the day's cost is on the model-less row.
    const gpt4o = row(body, "openai", "2026-11-02", "gpt-4o-2024-08-06");
    expect(gpt4o).toMatchObject({ provider_cost_usd: null, drift_usd: null, provider_input_tokens: 2551962, burnrate_input_tokens: 2551962, provider_requests: 1204, causes: [] });
    expect(row(body, "openai", "2026-11-02", "gpt-4o-audio-preview-2024-12-17")).toMatchObject({ provider_input_tokens: 60180, burnrate_input_tokens: 0, causes: ["tokens_missing"] });
    const openaiNov2Provider = new Money("5.79781825").plus("0.32");
    const openaiNov2Burnrate = costOf("gpt-4o-2024-08-06", GPT4O_NOV2).plus(costOf("gpt-4o-mini-2024-07-18", MINI_NOV2));
    expect(row(body, "openai", "2026-11-02", null)).toMatchObject({
      provider_cost_usd: usd(openaiNov2Provider),
      burnrate_cost_usd: usd(openaiNov2Burnrate),
      drift_usd: usd(openaiNov2Burnrate.minus(openaiNov2Provider)),
      drift_pct: pct(openaiNov2Burnrate.minus(openaiNov2Provider), openaiNov2Provider),
    });

    // The rows compared on cost (those with a provider cost) add up to each day's totals exactly.
    for (const day of body.days) {
      const rows = body.rows.filter((r) => r.provider === day.provider && r.day === day.day && r.provider_cost_usd !== null);
      const sum = (pick: (r: ReconciliationRowJson) => string | null) => usd(rows.reduce((s, r) => s.plus(pick(r) ?? 0), new Money(0)));
      expect(sum((r) => r.burnrate_cost_usd)).toBe(day.burnrate_cost_usd);
      expect(sum((r) => r.provider_cost_usd)).toBe(day.provider_cost_usd);
    }
    const anthropicTotal = body.totals.find((t) => t.provider === "anthropic");
    const anthropicProvider = cents(...JSON.parse(fixture("anthropic-cost-report.json")).data.flatMap((b: { results: { amount: string }[] }) => b.results.map((r) => r.amount)));
    const anthropicBurnrate = costOf("claude-sonnet-4-5-20250929", SONNET_NOV2).plus(costOf("claude-sonnet-4-5-20250929", SONNET_NOV3)).plus(costOf("claude-haiku-4-5-20251001", HAIKU_NOV2));
    expect(anthropicTotal).toEqual({
      provider: "anthropic",
      provider_cost_usd: usd(anthropicProvider),
      burnrate_cost_usd: usd(anthropicBurnrate),
      drift_usd: usd(anthropicBurnrate.minus(anthropicProvider)),
      drift_pct: pct(anthropicBurnrate.minus(anthropicProvider), anthropicProvider),
    });
    expect(body.connections.map((c) => [c.provider, c.last_run?.status])).toEqual([
      ["openai", "ok"],
      ["anthropic", "ok"],
    ]);
  });

  it("running again replaces the same days: the same answer, no row twice", async () => {
    const before = (await report(finance, "from=2026-11-02&to=2026-11-04")).body;
    const stored = await prisma.reconciliationDay.count();
    expect((await run("2026-11-02", "2026-11-04")).body.connections.map((c) => c.status)).toEqual(["ok", "ok"]);
    expect(await prisma.reconciliationDay.count()).toBe(stored);
    const after = (await report(finance, "from=2026-11-02&to=2026-11-04")).body;
    expect(after.rows).toEqual(before.rows);
    expect(after.totals).toEqual(before.totals);
  });

  it("a price with the 1-hour cache-write rate, from Nov 3, re-prices that day's events: Sonnet's drift goes to zero there, not on Nov 2", async () => {
    const response = await postPrice(
      apiRequest("/api/v1/prices", {
        key: adminKey,
        body: {
          provider: "anthropic",
          model: "claude-sonnet-4-5-20250929",
          effective_from: "2026-11-03T00:00:00Z",
          input_per_mtok: "3",
          output_per_mtok: "15",
          cache_read_per_mtok: "0.3",
          cache_write_per_mtok: "3.75",
          cache_write_1h_per_mtok: "6",
        },
      }),
    );
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ cache_write_1h_per_mtok: "6" });
    await repriceForNewPrice(getPool(), { provider: "anthropic", model: "claude-sonnet-4-5-20250929", serviceTier: "standard", effectiveFrom: new Date("2026-11-03T00:00:00Z") });

    const { body } = await report(finance, "from=2026-11-02&to=2026-11-04");
    // 987,215 x 3 + 8,120,311 x 0.3 + 702,004 x 3.75 + 98,304 x 6 + 356,120 x 15, / 1e6: exactly Anthropic's cost report for that day.
    const nov3 = row(body, "anthropic", "2026-11-03", "claude-sonnet-4-5-20250929");
    expect(nov3).toMatchObject({ provider_cost_usd: usd(cents("296.1645", "534.18", "243.60933", "263.2515", "58.9824")), drift_usd: "0.000000000000", causes: [] });
    expect(nov3.burnrate_cost_usd).toBe("13.961877300000");
    expect(row(body, "anthropic", "2026-11-02", "claude-sonnet-4-5-20250929").drift_usd).toBe("-0.271008000000");
    // The rollups still equal a recount from the raw events.
    const recount = await getPool().query<{ rollups: string; events: string }>(
      `SELECT (SELECT sum(cost_usd)::text FROM usage_rollup_hourly_all WHERE model = $1) AS rollups,
              (SELECT sum(cost_usd)::text FROM usage_events WHERE model = $1) AS events`,
      ["claude-sonnet-4-5-20250929"],
    );
    expect(recount.rows[0]?.rollups).toBe(recount.rows[0]?.events);
  });

  it("fires reconciliation.drift once per provider and day past 5% on at least $1", async () => {
    const { body } = await report(finance, "from=2026-11-02&to=2026-11-04");
    const expected = body.days
      .filter((d) => d.provider_cost_usd !== null && new Money(d.provider_cost_usd).gte(1) && new Money(d.drift_usd ?? 0).abs().mul(100).gt(new Money(d.provider_cost_usd).mul(5)))
      .map((d) => `${d.provider} ${d.day}`)
      .sort();
    expect(expected).toContain("anthropic 2026-11-03");
    const first = await evaluateAlerts(getPool(), new Date("2026-11-05T12:00:00Z"), { baseUrl: "http://burnrate.test" });
    const fired = first.fired.filter((a) => a.type === "reconciliation.drift");
    expect(fired.map((a) => `${a.provider} ${a.day}`).sort()).toEqual(expected);
    const again = await evaluateAlerts(getPool(), new Date("2026-11-05T13:00:00Z"), { baseUrl: "http://burnrate.test" });
    expect(again.fired.filter((a) => a.type === "reconciliation.drift")).toEqual([]);
  });

  it("records a refused key as a failed run, visible on the connection, without the key anywhere", async () => {
    const wrong = await connect("anthropic", "sk-ant-admin01-WRONG-KEY-0000");
    const { body } = await run("2026-11-02", "2026-11-03");
    const failed = body.connections.find((c) => c.provider === "anthropic" && c.status === "failed");
    expect(failed?.error).toBe(`${stub.url}/v1/organizations/usage_report/messages answered HTTP 401: the admin key was refused`);
    const list = await read<{ connections: ConnectionJson[] }>(await listConnectionsRoute(apiRequest("/api/v1/reconciliation/connections", { key: adminKey, method: "GET" })));
    expect(list.body.connections.find((c) => c.id === wrong.id)?.last_run).toMatchObject({ status: "failed", error: failed?.error });
    const deleted = await deleteConnectionRoute(apiRequest(`/api/v1/reconciliation/connections/${wrong.id}`, { key: adminKey, method: "DELETE" }), routeParams({ id: wrong.id }));
    expect(deleted.status).toBe(200);
    // No key in any log line written during the whole file, nor in any stored run or audit entry.
    expect(logLines.some((line) => line.includes("reconciliation pull failed"))).toBe(true);
    const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
    const everything = [logLines.join("\n"), json(await prisma.reconciliationRun.findMany()), json(await prisma.auditLog.findMany())].join("\n");
    for (const secret of [OPENAI_KEY, ANTHROPIC_KEY, "sk-ant-admin01-WRONG-KEY-0000"]) expect(everything).not.toContain(secret);
  });

  it("refuses what it must: a lead (403), a bad window (400 naming to), a base URL the guard refuses (400 naming base_url)", async () => {
    expect((await report(lead, "from=2026-11-02&to=2026-11-04")).status).toBe(403);
    const bad = await report(finance, "from=2026-11-04&to=2026-11-02");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('"path":"to"');
    const metadata = await read(await postConnection(apiRequest("/api/v1/reconciliation/connections", { key: adminKey, body: { provider: "openai", admin_key: OPENAI_KEY, base_url: "http://169.254.169.254" } })));
    expect(metadata.status).toBe(400);
    expect(JSON.stringify(metadata.body)).toContain('"path":"base_url"');
    const asFinance = await postRun(sessionRequest("/api/v1/reconciliation/run", { cookie: finance.cookie, method: "POST", body: { from: "2026-11-02", to: "2026-11-03" } }));
    expect(asFinance.status).toBe(403);
  });
});

describe("the daily pull and key rotation", () => {
  it("pulls each connection once a day for the last 3 whole days, one instance at a time", async () => {
    await prisma.reconciliationConnection.deleteMany();
    const connection = await connect("openai", OPENAI_KEY);
    const now = new Date("2026-11-05T06:00:00Z");
    // Two instances at once: one pulls, the other finds the lock taken (or nothing due).
    const [a, b] = await Promise.all([runDueReconciliation(getPool(), now), runDueReconciliation(getPool(), now)]);
    const ran = [a, b].filter((result) => result !== null);
    expect(ran).toHaveLength(1);
    expect(ran[0]).toMatchObject({ from: "2026-11-02", to: "2026-11-05", connections: [{ id: connection.id, status: "ok" }] });
    const runs = await prisma.reconciliationRun.findMany({ where: { connectionId: connection.id } });
    expect(runs.map((run) => [run.fromDay.toISOString().slice(0, 10), run.toDay.toISOString().slice(0, 10), run.status])).toEqual([["2026-11-02", "2026-11-05", "ok"]]);
    // Not due again within the day; due again a day later.
    expect(await runDueReconciliation(getPool(), new Date("2026-11-05T18:00:00Z"))).toBeNull();
    expect(await runDueReconciliation(getPool(), new Date("2026-11-06T07:00:00Z"))).toMatchObject({ from: "2026-11-03", to: "2026-11-06" });
  });

  it("reseals stored admin keys under a new secret, the old one given as previous, and the pulls keep working", async () => {
    const saved = { current: process.env.BURNRATE_CONNECTION_SECRET, previous: process.env.BURNRATE_CONNECTION_SECRET_PREVIOUS };
    const oldSecret = "old-connection-secret-0123456789-abcdefghij";
    const newSecret = "new-connection-secret-0123456789-klmnopqrst";
    try {
      process.env.BURNRATE_CONNECTION_SECRET = oldSecret;
      await prisma.reconciliationConnection.deleteMany();
      await connect("anthropic", ANTHROPIC_KEY);
      const before = (await prisma.reconciliationConnection.findFirstOrThrow()).keyCiphertext;

      process.env.BURNRATE_CONNECTION_SECRET = newSecret;
      process.env.BURNRATE_CONNECTION_SECRET_PREVIOUS = oldSecret;
      expect(await resealConnectionKeys(getPool())).toEqual({ resealed: 1, total: 1 });
      expect(await resealConnectionKeys(getPool())).toEqual({ resealed: 0, total: 1 });
      const after = (await prisma.reconciliationConnection.findFirstOrThrow()).keyCiphertext;
      expect(after).not.toBe(before);

      // The old secret can go: the key opens with the new one alone, and a pull authenticates.
      delete process.env.BURNRATE_CONNECTION_SECRET_PREVIOUS;
      expect(openAdminKey(after)).toBe(ANTHROPIC_KEY);
      expect((await run("2026-11-02", "2026-11-03")).body.connections.map((c) => c.status)).toEqual(["ok"]);
    } finally {
      if (saved.current === undefined) delete process.env.BURNRATE_CONNECTION_SECRET;
      else process.env.BURNRATE_CONNECTION_SECRET = saved.current;
      if (saved.previous === undefined) delete process.env.BURNRATE_CONNECTION_SECRET_PREVIOUS;
      else process.env.BURNRATE_CONNECTION_SECRET_PREVIOUS = saved.previous;
    }
  });
});
