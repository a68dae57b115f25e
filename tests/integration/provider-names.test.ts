import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postPrices } from "@/app/api/v1/prices/route";
import { getPool, prisma } from "@/lib/db";
import { ensurePartitionsFor } from "@/lib/db/partitions";
import { insertEvents, type PricedEvent } from "@/lib/ingestion/write-events";
import { normalizeStoredProviders } from "@/lib/pricing/normalize-stored-providers";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { foldRollups } from "@/lib/rollups/fold";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

// Provider names are normalized on every path (contract): the events API and the prices API here,
// OTLP in otlp-api.test.ts, LiteLLM in litellm-api.test.ts; and names stored before are migrated.

const model = `names-${randomUUID().slice(0, 8)}`;
let ingestKey: string;
let adminKey: string;

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  adminKey = await createTestKey(["admin"]);
  // $2 in, $8 out per million; cache reads $0.5.
  await prisma.price.create({
    data: {
      provider: "anthropic",
      model,
      serviceTier: "standard",
      effectiveFrom: new Date("2026-01-01T00:00:00Z"),
      inputPerMtok: "2",
      outputPerMtok: "8",
      cacheReadPerMtok: "0.5",
      cacheWritePerMtok: "2.5",
      reasoningPerMtok: "8",
    },
  });
});

describe("provider names on the way in", () => {
  it("stores an event's provider normalized, keeps the name as sent, and prices it", async () => {
    const event = contractEvent({ provider: "Anthropic", model, usage: { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 400 } });
    const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [event] } }));
    expect(response.status).toBe(200);
    const row = await prisma.usageEvent.findFirstOrThrow({ where: { id: event.id as string } });
    expect(row.provider).toBe("anthropic");
    expect(row.providerAsSent).toBe("Anthropic");
    // (600 × 2 + 400 × 0.5 + 100 × 8) / 1e6
    expect(row.costUsd?.toFixed(12)).toBe("0.002200000000");
  });

  it("keeps nothing extra when the name was already normalized", async () => {
    const event = contractEvent({ provider: "anthropic", model });
    await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [event] } }));
    expect((await prisma.usageEvent.findFirstOrThrow({ where: { id: event.id as string } })).providerAsSent).toBeNull();
  });

  it("stores a price under the normalized provider name", async () => {
    const response = await postPrices(
      apiRequest("/api/v1/prices", {
        key: adminKey,
        body: { provider: "OpenAI.chat", model, effective_from: "2026-02-01", input_per_mtok: "1", output_per_mtok: "2" },
      }),
    );
    expect(response.status).toBe(201);
    expect(((await response.json()) as { provider: string }).provider).toBe("openai");
  });

  it("refuses a NUL or a lone surrogate per event, naming the path, and stores the rest", async () => {
    const good = contractEvent({ provider: "anthropic", model });
    const nul = contractEvent({ tags: { team: "search", user: "a\u0000b" } });
    const surrogate = contractEvent({ model: "gpt\uD800" });
    const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [nul, good, surrogate] } }));
    expect(response.status).toBe(207);
    const body = (await response.json()) as { accepted: number; errors: { index: number; path: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.errors.map((e) => [e.index, e.path])).toEqual([
      [0, "tags.user"],
      [2, "model"],
    ]);
  });

  it("refuses an event nested 10,000 levels deep with a 207, not a stack overflow", async () => {
    // Written by hand: JSON.stringify itself cannot serialize that depth.
    const deep = `${'{"deep":'.repeat(10_000)}"x"${"}".repeat(10_000)}`;
    const hostile = JSON.stringify(contractEvent()).replace(/}$/, `,"extra":${deep}}`);
    const rawBody = `{"events":[${hostile},${JSON.stringify(contractEvent())}]}`;
    const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, rawBody }));
    expect(response.status).toBe(207);
    const body = (await response.json()) as { accepted: number; errors: { index: number; message: string }[] };
    expect(body.accepted).toBe(1);
    expect(body.errors[0]).toMatchObject({ index: 0, message: "is nested more than 16 levels deep" });
  });
});

describe("names stored before normalization (the migration's data step)", () => {
  const legacyModel = `legacy-${randomUUID().slice(0, 8)}`;

  function legacyEvent(provider: string, at: string): PricedEvent {
    return {
      id: `legacy-${randomUUID()}`,
      occurredAt: new Date(at),
      provider,
      providerAsSent: null,
      model: legacyModel,
      operation: "chat",
      serviceTier: "standard",
      usage: { inputTokens: 1000, outputTokens: 100, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 },
      latencyMs: 10,
      status: "success",
      responseCacheHit: false,
      traceId: null,
      attempt: 1,
      team: "search",
      feature: null,
      environment: null,
      tenant: null,
      endUser: null,
      promptVersion: null,
      extraTags: null,
      reportedCostUsd: null,
      costUsd: null,
      priceId: null,
    };
  }

  it("renames events, rollups and prices, re-prices what a price now covers, audits, and is idempotent", async () => {
    const pool = getPool();
    // As an older Burnrate stored them: raw names, unpriced (no price matched "Anthropic").
    const events = [
      legacyEvent("Anthropic", "2026-11-03T10:00:00Z"),
      legacyEvent("Anthropic", "2026-11-03T10:30:00Z"),
      legacyEvent("anthropic.messages", "2026-11-03T10:45:00Z"),
    ];
    await ensurePartitionsFor(pool, events.map((e) => e.occurredAt));
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await insertEvents(client, events);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    await prisma.price.create({
      data: { provider: "anthropic", model: legacyModel, serviceTier: "standard", effectiveFrom: new Date("2026-01-01T00:00:00Z"),
        inputPerMtok: "3", outputPerMtok: "15", cacheReadPerMtok: "0.3", cacheWritePerMtok: "3.75", reasoningPerMtok: "15" },
    });
    await prisma.price.create({
      data: { provider: "Google.Vertex", model: legacyModel, serviceTier: "standard", effectiveFrom: new Date("2026-01-01T00:00:00Z"),
        inputPerMtok: "1", outputPerMtok: "1", cacheReadPerMtok: "1", cacheWritePerMtok: "1", reasoningPerMtok: "1" },
    });

    const result = await normalizeStoredProviders(pool);
    expect(result.renamed.map((r) => [r.from, r.to, r.events, r.prices])).toEqual([
      ["Anthropic", "anthropic", 2, 0],
      ["Google.Vertex", "google", 0, 1],
      ["anthropic.messages", "anthropic", 1, 0],
    ]);
    expect(result.newlyPriced).toBe(3);

    const rows = await prisma.usageEvent.findMany({ where: { model: legacyModel }, orderBy: { occurredAt: "asc" } });
    expect(rows.map((r) => [r.provider, r.providerAsSent, r.pricingState, r.costUsd?.toFixed(12)])).toEqual([
      // (1000 × 3 + 100 × 15) / 1e6
      ["anthropic", "Anthropic", "priced", "0.004500000000"],
      ["anthropic", "Anthropic", "priced", "0.004500000000"],
      ["anthropic", "anthropic.messages", "priced", "0.004500000000"],
    ]);
    expect(await compareRollupsWithEvents(pool)).toEqual([]);
    await foldRollups(pool);
    const daily = await pool.query<{ provider: string; requests: string; cost: string }>(
      `SELECT provider, sum(requests)::text AS requests, sum(cost_usd)::text AS cost FROM usage_rollup_daily_all
       WHERE model = $1 GROUP BY provider HAVING sum(requests) <> 0`,
      [legacyModel],
    );
    expect(daily.rows).toEqual([{ provider: "anthropic", requests: "3", cost: "0.013500000000" }]);
    expect(await prisma.price.count({ where: { provider: "google", model: legacyModel } })).toBe(1);

    const audit = await prisma.auditLog.findMany({ where: { action: "provider.normalize" }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.actorLabel, entry.targetId])).toEqual([
      ["migration", "anthropic"],
      ["migration", "google"],
      ["migration", "anthropic"],
    ]);

    expect(await normalizeStoredProviders(pool)).toEqual({ renamed: [], newlyPriced: 0 });
  });
});
