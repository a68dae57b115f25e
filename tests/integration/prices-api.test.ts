import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { GET, POST } from "@/app/api/v1/prices/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { getPool, prisma } from "@/lib/db";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

let admin: string;
let ingest: string;
let read: string;
beforeAll(async () => {
  [admin, ingest, read] = await Promise.all([createTestKey(["admin"]), createTestKey(["ingest"]), createTestKey(["read"])]);
});

const model = `model-${randomUUID().slice(0, 8)}`;

describe("GET/POST /api/v1/prices", () => {
  it("adds a price with the contract's defaults and lists it", async () => {
    const response = await POST(
      apiRequest("/api/v1/prices", {
        key: admin,
        body: { provider: "acme", model, effective_from: "2026-01-01T00:00:00Z", input_per_mtok: "1.25", output_per_mtok: 10 },
      }),
    );
    expect(response.status).toBe(201);
    const price = (await response.json()) as Record<string, unknown>;
    expect(price).toMatchObject({
      provider: "acme", model, service_tier: "standard", effective_from: "2026-01-01T00:00:00.000Z",
      input_per_mtok: "1.25", output_per_mtok: "10", cache_read_per_mtok: "1.25", cache_write_per_mtok: "1.25", reasoning_per_mtok: "10",
    });
    const list = (await (await GET(apiRequest("/api/v1/prices", { key: read, method: "GET" }))).json()) as { prices: { id: string }[] };
    expect(list.prices.map((p) => p.id)).toContain(price.id);
  });

  it("answers 409 for the same provider, model, tier and effective_from", async () => {
    const body = { provider: "acme", model, effective_from: "2026-01-01T00:00:00Z", input_per_mtok: "9", output_per_mtok: "9" };
    const response = await POST(apiRequest("/api/v1/prices", { key: admin, body }));
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ error: { code: "conflict" } });
  });

  it("refuses bad prices naming the field, and non-admin keys", async () => {
    const bad = await POST(apiRequest("/api/v1/prices", { key: admin, body: { provider: "acme", model, effective_from: "soon", input_per_mtok: "-1", output_per_mtok: "0.1" } }));
    expect(bad.status).toBe(400);
    const paths = ((await bad.json()) as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(["effective_from", "input_per_mtok"]));
    expect((await POST(apiRequest("/api/v1/prices", { key: ingest, body: {} }))).status).toBe(403);
    expect((await GET(apiRequest("/api/v1/prices", { key: ingest, method: "GET" }))).status).toBe(403);
  });

  it("re-prices unpriced events in the background once their price arrives", async () => {
    const unknownModel = `late-${randomUUID().slice(0, 8)}`;
    const events = Array.from({ length: 5 }, () =>
      contractEvent({ provider: "acme", model: unknownModel, usage: { input_tokens: 2_000_000, output_tokens: 100_000 } }),
    );
    expect((await postEvents(apiRequest("/api/v1/events", { key: ingest, body: { events } }))).status).toBe(200);
    expect(await prisma.usageEvent.count({ where: { model: unknownModel, pricingState: "unpriced" } })).toBe(5);

    const added = await POST(
      apiRequest("/api/v1/prices", {
        key: admin,
        body: { provider: "acme", model: unknownModel, effective_from: "2026-01-01T00:00:00Z", input_per_mtok: "0.5", output_per_mtok: "1.5" },
      }),
    );
    expect(added.status).toBe(201);
    await vi.waitFor(
      async () => expect(await prisma.usageEvent.count({ where: { model: unknownModel, pricingState: "unpriced" } })).toBe(0),
      { timeout: 30_000, interval: 200 },
    );
    // (2,000,000 * 0.5 + 100,000 * 1.5) / 1e6 = 1.15 per event
    const costs = await prisma.usageEvent.findMany({ where: { model: unknownModel }, select: { costUsd: true } });
    expect(costs.map((c) => c.costUsd?.toFixed(12))).toEqual(Array(5).fill("1.150000000000"));
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });
});
