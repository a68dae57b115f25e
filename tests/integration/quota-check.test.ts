import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/permissions";
import { invalidateQuotaCache } from "@/lib/quotas/cache";
import { checkQuota } from "@/lib/quotas/check";
import { createBurstRequest, decideBurstRequest } from "@/lib/quotas/bursts";
import { createTestKey } from "../factories/api-keys";
import { usd } from "../factories/budgets";
import {
  approveBurst,
  check,
  createAllocation,
  deleteAllocation,
  fileBurst,
  patchAllocation,
  quotaPrincipal,
  thisPeriod,
  type QuotaAuth,
} from "../factories/quotas";
import { createUsageWorld, type UsageWorld } from "../factories/usage-rows";
import { createTestKeyFor, createTestTeam, createTestUser, detailPaths, type TestTeam, type TestUser } from "../factories/users";

/**
 * POST /api/v1/quota/check on usage ingested through POST /api/v1/events ($1 per million
 * input tokens, $10 per million output tokens).
 *
 * - Through the route (real clock, the process's cache): usage at the current hour counts,
 *   usage one millisecond before this month does not. The cache is invalidated by quota
 *   writes but not by ingestion (that lags by up to 5 s): tests that ingest call
 *   invalidateQuotaCache() before checking, and one test shows the lag itself.
 * - Through lib/quotas/check.ts with a fixed `now` and no cache: the exact period and burst
 *   window boundaries.
 */

let world: UsageWorld;
let ingestKey: QuotaAuth;
let adminKey: QuotaAuth;
let readKey: QuotaAuth;
let admin: TestUser;
let lead: TestUser;
let ingestPrincipal: Principal;
let adminPrincipal: Principal;

let usdTeam: TestTeam; // usd 10 team-wide; $4 this hour, $1000 last month
let tokenTeam: TestTeam; // tokens 1,000,000; 300k in + 200k out this hour
let modelTeam: TestTeam; // usd 100 team-wide + usd 5 for the openai test model; $3 openai, $1 anthropic
let boundaryTeam: TestTeam; // fixed-date usage around 2026-11
let emptyTeam: TestTeam; // an allocation, no usage

const period = thisPeriod();
const nextPeriodStart = new Date(Date.UTC(period.start.getUTCFullYear(), period.start.getUTCMonth() + 1, 1)).toISOString();
const HOUR_MS = 3_600_000;

beforeAll(async () => {
  world = await createUsageWorld();
  ingestKey = { key: await createTestKey(["ingest"]) };
  adminKey = { key: await createTestKey(["admin"]) };
  readKey = { key: await createTestKey(["read"]) };
  usdTeam = await createTestTeam();
  tokenTeam = await createTestTeam();
  modelTeam = await createTestTeam();
  boundaryTeam = await createTestTeam();
  emptyTeam = await createTestTeam();
  admin = await createTestUser({ role: "admin" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: usdTeam.slug, role: "lead" }] });
  ingestPrincipal = await quotaPrincipal(ingestKey as { key: string });
  adminPrincipal = await quotaPrincipal({ cookie: admin.cookie });

  await createAllocation(adminKey, { team: usdTeam.slug, unit: "usd", amount: "10" });
  await createAllocation(adminKey, { team: tokenTeam.slug, unit: "tokens", amount: 1_000_000 });
  await createAllocation(adminKey, { team: modelTeam.slug, unit: "usd", amount: "100" });
  await createAllocation(adminKey, { team: modelTeam.slug, unit: "usd", amount: "5", model: world.models.openai });
  await createAllocation(adminKey, { team: boundaryTeam.slug, unit: "usd", amount: "100" });
  await createAllocation(adminKey, { team: emptyTeam.slug, unit: "usd", amount: "1" });

  await world.ingest([
    usd(period.inThisHour, 4, { team: usdTeam.slug }),
    usd(period.lastMonth, 1000, { team: usdTeam.slug }),
    { at: period.inThisHour, input: 300_000, output: 200_000, tags: { team: tokenTeam.slug } },
    { at: period.lastMonth, input: 5_000_000, output: 0, tags: { team: tokenTeam.slug } },
    usd(period.inThisHour, 3, { team: modelTeam.slug }),
    { ...usd(period.inThisHour, 1, { team: modelTeam.slug }), provider: "anthropic" },
    // Fixed dates for the boundary checks at NOV_NOW.
    usd("2026-10-31T23:59:59.999Z", 50, { team: boundaryTeam.slug }),
    usd("2026-11-01T00:00:00.000Z", 1, { team: boundaryTeam.slug }),
    usd("2026-11-18T12:59:59.999Z", 2, { team: boundaryTeam.slug }),
    usd("2026-11-18T13:00:00.000Z", 40, { team: boundaryTeam.slug }),
    usd("2026-12-01T00:00:00.000Z", 30, { team: boundaryTeam.slug }),
  ]);
  invalidateQuotaCache();
});

describe("the contract's answer", () => {
  it("within the limit: every field, exact decimals for usd; used counts this period only", async () => {
    const { status, body } = await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: "1.5" });
    expect(status).toBe(200);
    expect(body).toEqual({
      allowed: true,
      unit: "usd",
      limit: "10.000000000000",
      used: "4.000000000000", // not last month's $1000
      remaining: "6.000000000000",
      period_end: nextPeriodStart,
      burst: null,
      reason: "within limit",
      budget_id: null,
      allocation_id: expect.any(String),
      model: null,
      requests_per_minute: null,
      tokens_per_minute: null,
    });
  });

  it("the estimate pushes it over: exactly the remaining is allowed, a hair more is not", async () => {
    expect((await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: "6" })).body).toMatchObject({ allowed: true });
    expect((await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: 6.000000000001 })).body).toMatchObject({
      allowed: false,
      reason: "estimate exceeds remaining",
      used: "4.000000000000",
      remaining: "6.000000000000",
    });
    // Tokens do not count against a usd allocation.
    expect((await check(ingestKey, { team: usdTeam.slug, estimated_tokens: 10 ** 12 })).body.allowed).toBe(true);
  });

  it("tokens: used = input + output tokens this period, whole numbers; the token estimate counts", async () => {
    const base = { team: tokenTeam.slug, estimated_cost_usd: "999999" };
    expect((await check(ingestKey, { ...base, estimated_tokens: 500_000 })).body).toMatchObject({
      allowed: true,
      unit: "tokens",
      limit: "1000000",
      used: "500000",
      remaining: "500000",
      reason: "within limit",
    });
    expect((await check(ingestKey, { ...base, estimated_tokens: 500_001 })).body).toMatchObject({ allowed: false, reason: "estimate exceeds remaining" });
  });

  it("a model-specific allocation: that model's spend only; other models fall under the team-wide one", async () => {
    const forModel = await check(ingestKey, { team: modelTeam.slug, model: world.models.openai, estimated_cost_usd: "2" });
    expect(forModel.body).toMatchObject({ allowed: true, unit: "usd", limit: "5.000000000000", used: "3.000000000000", model: world.models.openai });
    expect((await check(ingestKey, { team: modelTeam.slug, model: world.models.openai, estimated_cost_usd: "2.01" })).body).toMatchObject({
      allowed: false,
      model: world.models.openai,
      reason: "estimate exceeds remaining",
    });
    const otherModel = await check(ingestKey, { team: modelTeam.slug, model: world.models.anthropic, estimated_cost_usd: "2.01" });
    expect(otherModel.body).toMatchObject({ allowed: true, limit: "100.000000000000", used: "4.000000000000", model: null });
    expect((await check(ingestKey, { team: modelTeam.slug })).body).toMatchObject({ used: "4.000000000000", model: null });
  });

  it("no allocation: allowed, reason 'no allocation', the contract's fields null", async () => {
    const { status, body } = await check(ingestKey, { team: "nobody-allocated-this", model: "x", estimated_cost_usd: "1000000" });
    expect(status).toBe(200);
    expect(body).toEqual({
      allowed: true,
      unit: null,
      limit: null,
      used: null,
      remaining: null,
      period_end: nextPeriodStart,
      burst: null,
      reason: "no allocation",
      budget_id: null,
      allocation_id: null,
      model: null,
      requests_per_minute: null,
      tokens_per_minute: null,
    });
  });

  it("limit reached: used ≥ limit refuses even a zero estimate beyond it", async () => {
    await createAllocation(adminKey, { team: usdTeam.slug, unit: "usd", amount: "4" });
    expect((await check(ingestKey, { team: usdTeam.slug })).body).toMatchObject({ allowed: true, remaining: "0.000000000000" });
    expect((await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: "0.000000000001" })).body).toMatchObject({ allowed: false, reason: "limit reached" });
    await createAllocation(adminKey, { team: usdTeam.slug, unit: "usd", amount: "10" });
  });
});

describe("who may check, and bad bodies", () => {
  it("ingest and admin keys may; read keys and sessions may not; a team-bound key only its team", async () => {
    expect((await check(adminKey, { team: usdTeam.slug })).status).toBe(200);
    expect((await check(readKey, { team: usdTeam.slug })).status).toBe(403);
    expect((await check({ cookie: lead.cookie }, { team: usdTeam.slug })).status).toBe(403);
    expect((await check({ cookie: admin.cookie }, { team: usdTeam.slug })).status).toBe(200);
    expect((await check(null, { team: usdTeam.slug })).status).toBe(401);
    const bound = { key: (await createTestKeyFor({ scopes: ["ingest"], teamId: usdTeam.id })).secret };
    expect((await check(bound, { team: usdTeam.slug })).body).toMatchObject({ used: "4.000000000000" });
    expect((await check(bound, { team: tokenTeam.slug })).status).toBe(403);
  });

  it("400 naming the field", async () => {
    const cases: [unknown, string][] = [
      [{}, "team"],
      [{ team: "" }, "team"],
      [{ team: "a", estimated_tokens: -1 }, "estimated_tokens"],
      [{ team: "a", estimated_tokens: 1.5 }, "estimated_tokens"],
      [{ team: "a", estimated_cost_usd: "abc" }, "estimated_cost_usd"],
      [{ team: "a", estimated_cost_usd: -1 }, "estimated_cost_usd"],
      [{ team: "a", model: 5 }, "model"],
      [{ team: "a", tenant: "" }, "tenant"],
      [{ team: "a", colour: "red" }, "colour"],
    ];
    for (const [body, path] of cases) {
      const { status, body: error } = await check(ingestKey, body);
      expect({ body, status }).toEqual({ body, status: 400 });
      expect(detailPaths(error)).toContain(path);
    }
    expect((await check(ingestKey, "[")).status).toBe(400);
  });
});

describe("bursts and the cache", () => {
  it("an approved burst whose window contains now raises the limit at once (the write invalidates the cache)", async () => {
    const warm = await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: "7" });
    expect(warm.body).toMatchObject({ allowed: false, limit: "10.000000000000" });
    const pending = await fileBurst({ cookie: lead.cookie }, usdTeam.slug, { amount: "8" });
    expect((await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: "7" })).body.allowed).toBe(false); // pending does not count
    const approved = await approveBurst({ cookie: admin.cookie }, pending.id, { amount: "5" });
    expect((await check(ingestKey, { team: usdTeam.slug, estimated_cost_usd: "7" })).body).toMatchObject({
      allowed: true,
      limit: "15.000000000000",
      remaining: "11.000000000000",
      burst: { id: pending.id, amount: "5.000000000000", ends_at: approved.ends_at },
    });
  });

  it("a burst approved for later does not count yet", async () => {
    const later = await fileBurst(adminKey, usdTeam.slug, {
      amount: "100",
      starts_at: new Date(Date.now() + 2 * HOUR_MS).toISOString(),
      ends_at: new Date(Date.now() + 3 * HOUR_MS).toISOString(),
    });
    await approveBurst(adminKey, later.id);
    expect((await check(ingestKey, { team: usdTeam.slug })).body).toMatchObject({ limit: "15.000000000000" });
  });

  it("ingestion is seen within the cache's lifetime, not instantly; a quota write or 5 s later shows it", async () => {
    invalidateQuotaCache(); // a snapshot loaded now, so no background refresh races the ingestion below
    const before = await check(ingestKey, { team: emptyTeam.slug });
    expect(before.body).toMatchObject({ used: "0.000000000000", allowed: true });
    await world.ingest([usd(new Date().toISOString(), 2, { team: emptyTeam.slug })]);
    // Still the snapshot from before the ingestion (it is under 5 s old)…
    expect((await check(ingestKey, { team: emptyTeam.slug })).body).toMatchObject({ used: "0.000000000000", allowed: true });
    // …until it is replaced: here by a write in this process.
    await patchAllocation(adminKey, (await check(ingestKey, { team: emptyTeam.slug })).body.allocation_id ?? "", { amount: "1" });
    expect((await check(ingestKey, { team: emptyTeam.slug })).body).toMatchObject({ used: "2.000000000000", allowed: false, reason: "limit reached" });
  });

  it("deleting the allocation: the next check no longer sees it", async () => {
    const allocation = await createAllocation(adminKey, { team: tokenTeam.slug, unit: "usd", amount: "3", model: "gone-model" });
    expect((await check(ingestKey, { team: tokenTeam.slug, model: "gone-model" })).body).toMatchObject({ allocation_id: allocation.id, unit: "usd" });
    await deleteAllocation(adminKey, allocation.id);
    expect((await check(ingestKey, { team: tokenTeam.slug, model: "gone-model" })).body).toMatchObject({ unit: "tokens", model: null });
  });

  it("the team-wide allocation binds too: when it refuses, it is the one answered", async () => {
    const allocation = await createAllocation(adminKey, { team: emptyTeam.slug, unit: "usd", amount: "3", model: "roomy-model" });
    expect((await check(ingestKey, { team: emptyTeam.slug, model: "roomy-model" })).body).toMatchObject({
      allowed: false,
      model: null,
      used: "2.000000000000",
      limit: "1.000000000000",
      reason: "limit reached",
    });
    await deleteAllocation(adminKey, allocation.id);
  });
});

describe("exact boundaries at a fixed now (lib, no cache)", () => {
  const at = (iso: string, input: Record<string, unknown> = {}) =>
    checkQuota({ principal: ingestPrincipal, now: new Date(iso) }, { team: boundaryTeam.slug, ...input });

  it("the period is the UTC month; used runs through the end of now's hour", async () => {
    // Nov 1 00:00 ($1) and Nov 18 12:59:59.999 ($2) count; Oct 31 23:59:59.999 ($50), Nov 18 13:00 ($40, later), Dec ($30) do not.
    expect(await at("2026-11-18T12:30:00Z")).toMatchObject({ used: "3.000000000000", period_end: "2026-12-01T00:00:00.000Z" });
    expect(await at("2026-11-18T13:00:00Z")).toMatchObject({ used: "43.000000000000" });
    expect(await at("2026-11-01T00:00:00Z")).toMatchObject({ used: "1.000000000000" });
    expect(await at("2026-10-31T23:59:59.999Z")).toMatchObject({ used: "50.000000000000", period_end: "2026-11-01T00:00:00.000Z" });
    expect(await at("2026-11-30T23:59:59.999Z")).toMatchObject({ used: "43.000000000000" });
    expect(await at("2026-12-01T00:00:00Z")).toMatchObject({ used: "30.000000000000", period_end: "2027-01-01T00:00:00.000Z" });
  });

  it("a burst counts from starts_at (inclusive) to ends_at (exclusive), to the millisecond", async () => {
    const request = await createBurstRequest(
      { principal: adminPrincipal, now: new Date("2026-11-19T00:00:00Z") },
      { team: boundaryTeam.slug, amount: "25", starts_at: "2026-11-20T09:00:00.000Z", ends_at: "2026-11-22T09:00:00.000Z", reason: "load test", expected_usage: null, notify: false },
    );
    await decideBurstRequest({ principal: adminPrincipal, now: new Date("2026-11-19T01:00:00Z") }, { id: request.id, action: { kind: "approve" }, notify: false });
    const limitAt = async (iso: string) => (await at(iso)).limit;
    expect(await limitAt("2026-11-20T08:59:59.999Z")).toBe("100.000000000000");
    expect(await limitAt("2026-11-20T09:00:00.000Z")).toBe("125.000000000000");
    expect(await limitAt("2026-11-22T08:59:59.999Z")).toBe("125.000000000000");
    expect(await limitAt("2026-11-22T09:00:00.000Z")).toBe("100.000000000000");
    expect((await at("2026-11-21T00:00:00Z", { estimated_cost_usd: "82" })).burst).toEqual({
      id: request.id,
      amount: "25.000000000000",
      ends_at: "2026-11-22T09:00:00.000Z",
    });
    // 43 used + 82 = 125: exactly the limit with the burst.
    expect(await at("2026-11-21T00:00:00Z", { estimated_cost_usd: "82" })).toMatchObject({ allowed: true });
    expect(await at("2026-11-21T00:00:00Z", { estimated_cost_usd: "82.000000000001" })).toMatchObject({ allowed: false });
  });
});
