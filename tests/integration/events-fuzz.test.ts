import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/events/route";
import { getPool, prisma } from "@/lib/db";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { apiRequest, createTestKey } from "../factories/api-keys";

// Hundreds of requests in seconds: lift the per-key limit for this file (read on first use).
process.env.BURNRATE_RATE_LIMIT_PER_SECOND = "100000";
process.env.BURNRATE_RATE_LIMIT_BURST = "100000";

let key: string;
beforeAll(async () => {
  key = await createTestKey(["ingest"]);
});

async function send(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await POST(apiRequest("/api/v1/events", { key, rawBody: body }));
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

// Events that are almost right: every field drawn from valid and invalid values alike.
const tokenish = fc.oneof(fc.nat({ max: 5000 }), fc.integer({ min: -5, max: -1 }), fc.double(), fc.constant(2 ** 31), fc.string(), fc.constant(null));
const eventish = fc.record(
  {
    id: fc.oneof(fc.uuid(), fc.string({ maxLength: 3 }), fc.constant(""), fc.integer(), fc.string({ minLength: 129, maxLength: 130 })),
    timestamp: fc.oneof(
      fc.date({ min: new Date("2020-01-01"), max: new Date("2030-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constant("2026-13-45T00:00:00Z"),
      fc.string(),
    ),
    provider: fc.oneof(fc.constantFrom("openai", "anthropic", "google"), fc.string({ maxLength: 70 }), fc.integer()),
    model: fc.oneof(fc.constantFrom("gpt-4o-mini", "claude-sonnet-4"), fc.string({ maxLength: 10 })),
    service_tier: fc.constantFrom("standard", "batch", "flex", "priority", "platinum"),
    usage: fc.record(
      { input_tokens: tokenish, output_tokens: tokenish, cache_read_input_tokens: tokenish, reasoning_output_tokens: tokenish },
      { requiredKeys: [] },
    ),
    openai_usage: fc.record({ prompt_tokens: tokenish, completion_tokens: tokenish }, { requiredKeys: [] }),
    attempt: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.string()),
    status: fc.constantFrom("success", "error", "maybe"),
    tags: fc.oneof(
      fc.dictionary(fc.constantFrom("team", "feature", "tenant", "user", "x"), fc.oneof(fc.string({ maxLength: 8 }), fc.integer())),
      fc.constant("not-an-object"),
    ),
  },
  { requiredKeys: [] },
);

describe("POST /api/v1/events under random input", () => {
  it("never answers 5xx, and stores exactly what it says it accepted", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value)) },
          { weight: 1, arbitrary: fc.string() },
          { weight: 4, arbitrary: fc.array(eventish, { minLength: 1, maxLength: 12 }).map((events) => JSON.stringify({ events })) },
        ),
        async (body) => {
          const before = await prisma.usageEvent.count();
          const { status, json } = await send(body);
          expect(status).toBeLessThan(500);
          expect([200, 207, 400]).toContain(status);
          const after = await prisma.usageEvent.count();
          const accepted = typeof json.accepted === "number" ? json.accepted : 0;
          expect(after - before).toBe(accepted);
          if (status === 400) expect(accepted).toBe(0);
        },
      ),
      { numRuns: 150, seed: 20261125 },
    );
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });
});

describe("hourly rollups", () => {
  it("always equal the sums over the raw events, whatever the batches and duplicates", async () => {
    const ids = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `prop-${i}`));
    const validEvent = fc.record({
      id: ids,
      timestamp: fc.integer({ min: 0, max: 5 * 3600 - 1 }).map((s) => new Date(Date.UTC(2026, 10, 3) + s * 1000).toISOString()),
      provider: fc.constant("openai"),
      model: fc.constantFrom("gpt-4o-mini", "unpriced-model-x"),
      service_tier: fc.constantFrom("standard", "batch"),
      status: fc.constantFrom("success", "error"),
      attempt: fc.integer({ min: 1, max: 3 }),
      response_cache_hit: fc.boolean(),
      latency_ms: fc.nat({ max: 9000 }),
      usage: fc.nat({ max: 100_000 }).chain((input) =>
        fc.record({
          input_tokens: fc.constant(input),
          output_tokens: fc.nat({ max: 5000 }),
          cache_read_input_tokens: fc.nat({ max: input }),
        }),
      ),
      tags: fc.record(
        { team: fc.constantFrom("a", "b"), feature: fc.constantFrom("f1", "f2"), tenant: fc.constantFrom("t1", "t2") },
        { requiredKeys: [] },
      ),
    });
    await prisma.price.create({
      data: { provider: "openai", model: "gpt-4o-mini", effectiveFrom: new Date("2020-01-01T00:00:00Z"),
        inputPerMtok: "0.15", outputPerMtok: "0.6", cacheReadPerMtok: "0.075", cacheWritePerMtok: "0.15", reasoningPerMtok: "0.6" },
    });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(validEvent, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }), async (batches) => {
        // Valid events must be wholly accepted or be duplicates; the sums must match after every batch.
        for (const events of batches) {
          const { status, json } = await send(JSON.stringify({ events }));
          expect(status).toBe(200);
          expect((json.accepted as number) + (json.duplicates as number)).toBe(events.length);
        }
        expect(await compareRollupsWithEvents(getPool())).toEqual([]);
      }),
      { numRuns: 40, seed: 42 },
    );
  });
});
