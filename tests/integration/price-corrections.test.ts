import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/v1/audit/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postPrice } from "@/app/api/v1/prices/route";
import { PATCH as patchPrice } from "@/app/api/v1/prices/[id]/route";
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
      `SELECT (SELECT sum(cost_usd)::text FROM usage_rollup_hourly WHERE model = $1) AS rollups, (SELECT sum(cost_usd)::text FROM usage_events WHERE model = $1) AS events`,
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
