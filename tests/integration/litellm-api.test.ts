import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/integrations/litellm/route";
import { getPool, prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "../factories/api-keys";

const ROUTE = "/api/v1/integrations/litellm";
const NDJSON = { "content-type": "application/x-ndjson" };

type Payload = Record<string, unknown> & { id: string };

let ingestKey: string;
let readKey: string;

/** A fresh copy of a recorded-shape payload (tests/fixtures/litellm/<name>.json). */
function fixture(name: "openai-chat" | "anthropic-messages" | "failure"): Payload {
  const file = path.resolve(import.meta.dirname, "../fixtures/litellm", `${name}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { payload: Payload }).payload;
}

/** The fixture with an id of its own: ids are deduplicated across the whole database. */
function payload(name: Parameters<typeof fixture>[0], suffix = randomUUID()): Payload {
  const p = fixture(name);
  p.id = `${p.id}-${suffix}`;
  return p;
}

/**
 * The three fixtures as one batch. The OpenAI call is given reasoning tokens and two more
 * request tags (one extra tag, one without a colon) so every token class and tag path is exercised.
 */
function fixtureBatch(suffix = randomUUID()): Payload[] {
  const openai = payload("openai-chat", suffix);
  const usage = (openai.metadata as { usage_object: { completion_tokens_details: { reasoning_tokens: number } } }).usage_object;
  usage.completion_tokens_details.reasoning_tokens = 100;
  openai.request_tags = [...(openai.request_tags as string[]), "ticket:FIN-142", "no-colon-here"];
  return [openai, payload("anthropic-messages", suffix), payload("failure", suffix)];
}

const ndjson = (payloads: unknown[]) => payloads.map((p) => JSON.stringify(p)).join("\n") + "\n";

/** Posts a raw body; `key: null` sends no Authorization header. */
async function post(rawBody: string | Uint8Array, headers: Record<string, string> = {}, key: string | null = ingestKey) {
  const response = await POST(apiRequest(ROUTE, { key: key ?? undefined, rawBody, headers }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The stored rows of these ids, in the ids' order, with every column we compare (ids left out). */
async function storedRows(ids: string[]) {
  const { rows } = await getPool().query(
    `SELECT occurred_at, provider, provider_as_sent, model, operation::text, input_tokens, output_tokens,
            cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, latency_ms,
            status::text, response_cache_hit, trace_id, team, feature, environment, tenant, end_user,
            prompt_version, extra_tags, cost_usd::text, pricing_state::text, reported_cost_usd::text
       FROM usage_events WHERE id = ANY($1) ORDER BY array_position($1, id)`,
    [ids],
  );
  return rows as Record<string, unknown>[];
}

async function countStored(ids: string[]): Promise<number> {
  return prisma.usageEvent.count({ where: { id: { in: ids } } });
}

/** Hand-computed rows of fixtureBatch() under the prices inserted below. */
const EXPECTED_ROWS = [
  {
    occurred_at: new Date("2026-01-01T00:00:00.123Z"),
    provider: "openai",
    provider_as_sent: null,
    model: "gpt-4o-mini", // "openai/gpt-4o-mini" without its provider prefix
    operation: "chat",
    input_tokens: 1200, // usage_object.prompt_tokens (includes the cached tokens)
    output_tokens: 300,
    cache_read_input_tokens: 1024, // prompt_tokens_details.cached_tokens
    cache_creation_input_tokens: 0,
    reasoning_output_tokens: 100,
    latency_ms: 1864, // (1767225601.987654 - 1767225600.123456) s
    status: "success",
    response_cache_hit: false,
    trace_id: "3f6a1c2e-8b7d-4e59-9a10-2c4d6e8f0a1b",
    team: "search-team", // metadata.user_api_key_team_alias
    feature: "search",
    environment: "prod",
    tenant: null,
    end_user: "customer-4821", // end_user
    prompt_version: null,
    extra_tags: { ticket: "FIN-142" }, // no "User-Agent" entries, no "no-colon-here"
    // (1200-1024)*2 + 1024*0.5 + (300-100)*8 + 100*10 = 352 + 512 + 1600 + 1000 = 3464 → /1e6
    cost_usd: "0.003464000000",
    pricing_state: "priced",
    reported_cost_usd: "0.000283200000", // response_cost 0.0002832
  },
  {
    occurred_at: new Date("2026-01-01T00:01:40.501Z"),
    provider: "anthropic",
    provider_as_sent: null,
    model: "claude-sonnet-4-20250514",
    operation: "chat",
    input_tokens: 10150, // prompt_tokens: 150 uncached + 8000 cache read + 2000 cache write
    output_tokens: 400,
    cache_read_input_tokens: 8000,
    cache_creation_input_tokens: 2000,
    reasoning_output_tokens: 0,
    latency_ms: 5728, // (1767225706.2291 - 1767225700.5012) s
    status: "success",
    response_cache_hit: false,
    trace_id: "9c1e5b7a-2d4f-4a8e-b6c0-1f3e5a7c9d2b",
    team: "support",
    feature: "support-bot",
    environment: "prod",
    tenant: null,
    end_user: "user_91a0", // end_user is "", so metadata.user_api_key_user_id
    prompt_version: null,
    extra_tags: null,
    // 150*3 + 8000*0.3 + 2000*3.75 + 400*15 = 450 + 2400 + 7500 + 6000 = 16350 → /1e6
    cost_usd: "0.016350000000",
    pricing_state: "priced",
    reported_cost_usd: "0.016350000000", // response_cost 0.01635
  },
  {
    occurred_at: new Date("2026-01-01T00:03:20.002Z"),
    provider: "openai",
    provider_as_sent: null,
    model: "gpt-4o-mini", // hidden_params.litellm_model_name is null: payload.model without prefix
    operation: "chat",
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    reasoning_output_tokens: 0,
    latency_ms: 409, // (1767225800.4113 - 1767225800.0021) s
    status: "error", // status "failure"
    response_cache_hit: false,
    trace_id: "1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b",
    team: "search-team",
    feature: "search",
    environment: "prod",
    tenant: null,
    end_user: "customer-4821",
    prompt_version: null,
    extra_tags: null,
    cost_usd: "0.000000000000", // no tokens
    pricing_state: "priced",
    reported_cost_usd: "0.000000000000", // response_cost 0.0
  },
];

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  readKey = await createTestKey(["read"]);
  // Our own rates for the fixtures' models, effective just before their calls (2026-01-01),
  // so the costs above do not depend on any catalog.
  const effectiveFrom = new Date("2025-12-31T23:00:00Z");
  await prisma.price.createMany({
    data: [
      { provider: "openai", model: "gpt-4o-mini", serviceTier: "standard", effectiveFrom,
        inputPerMtok: "2", outputPerMtok: "8", cacheReadPerMtok: "0.5", cacheWritePerMtok: "2.5", reasoningPerMtok: "10" },
      { provider: "anthropic", model: "claude-sonnet-4-20250514", serviceTier: "standard", effectiveFrom,
        inputPerMtok: "3", outputPerMtok: "15", cacheReadPerMtok: "0.3", cacheWritePerMtok: "3.75", reasoningPerMtok: "15" },
    ],
  });
});

describe("POST /api/v1/integrations/litellm: authentication before the body", () => {
  it("answers 401 without a key", async () => {
    const batch = fixtureBatch();
    const result = await post(JSON.stringify(batch), {}, null);
    expect(result.status).toBe(401);
    expect(result.body).toMatchObject({ error: { code: "unauthorized" } });
    expect(await countStored(batch.map((p) => p.id))).toBe(0);
  });

  it("answers 403 to a read-only key and stores nothing", async () => {
    const batch = fixtureBatch();
    const result = await post(JSON.stringify(batch), {}, readKey);
    expect(result.status).toBe(403);
    expect(result.body).toMatchObject({ error: { code: "forbidden" } });
    expect(await countStored(batch.map((p) => p.id))).toBe(0);
  });
});

describe("POST /api/v1/integrations/litellm: mapping of the recorded shapes", () => {
  it("stores each fixture with the contract's mapping and exact costs", async () => {
    const batch = fixtureBatch();
    const result = await post(JSON.stringify(batch));
    expect(result).toEqual({ status: 200, body: { accepted: 3, duplicates: 0, rejected: 0, errors: [] } });
    expect(await storedRows(batch.map((p) => p.id))).toEqual(EXPECTED_ROWS);
  });

  it("gives the same rows for a JSON array, NDJSON, NDJSON sent as application/json, and single objects", async () => {
    // Same payloads, distinct ids per form; every form is compared with the hand-computed rows.
    const forms: Array<{ name: string; send: (batch: Payload[]) => Promise<Array<{ status: number; body: unknown }>> }> = [
      { name: "json array", send: async (b) => [await post(JSON.stringify(b))] },
      { name: "ndjson", send: async (b) => [await post(ndjson(b), NDJSON)] },
      // What LiteLLM's ndjson log_format really sends: application/json, no trailing newline (CONFIG-FACTS.md).
      { name: "ndjson as json", send: async (b) => [await post(ndjson(b).trimEnd(), { "content-type": "application/json" })] },
      { name: "object", send: async (b) => Promise.all(b.map((p) => post(JSON.stringify(p)))) },
      // A pretty-printed object has newlines inside it: still one object, not NDJSON.
      { name: "pretty object", send: async (b) => Promise.all(b.map((p) => post(JSON.stringify(p, null, 2)))) },
    ];
    const stored: Record<string, unknown> = {};
    for (const form of forms) {
      const batch = fixtureBatch();
      const results = await form.send(batch);
      const accepted = results.reduce((sum, r) => sum + ((r.body as { accepted: number }).accepted ?? 0), 0);
      expect({ form: form.name, statuses: results.map((r) => r.status), accepted }).toEqual({
        form: form.name,
        statuses: results.map(() => 200),
        accepted: 3,
      });
      stored[form.name] = await storedRows(batch.map((p) => p.id));
    }
    expect(stored).toEqual(Object.fromEntries(forms.map((f) => [f.name, EXPECTED_ROWS])));
  });

  it("never stores messages, response or model_parameters", async () => {
    const marker = randomUUID();
    const p = payload("openai-chat");
    p.messages = [{ role: "user", content: `in-messages-${marker}` }];
    p.response = { choices: [{ message: { role: "assistant", content: `in-response-${marker}` } }] };
    p.model_parameters = { temperature: 0.2, user: `in-model-parameters-${marker}` };
    // Positive control: the same query does find a marker in a field that is kept.
    p.request_tags = [`probe:kept-${marker}`];
    expect((await post(JSON.stringify([p]))).status).toBe(200);
    expect(await countStored([p.id])).toBe(1);

    const rowsContaining = async (text: string) => {
      const { rows } = await getPool().query<{ n: number }>(
        "SELECT count(*)::int AS n FROM usage_events WHERE row_to_json(usage_events)::text LIKE '%' || $1 || '%'",
        [text],
      );
      return rows[0]!.n;
    };
    expect(await rowsContaining(`kept-${marker}`)).toBe(1);
    expect({
      messages: await rowsContaining(`in-messages-${marker}`),
      response: await rowsContaining(`in-response-${marker}`),
      model_parameters: await rowsContaining(`in-model-parameters-${marker}`),
    }).toEqual({ messages: 0, response: 0, model_parameters: 0 });
  });
});

describe("POST /api/v1/integrations/litellm: replays and receipts", () => {
  it("counts a replayed batch as duplicates and records a receipt only for stored events", async () => {
    const { rows: before } = await getPool().query<{ max: string | null }>("SELECT max(id)::text AS max FROM ingest_receipts");
    const receiptsSince = async () =>
      (
        await getPool().query(`SELECT source, events FROM ingest_receipts WHERE id > $1 ORDER BY id`, [before[0]!.max ?? "0"])
      ).rows;

    const body = JSON.stringify(fixtureBatch());
    expect(await post(body)).toEqual({ status: 200, body: { accepted: 3, duplicates: 0, rejected: 0, errors: [] } });
    expect(await receiptsSince()).toEqual([{ source: "litellm", events: 3 }]);

    // LiteLLM retries a batch whose answer it did not see: the same body again.
    expect(await post(body)).toEqual({ status: 200, body: { accepted: 0, duplicates: 3, rejected: 0, errors: [] } });
    expect(await receiptsSince()).toEqual([{ source: "litellm", events: 3 }]);
  });
});

describe("POST /api/v1/integrations/litellm: large and compressed batches", () => {
  it("accepts 100 payloads with a 200 KB messages array each (~20 MB)", async () => {
    const transcript = [{ role: "user", content: "x".repeat(200 * 1024) }];
    const batch = Array.from({ length: 100 }, () => ({ ...payload("openai-chat"), messages: transcript }));
    const body = JSON.stringify(batch);
    expect(body.length).toBeGreaterThan(20_000_000);
    expect(await post(body)).toEqual({ status: 200, body: { accepted: 100, duplicates: 0, rejected: 0, errors: [] } });
    expect(await countStored(batch.map((p) => p.id))).toBe(100);
  });

  it("accepts exactly 1000 payloads", async () => {
    const batch = Array.from({ length: 1000 }, () => payload("failure"));
    expect(await post(JSON.stringify(batch))).toEqual({ status: 200, body: { accepted: 1000, duplicates: 0, rejected: 0, errors: [] } });
    expect(await countStored(batch.map((p) => p.id))).toBe(1000);
  });

  it("accepts a gzip-compressed batch, inflated across many chunks", async () => {
    // 200 KB transcripts make the inflated body arrive in many chunks, split anywhere.
    const batch = fixtureBatch().map((p) => ({ ...p, messages: [{ role: "user", content: "z".repeat(200 * 1024) }] }));
    const result = await post(gzipSync(JSON.stringify(batch)), { "content-encoding": "gzip" });
    expect(result).toEqual({ status: 200, body: { accepted: 3, duplicates: 0, rejected: 0, errors: [] } });
    expect(await storedRows(batch.map((p) => p.id))).toEqual(EXPECTED_ROWS);
  });
});

describe("POST /api/v1/integrations/litellm: per-payload errors", () => {
  it("rejects a payload without id by its index and stores the others (207)", async () => {
    const [first, middle, last] = fixtureBatch();
    delete (middle as Partial<Payload>).id;
    const result = await post(JSON.stringify([first, middle, last]));
    expect(result).toEqual({
      status: 207,
      body: { accepted: 2, duplicates: 0, rejected: 1, errors: [{ index: 1, path: "id", message: expect.any(String) }] },
    });
    expect(await countStored([first!.id, last!.id])).toBe(2);
  });

  it.each([
    ["unclosed object", "x-ndjson", '{"id": "half'],
    ["bad literal", "x-ndjson", '{"id": tru}'],
    ["not JSON", "x-ndjson", "not json"],
    ["unclosed object, auto-detected", "json", '{"id": "half'],
  ])("names NDJSON line 2 when it is bad (%s) and stores lines 1 and 3 (207)", async (_, type, badLine) => {
    const [first, , last] = fixtureBatch();
    const body = `${JSON.stringify(first)}\n${badLine}\n${JSON.stringify(last)}\n`;
    const result = await post(body, { "content-type": `application/${type}` });
    expect(result).toEqual({
      status: 207,
      body: {
        accepted: 2,
        duplicates: 0,
        rejected: 1,
        errors: [{ index: 1, line: 2, path: "", message: expect.stringContaining("line 2") }],
      },
    });
    expect(await countStored([first!.id, last!.id])).toBe(2);
  });
});

describe("POST /api/v1/integrations/litellm: whole-body problems", () => {
  const invalid = { error: { code: "invalid_request", message: expect.any(String) } };

  it.each<[string, () => { body: string | Uint8Array; headers?: Record<string, string>; ids?: string[] }]>([
    ["not JSON at all", () => ({ body: "this is not json" })],
    ["a truncated array", () => {
      const batch = fixtureBatch();
      return { body: JSON.stringify(batch).slice(0, -200), ids: batch.map((p) => p.id) };
    }],
    ["1001 payloads", () => {
      const batch = Array.from({ length: 1001 }, () => payload("failure"));
      return { body: JSON.stringify(batch), ids: batch.map((p) => p.id) };
    }],
    ["1001 NDJSON lines", () => {
      const batch = Array.from({ length: 1001 }, () => payload("failure"));
      return { body: ndjson(batch), headers: NDJSON, ids: batch.map((p) => p.id) };
    }],
    ["an empty body", () => ({ body: "" })],
    ["only whitespace", () => ({ body: " \n\t\n" })],
    ["a JSON string", () => ({ body: '"hello"' })],
    ["a truncated gzip body", () => {
      const batch = fixtureBatch();
      const gz = gzipSync(JSON.stringify(batch));
      return { body: gz.subarray(0, gz.length - 40), headers: { "content-encoding": "gzip" }, ids: batch.map((p) => p.id) };
    }],
    ["gzip announced but plain JSON sent", () => {
      const batch = fixtureBatch();
      return { body: JSON.stringify(batch), headers: { "content-encoding": "gzip" }, ids: batch.map((p) => p.id) };
    }],
  ])("refuses %s with 400 and the error body, storing nothing", async (_, make) => {
    const { body, headers, ids = [] } = make();
    const result = await post(body, headers);
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject(invalid);
    expect(await countStored(ids)).toBe(0);
  });

  it("refuses a body over 50,000,000 bytes with 413", async () => {
    const result = await post(`[${" ".repeat(50_000_000)}]`);
    expect(result.status).toBe(413);
    expect(result.body).toMatchObject({ error: { code: "payload_too_large" } });
  });

  it("refuses content-encoding br with 415", async () => {
    const batch = fixtureBatch();
    const result = await post(JSON.stringify(batch), { "content-encoding": "br" });
    expect(result.status).toBe(415);
    expect(result.body).toMatchObject({ error: { code: "unsupported_media_type" } });
    expect(await countStored(batch.map((p) => p.id))).toBe(0);
  });
});
