import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/events/route";
import { getPool, prisma } from "@/lib/db";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

let ingestKey: string;
let readKey: string;

// A price of our own (unique model name) so exact costs do not depend on the default catalog.
const model = `test-model-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  readKey = await createTestKey(["read"]);
  await prisma.price.createMany({
    data: [
      // standard: $2 in, $8 out, $0.5 cache read, $2.5 cache write, $8 reasoning per million
      { provider: "openai", model, serviceTier: "standard", effectiveFrom: new Date("2026-01-01T00:00:00Z"),
        inputPerMtok: "2", outputPerMtok: "8", cacheReadPerMtok: "0.5", cacheWritePerMtok: "2.5", reasoningPerMtok: "8" },
      // from Nov 1: input drops to $1.5
      { provider: "openai", model, serviceTier: "standard", effectiveFrom: new Date("2026-11-01T00:00:00Z"),
        inputPerMtok: "1.5", outputPerMtok: "8", cacheReadPerMtok: "0.5", cacheWritePerMtok: "2.5", reasoningPerMtok: "8" },
      // batch tier: half price
      { provider: "openai", model, serviceTier: "batch", effectiveFrom: new Date("2026-01-01T00:00:00Z"),
        inputPerMtok: "1", outputPerMtok: "4", cacheReadPerMtok: "0.25", cacheWritePerMtok: "1.25", reasoningPerMtok: "4" },
    ],
  });
});

async function post(body: unknown, key = ingestKey) {
  const response = await POST(apiRequest("/api/v1/events", { key, body }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function storedCost(id: string): Promise<string | null> {
  const row = await prisma.usageEvent.findFirstOrThrow({ where: { id } });
  return row.costUsd === null ? null : row.costUsd.toFixed(12);
}

describe("POST /api/v1/events: authentication before the body", () => {
  it("answers 401 without a key and with an unknown or malformed key", async () => {
    expect((await POST(apiRequest("/api/v1/events", { body: {} }))).status).toBe(401);
    const bad = await post({ events: [] }, "br_notARealKey");
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("answers 403 to a key without the ingest scope, whatever it sends", async () => {
    const response = await POST(apiRequest("/api/v1/events", { key: readKey, rawBody: "not json at all" }));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "forbidden" } });
  });

  it("accepts an admin key (admin is everything)", async () => {
    const admin = await createTestKey(["admin"]);
    expect((await post({ events: [contractEvent()] }, admin)).status).toBe(200);
  });
});

describe("POST /api/v1/events: envelope", () => {
  it("refuses a body that is not JSON with 400 and the error body", async () => {
    const response = await POST(apiRequest("/api/v1/events", { key: ingestKey, rawBody: "{oops" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
  });

  it.each([
    [[], ""],
    [{ events: "x" }, "events"],
    [{ events: [] }, "events"],
    [{ events: Array.from({ length: 1001 }, () => ({})) }, "events"],
    [{ evnts: [] }, "events"],
  ])("refuses the envelope %j naming the field", async (body, path) => {
    const result = await post(body);
    expect(result.status).toBe(400);
    const details = (result.body.error as { details: { path: string }[] }).details;
    expect(details.map((d) => d.path)).toContain(path);
  });

  it("answers 413 over 5,000,000 bytes and stores nothing", async () => {
    const before = await prisma.usageEvent.count();
    const huge = JSON.stringify({ events: [contractEvent({ tags: { note: "x".repeat(5_000_001) } })] });
    const response = await POST(apiRequest("/api/v1/events", { key: ingestKey, rawBody: huge }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
    expect(await prisma.usageEvent.count()).toBe(before);
  });
});

describe("POST /api/v1/events: per-event validation", () => {
  it("stores the valid events and reports the others with a field path (207)", async () => {
    const good = contractEvent();
    const badTokens = contractEvent({ usage: { input_tokens: -1, output_tokens: 5 } });
    const inconsistent = contractEvent({ usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 11 } });
    const result = await post({ events: [good, badTokens, inconsistent] });
    expect(result.status).toBe(207);
    expect(result.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 2 });
    const errors = result.body.errors as { index: number; id: string; path: string }[];
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, id: badTokens.id, path: "usage.input_tokens" }),
        expect.objectContaining({ index: 2, id: inconsistent.id, path: "usage.cache_read_input_tokens" }),
      ]),
    );
    expect(await prisma.usageEvent.count({ where: { id: { in: [badTokens.id as string, inconsistent.id as string] } } })).toBe(0);
    expect(await prisma.usageEvent.count({ where: { id: good.id as string } })).toBe(1);
  });

  it("answers 400 when no event is valid, and stores none", async () => {
    const result = await post({ events: [{ id: "x" }, contractEvent({ timestamp: "yesterday" })] });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ accepted: 0, rejected: 2, error: { code: "invalid_request" } });
    const paths = (result.body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(["timestamp", "provider", "model", "usage"]));
  });

  it("rejects only the oversized event (32 KB cap per event)", async () => {
    const big = contractEvent({ tags: { team: "search", note: "x".repeat(200) , ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, "y".repeat(250)])) } });
    const huge = contractEvent({ trace_id: "t".repeat(200), tags: { blob: "z".repeat(40_000) } });
    const result = await post({ events: [big, huge] });
    expect(result.status).toBe(207);
    expect(result.body).toMatchObject({ accepted: 1, rejected: 1 });
    expect((result.body.errors as { index: number; path: string }[])[0]).toMatchObject({ index: 1, path: "" });
  });
});

describe("POST /api/v1/events: usage shapes and exact prices", () => {
  it("normalises openai_usage (prompt includes cached) and prices cache reads", async () => {
    const event = contractEvent({
      model,
      usage: undefined,
      openai_usage: { prompt_tokens: 10_000, completion_tokens: 1_000, prompt_tokens_details: { cached_tokens: 8_000 }, completion_tokens_details: { reasoning_tokens: 400 } },
    });
    expect((await post({ events: [event] })).status).toBe(200);
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: event.id as string } });
    expect([row.inputTokens, row.cacheReadInputTokens, row.outputTokens, row.reasoningOutputTokens]).toEqual([10_000, 8_000, 1_000, 400]);
    // Nov 2 → the Nov 1 entry: (2000*1.5 + 8000*0.5 + 600*8 + 400*8) / 1e6 = (3000 + 4000 + 4800 + 3200) / 1e6
    expect(await storedCost(event.id as string)).toBe("0.015000000000");
  });

  it("normalises anthropic_usage (input excludes cache) and prices cache writes", async () => {
    const event = contractEvent({
      model,
      timestamp: "2026-10-31T23:59:59.999Z", // the January entry still applies
      usage: undefined,
      anthropic_usage: { input_tokens: 500, output_tokens: 200, cache_read_input_tokens: 3_000, cache_creation_input_tokens: 1_000 },
    });
    expect((await post({ events: [event] })).status).toBe(200);
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: event.id as string } });
    expect(row.inputTokens).toBe(4_500);
    // (500*2 + 3000*0.5 + 1000*2.5 + 200*8) / 1e6 = (1000 + 1500 + 2500 + 1600) / 1e6
    expect(await storedCost(event.id as string)).toBe("0.006600000000");
    expect(row.priceId).not.toBeNull();
  });

  it("prices the batch tier with its own entry, and falls back to standard for a tier without one", async () => {
    const batch = contractEvent({ model, service_tier: "batch", usage: { input_tokens: 1_000_000, output_tokens: 1_000_000 } });
    const flex = contractEvent({ model, service_tier: "flex", usage: { input_tokens: 1_000_000, output_tokens: 0 } });
    expect((await post({ events: [batch, flex] })).status).toBe(200);
    expect(await storedCost(batch.id as string)).toBe("5.000000000000"); // 1 + 4
    expect(await storedCost(flex.id as string)).toBe("1.500000000000"); // standard Nov entry
  });

  it("stores an event of an unknown model as unpriced: no cost, never $0", async () => {
    const event = contractEvent({ provider: "acme-ai", model: `unknown-${randomUUID()}` });
    expect((await post({ events: [event] })).status).toBe(200);
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: event.id as string } });
    expect(row.pricingState).toBe("unpriced");
    expect(row.costUsd).toBeNull();
  });
});

describe("POST /api/v1/events: duplicates and rollups", () => {
  it("counts one event sent 1000 times once, and replaying the batch changes nothing", async () => {
    const event = contractEvent({ model });
    const batch = { events: Array.from({ length: 1000 }, () => event) };
    const first = await post(batch);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 999, rejected: 0 });
    const again = await post(batch);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1000 });
    expect(await prisma.usageEvent.count({ where: { id: event.id as string } })).toBe(1);
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });

  it("stores each event once when two identical batches arrive at the same time", async () => {
    const events = Array.from({ length: 300 }, (_, i) => contractEvent({ model, tags: { team: `team-${i % 7}` } }));
    const [a, b] = await Promise.all([post({ events }), post({ events })]);
    expect((a.body.accepted as number) + (b.body.accepted as number)).toBe(300);
    expect((a.body.duplicates as number) + (b.body.duplicates as number)).toBe(300);
    expect(await prisma.usageEvent.count({ where: { id: { in: events.map((e) => e.id as string) } } })).toBe(300);
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });

  it("claims each id once when overlapping batches arrive at once in different orders, the duplicate first or last", async () => {
    const events = Array.from({ length: 400 }, (_, i) => contractEvent({ model, tags: { team: `team-${i % 5}` } }));
    const stored = contractEvent({ model });
    expect((await post({ events: [stored] })).body).toMatchObject({ accepted: 1 });
    // Every batch shares ids with the others, each in its own order; two hold an id already stored.
    const batches = [
      events.slice(0, 250),
      events.slice(150, 400).reverse(),
      [...events.slice(100, 300).filter((_, i) => i % 2 === 0), ...events.slice(0, 50)],
      [...events.slice(300, 400), stored],
      [stored, ...events.slice(200, 260)],
    ];
    const answers = await Promise.all(batches.map((batch) => post({ events: batch })));
    for (const answer of answers) expect(answer.status).toBe(200);
    const total = (key: string) => answers.reduce((sum, a) => sum + (a.body[key] as number), 0);
    expect(total("accepted")).toBe(400);
    expect(total("duplicates")).toBe(batches.reduce((n, b) => n + b.length, 0) - 400);
    expect(await prisma.usageEvent.count({ where: { id: { in: [...events, stored].map((e) => e.id as string) } } })).toBe(401);
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });

  it("stores ids and tags holding COPY's special characters exactly, and knows them again", async () => {
    const id = `copy\\text\ttab\nline\rret ünï ${randomUUID()}`;
    const event = contractEvent({ id, model, trace_id: "t\\1\t2", tags: { team: "a\tb", feature: "back\\slash", channel: "new\nline" } });
    expect((await post({ events: [event] })).body).toMatchObject({ accepted: 1 });
    expect((await post({ events: [event, contractEvent({ model })] })).body).toMatchObject({ accepted: 1, duplicates: 1 });
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id } });
    expect(row).toMatchObject({ traceId: "t\\1\t2", team: "a\tb", feature: "back\\slash", extraTags: { channel: "new\nline" } });
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });

  it("creates unknown teams as discovered teams; events without a team stay untagged", async () => {
    const slug = `new-team-${randomUUID().slice(0, 6)}`;
    const tagged = contractEvent({ tags: { team: slug } });
    const untagged = contractEvent({ tags: { feature: "orphan" } });
    expect((await post({ events: [tagged, untagged] })).status).toBe(200);
    expect(await prisma.team.findUniqueOrThrow({ where: { slug } })).toMatchObject({ discovered: true });
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: untagged.id as string } });
    expect(row.team).toBeNull();
  });
});
