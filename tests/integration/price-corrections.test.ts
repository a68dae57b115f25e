import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/v1/audit/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postPrice } from "@/app/api/v1/prices/route";
import { DELETE as deletePriceRoute, PATCH as patchPrice } from "@/app/api/v1/prices/[id]/route";
import { getPool, prisma } from "@/lib/db";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { createTestUser, read, routeParams, sessionRequest, type TestUser } from "../factories/users";

/**
 * Correcting a price (PATCH /api/v1/prices/{id}, contract: price fidelity): the rates change
 * under the pricing lock, the change is audited with before and after, the events it covers
 * are re-priced and the rollups stay equal to a recount; finance reads the price, budget and
 * quota entries of the audit log, and nothing else of it.
 */

let adminKey: string;
let ingestKey: string;
let finance: TestUser;
const MODEL = `corrected-${Date.now()}`;

async function cost(id: string): Promise<string | null> {
  return (await prisma.usageEvent.findFirstOrThrow({ where: { id }, select: { costUsd: true } })).costUsd?.toFixed(12) ?? null;
}

beforeAll(async () => {
  adminKey = await createTestKey(["admin"]);
  ingestKey = await createTestKey(["ingest"]);
  finance = await createTestUser({ role: "finance" });
});

describe("PATCH /api/v1/prices/{id}", () => {
  it("corrects the rates, audits before and after, and re-prices what the entry covers", async () => {
    const created = await read<{ id: string }>(
      await postPrice(apiRequest("/api/v1/prices", { key: adminKey, body: { provider: "anthropic", model: MODEL, effective_from: "2026-10-01T00:00:00Z", input_per_mtok: "3", output_per_mtok: "15", cache_write_per_mtok: "3.75" } })),
    );
    expect(created.status).toBe(201);
    const event = contractEvent({
      timestamp: "2026-11-02T10:00:00Z",
      provider: "anthropic",
      model: MODEL,
      usage: { input_tokens: 10_000, output_tokens: 1_000, cache_creation_input_tokens: 4_000, cache_creation_1h_input_tokens: 1_000 },
    });
    expect(await (await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [event] } }))).json()).toMatchObject({ accepted: 1 });
    // 6,000 x 3 + 4,000 x 3.75 (no 1-hour rate yet) + 1,000 x 15, / 1e6 = 0.048
    expect(await cost(event.id as string)).toBe("0.048000000000");

    const patched = await read<Record<string, string>>(
      await patchPrice(apiRequest(`/api/v1/prices/${created.body.id}`, { key: adminKey, method: "PATCH", body: { cache_write_1h_per_mtok: "6", output_per_mtok: "16" } }), routeParams({ id: created.body.id })),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.body.id, input_per_mtok: "3", output_per_mtok: "16", cache_write_per_mtok: "3.75", cache_write_1h_per_mtok: "6" });
    await repriceForNewPrice(getPool(), { provider: "anthropic", model: MODEL, serviceTier: "standard", effectiveFrom: new Date("2026-10-01T00:00:00Z") });
    // 6,000 x 3 + 3,000 x 3.75 + 1,000 x 6 + 1,000 x 16, / 1e6 = 0.05125
    expect(await cost(event.id as string)).toBe("0.051250000000");
    const sums = await getPool().query<{ rollups: string; events: string }>(
      `SELECT (SELECT sum(cost_usd)::text FROM usage_rollup_hourly_all WHERE model = $1) AS rollups, (SELECT sum(cost_usd)::text FROM usage_events WHERE model = $1) AS events`,
      [MODEL],
    );
    expect(sums.rows[0]?.rollups).toBe(sums.rows[0]?.events);

    const entry = await prisma.auditLog.findFirstOrThrow({ where: { action: "price.update", targetId: created.body.id } });
    expect(entry.before).toMatchObject({ output_per_mtok: "15", cache_write_1h_per_mtok: "3.75" });
    expect(entry.after).toMatchObject({ output_per_mtok: "16", cache_write_1h_per_mtok: "6" });
  });

  it("answers 400 naming the field, 404 for an unknown id, and 403 to finance", async () => {
    const [price] = await prisma.price.findMany({ where: { model: MODEL }, select: { id: true } });
    const id = price?.id ?? "";
    const bad = await read(await patchPrice(apiRequest(`/api/v1/prices/${id}`, { key: adminKey, method: "PATCH", body: { cache_read_per_mtok: "-1" } }), routeParams({ id })));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('"path":"cache_read_per_mtok"');
    const empty = await patchPrice(apiRequest(`/api/v1/prices/${id}`, { key: adminKey, method: "PATCH", body: {} }), routeParams({ id }));
    expect(empty.status).toBe(400);
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await patchPrice(apiRequest(`/api/v1/prices/${unknown}`, { key: adminKey, method: "PATCH", body: { input_per_mtok: "1" } }), routeParams({ id: unknown }))).status).toBe(404);
    const asFinance = await patchPrice(sessionRequest(`/api/v1/prices/${id}`, { cookie: finance.cookie, method: "PATCH", body: { input_per_mtok: "1" } }), routeParams({ id }));
    expect(asFinance.status).toBe(403);
  });
});

describe("DELETE /api/v1/prices/{id}", () => {
  it("re-prices the entry's events with the one before it, and leaves unpriced (not $0) those no entry covers", async () => {
    const model = `deleted-${Date.now()}`;
    const add = async (from: string, input: string) =>
      (await read<{ id: string }>(await postPrice(apiRequest("/api/v1/prices", { key: adminKey, body: { provider: "openai", model, effective_from: from, input_per_mtok: input, output_per_mtok: "0" } })))).body.id;
    const older = await add("2026-10-01T00:00:00Z", "1");
    const wrong = await add("2026-11-01T00:00:00Z", "100");
    const events = [
      contractEvent({ timestamp: "2026-10-15T10:00:00Z", model, usage: { input_tokens: 1_000, output_tokens: 0 } }),
      contractEvent({ timestamp: "2026-11-02T10:00:00Z", model, usage: { input_tokens: 1_000, output_tokens: 0 } }),
    ];
    expect(await (await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events } }))).json()).toMatchObject({ accepted: 2 });
    // 1,000 x 1 and 1,000 x 100, / 1e6
    expect([await cost(events[0]?.id as string), await cost(events[1]?.id as string)]).toEqual(["0.001000000000", "0.100000000000"]);

    const removed = await read(await deletePriceRoute(apiRequest(`/api/v1/prices/${wrong}`, { key: adminKey, method: "DELETE" }), routeParams({ id: wrong })));
    expect(removed).toEqual({ status: 200, body: { id: wrong, deleted: true, repriced: 1, unpriced: 0 } });
    // The November event falls back to October's entry: 1,000 x 1 / 1e6.
    expect(await cost(events[1]?.id as string)).toBe("0.001000000000");
    expect(await prisma.price.count({ where: { id: wrong } })).toBe(0);

    // Without any entry left, the events are unpriced: counted, never $0.
    const last = await read(await deletePriceRoute(apiRequest(`/api/v1/prices/${older}`, { key: adminKey, method: "DELETE" }), routeParams({ id: older })));
    expect(last.body).toMatchObject({ repriced: 2, unpriced: 2 });
    const states = await prisma.usageEvent.findMany({ where: { model }, select: { pricingState: true, costUsd: true, priceId: true } });
    expect(states).toEqual([
      { pricingState: "unpriced", costUsd: null, priceId: null },
      { pricingState: "unpriced", costUsd: null, priceId: null },
    ]);
    const rollup = await getPool().query<{ unpriced: string; cost: string }>(
      "SELECT sum(unpriced_requests)::text AS unpriced, sum(cost_usd)::text AS cost FROM usage_rollup_hourly_all WHERE model = $1",
      [model],
    );
    expect(rollup.rows[0]).toEqual({ unpriced: "2", cost: "0.000000000000" });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "price.delete", targetId: older } });
    expect(audit.after).toEqual({ repriced: 2, unpriced: 2 });
    expect(audit.before).toMatchObject({ model, input_per_mtok: "1" });
    expect((await deletePriceRoute(apiRequest(`/api/v1/prices/${older}`, { key: adminKey, method: "DELETE" }), routeParams({ id: older }))).status).toBe(404);
  });
});

describe("long-context tiers", () => {
  it("prices an event over the tier's threshold at its rates, every class, and shows the tier in the catalog", async () => {
    const model = `long-${Date.now()}`;
    const created = await read<Record<string, unknown>>(
      await postPrice(
        apiRequest("/api/v1/prices", {
          key: adminKey,
          body: {
            provider: "anthropic",
            model,
            effective_from: "2026-10-01T00:00:00Z",
            input_per_mtok: "3",
            output_per_mtok: "15",
            cache_read_per_mtok: "0.3",
            long_context: { threshold_input_tokens: 200_000, input_per_mtok: "6", output_per_mtok: "22.5", cache_read_per_mtok: "0.6" },
          },
        }),
      ),
    );
    expect(created.status).toBe(201);
    expect(created.body.long_context).toEqual({
      threshold_input_tokens: 200_000,
      input_per_mtok: "6",
      output_per_mtok: "22.5",
      cache_read_per_mtok: "0.6",
      cache_write_per_mtok: "3",
      cache_write_1h_per_mtok: "3",
      reasoning_per_mtok: "22.5",
    });
    const events = [
      contractEvent({ timestamp: "2026-11-02T10:00:00Z", provider: "anthropic", model, usage: { input_tokens: 200_000, output_tokens: 1_000 } }),
      contractEvent({ timestamp: "2026-11-02T10:00:00Z", provider: "anthropic", model, usage: { input_tokens: 250_000, output_tokens: 1_000, cache_read_input_tokens: 100_000 } }),
    ];
    expect(await (await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events } }))).json()).toMatchObject({ accepted: 2 });
    // At the threshold: 200,000 x 3 + 1,000 x 15 = 615,000 / 1e6
    expect(await cost(events[0]?.id as string)).toBe("0.615000000000");
    // Above it: 150,000 x 6 + 100,000 x 0.6 + 1,000 x 22.5 = 982,500 / 1e6
    expect(await cost(events[1]?.id as string)).toBe("0.982500000000");
    const rollup = await getPool().query<{ cost: string }>("SELECT sum(cost_usd)::text AS cost FROM usage_rollup_hourly_all WHERE model = $1", [model]);
    expect(rollup.rows[0]?.cost).toBe("1.597500000000");
    const bad = await read(await postPrice(apiRequest("/api/v1/prices", { key: adminKey, body: { provider: "x", model: "y", effective_from: "2026-10-01T00:00:00Z", input_per_mtok: "1", output_per_mtok: "1", long_context: { threshold_input_tokens: 0 } } })));
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('"path":"long_context.threshold_input_tokens"');
  });
});

describe("the audit log for finance", () => {
  it("holds the price, budget and quota entries only", async () => {
    const { status, body } = await read<{ entries: { action: string }[] }>(await getAudit(sessionRequest("/api/v1/audit?limit=500", { cookie: finance.cookie })));
    expect(status).toBe(200);
    expect(body.entries.map((e) => e.action)).toContain("price.update");
    expect(body.entries.every((e) => /^(price|budget|allocation|burst_request)\./.test(e.action))).toBe(true);
    const everything = await read<{ entries: { action: string }[] }>(await getAudit(apiRequest("/api/v1/audit?limit=500", { key: adminKey, method: "GET" })));
    expect(everything.body.entries.some((e) => e.action === "api_key.create" || e.action === "price.create")).toBe(true);
    expect(everything.body.entries.length).toBeGreaterThanOrEqual(body.entries.length);
  });
});
