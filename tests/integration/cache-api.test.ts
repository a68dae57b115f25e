import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/cache/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import type { CacheReport } from "@/lib/analytics/cache";
import { prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { createTestKeyFor, createTestTeam, createTestUser, detailPaths, read, sessionRequest, type ErrorBodyShape } from "../factories/users";

/**
 * GET /api/v1/cache on hand-built usage sent through the real ingestion path (POST
 * /api/v1/events, which keeps usage_rollup_hourly in step), with prices of our own so
 * every figure can be worked out by hand.
 */

const DAY = 86_400_000;
const PROVIDER = "testco";
const suffix = randomUUID().slice(0, 8);
const M1 = `m1-${suffix}`; // repriced since the calls: the CURRENT price counts
const M2 = `m2-${suffix}`;
const M3 = `m3-${suffix}`; // no price at all
const ALPHA = `alpha-${suffix}`;
const BETA = `beta-${suffix}`;

let readKey: string;
let ingestKey: string;
let currentM1PriceId: string;

interface Spec {
  at: string;
  model: string;
  input: number;
  read?: number;
  write?: number;
  output?: number;
  tags?: Record<string, string>;
  responseCacheHit?: boolean;
}

function event(spec: Spec): Record<string, unknown> {
  return contractEvent({
    timestamp: spec.at,
    provider: PROVIDER,
    model: spec.model,
    usage: {
      input_tokens: spec.input,
      output_tokens: spec.output ?? 10,
      cache_read_input_tokens: spec.read ?? 0,
      cache_creation_input_tokens: spec.write ?? 0,
    },
    tags: spec.tags ?? {},
    ...(spec.responseCacheHit ? { response_cache_hit: true } : {}),
  });
}

async function ingest(specs: Spec[]): Promise<void> {
  const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: specs.map(event) } }));
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ accepted: specs.length, rejected: 0 });
}

async function cache(query: string, auth: { key?: string; cookie?: string } = { key: readKey }) {
  const path = `/api/v1/cache?${query}`;
  const request = auth.cookie
    ? sessionRequest(path, { cookie: auth.cookie })
    : apiRequest(path, { key: auth.key, method: "GET" });
  return read<CacheReport>(await GET(request));
}

async function ok(query: string, auth?: { key?: string; cookie?: string }): Promise<CacheReport> {
  const { status, body } = await cache(query, auth);
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  readKey = await createTestKey(["read"]);
  ingestKey = await createTestKey(["ingest"]);
  const now = Date.now();
  const rates = (input: string, cacheRead: string) => ({
    inputPerMtok: input,
    outputPerMtok: "10",
    cacheReadPerMtok: cacheRead,
    cacheWritePerMtok: input,
    reasoningPerMtok: "10",
  });
  await prisma.price.createMany({
    data: [
      // in effect when the calls were made
      { provider: PROVIDER, model: M1, serviceTier: "standard", effectiveFrom: new Date("2020-01-01T00:00:00Z"), ...rates("3", "0.3") },
      // current: saves 2.5 - 0.25 = 2.25 USD per million cache-read tokens
      { provider: PROVIDER, model: M1, serviceTier: "standard", effectiveFrom: new Date(now - DAY), ...rates("2.5", "0.25") },
      // not yet in effect, and another tier: neither counts
      { provider: PROVIDER, model: M1, serviceTier: "standard", effectiveFrom: new Date(now + 365 * DAY), ...rates("100", "0") },
      { provider: PROVIDER, model: M1, serviceTier: "batch", effectiveFrom: new Date(now - DAY), ...rates("1", "0.1") },
      // saves 0.075 USD per million
      { provider: PROVIDER, model: M2, serviceTier: "standard", effectiveFrom: new Date("2020-01-01T00:00:00Z"), ...rates("0.15", "0.075") },
    ],
  });
  currentM1PriceId = (await prisma.price.findFirstOrThrow({ where: { model: M1, effectiveFrom: new Date(now - DAY) }, select: { id: true } })).id;

  await ingest([
    // 2025-03-03
    { at: "2025-03-03T10:15:00Z", model: M1, input: 10_000, read: 6000, write: 1000, tags: { team: ALPHA, feature: "f1", tenant: "t1" } },
    { at: "2025-03-03T10:45:00Z", model: M2, input: 4000, read: 2048, tags: { team: ALPHA, feature: "f2", tenant: "t2" } },
    { at: "2025-03-03T11:05:00Z", model: M3, input: 2000, read: 500, tags: { team: BETA, feature: "f1", tenant: "t1" } },
    // 2025-03-04
    { at: "2025-03-04T09:00:00Z", model: M1, input: 3000, write: 2500, tags: { team: BETA, feature: "f3", tenant: "t3" } },
    { at: "2025-03-04T09:30:00Z", model: M2, input: 0, output: 0, responseCacheHit: true, tags: { team: ALPHA, feature: "f2" } },
    { at: "2025-03-04T12:00:00Z", model: M1, input: 1000, read: 900 }, // untagged
  ]);
});

const WINDOW = "from=2025-03-03&to=2025-03-05&min_requests=0";

describe("GET /api/v1/cache: figures", () => {
  it("sums hit rates, tokens, response-cache hits and money saved at current prices, exactly", async () => {
    const body = await ok(WINDOW);
    expect(body).toMatchObject({
      from: "2025-03-03T00:00:00.000Z",
      to: "2025-03-05T00:00:00.000Z",
      bucket: "day",
      group_by: null,
      saved_usd_basis: "current_prices",
      drop_rule: { drop_pp: 15, baseline_buckets: 7, min_requests: 0, min_buckets: 1 },
      groups: [],
      drops: [],
    });
    expect(Date.parse(body.prices_as_of)).toBeGreaterThan(Date.now() - 60_000);
    // M1 reads 6000 + 900 at 2.25/M = 0.015525; M2 2048 at 0.075/M = 0.0001536; M3 unpriced
    expect(body.totals).toEqual({
      requests: 6,
      input_tokens: 20_000,
      cache_read_input_tokens: 9448,
      cache_creation_input_tokens: 3500,
      uncached_input_tokens: 7052,
      hit_rate: "0.4724",
      response_cache_hits: 1,
      response_cache_hit_rate: "0.1667",
      saved_usd: "0.015678600000",
      unpriced_cache_read_input_tokens: 500,
    });
    expect(body.series).toEqual([
      {
        bucket: "2025-03-03T00:00:00.000Z",
        requests: 3,
        input_tokens: 16_000,
        cache_read_input_tokens: 8548,
        cache_creation_input_tokens: 1000,
        uncached_input_tokens: 6452,
        hit_rate: "0.5342", // 0.53425, half to even
        response_cache_hits: 0,
        response_cache_hit_rate: "0.0000",
        saved_usd: "0.013653600000",
        unpriced_cache_read_input_tokens: 500,
      },
      {
        bucket: "2025-03-04T00:00:00.000Z",
        requests: 3,
        input_tokens: 4000,
        cache_read_input_tokens: 900,
        cache_creation_input_tokens: 2500,
        uncached_input_tokens: 600,
        hit_rate: "0.2250",
        response_cache_hits: 1,
        response_cache_hit_rate: "0.3333",
        saved_usd: "0.002025000000",
        unpriced_cache_read_input_tokens: 0,
      },
    ]);
  });

  it("lists every model with the current standard price it used, unpriced ones with null", async () => {
    const { models } = await ok(WINDOW);
    expect(models).toEqual([
      {
        provider: PROVIDER,
        model: M1,
        requests: 3,
        input_tokens: 14_000,
        cache_read_input_tokens: 6900,
        cache_creation_input_tokens: 3500,
        hit_rate: "0.4929",
        price: { id: currentM1PriceId, effective_from: expect.any(String), input_per_mtok: "2.5", cache_read_per_mtok: "0.25" },
        saved_usd: "0.015525000000",
      },
      {
        provider: PROVIDER,
        model: M2,
        requests: 2,
        input_tokens: 4000,
        cache_read_input_tokens: 2048,
        cache_creation_input_tokens: 0,
        hit_rate: "0.5120",
        price: { id: expect.any(String), effective_from: "2020-01-01T00:00:00.000Z", input_per_mtok: "0.15", cache_read_per_mtok: "0.075" },
        saved_usd: "0.000153600000",
      },
      {
        provider: PROVIDER,
        model: M3,
        requests: 1,
        input_tokens: 2000,
        cache_read_input_tokens: 500,
        cache_creation_input_tokens: 0,
        hit_rate: "0.2500",
        price: null,
        saved_usd: null,
      },
    ]);
  });

  it("buckets by UTC hour; an hour without usage is a zero bucket with null rates", async () => {
    const body = await ok("from=2025-03-03T10:00:00Z&to=2025-03-03T13:00:00Z&bucket=hour&min_requests=0");
    expect(body.series.map((p) => [p.bucket, p.requests, p.input_tokens, p.hit_rate, p.response_cache_hit_rate, p.saved_usd])).toEqual([
      ["2025-03-03T10:00:00.000Z", 2, 14_000, "0.5749", "0.0000", "0.013653600000"],
      ["2025-03-03T11:00:00.000Z", 1, 2000, "0.2500", "0.0000", "0.000000000000"],
      ["2025-03-03T12:00:00.000Z", 0, 0, null, null, "0.000000000000"],
    ]);
    expect(body.drop_rule).toMatchObject({ baseline_buckets: 24, min_buckets: 3 });
  });

  it("groups, keeps the top `limit` by input tokens and folds the rest into other", async () => {
    const all = await ok(`${WINDOW}&group_by=team`);
    expect(all.group_by).toBe("team");
    expect(all.groups.map((g) => [g.key, g.other, g.folded_groups, g.totals.input_tokens, g.totals.hit_rate, g.totals.saved_usd])).toEqual([
      [ALPHA, false, 0, 14_000, "0.5749", "0.013653600000"],
      [BETA, false, 0, 5000, "0.1000", "0.000000000000"],
      [null, false, 0, 1000, "0.9000", "0.002025000000"], // untagged
    ]);
    expect(all.groups[0]?.series.map((p) => p.input_tokens)).toEqual([14_000, 0]);

    const top = await ok(`${WINDOW}&group_by=team&limit=1`);
    expect(top.groups.map((g) => [g.key, g.other, g.folded_groups, g.totals.requests, g.totals.input_tokens, g.totals.unpriced_cache_read_input_tokens])).toEqual([
      [ALPHA, false, 0, 3, 14_000, 0],
      [null, true, 2, 3, 6000, 500],
    ]);
    // the groups add up to the totals
    expect(top.totals.input_tokens).toBe(20_000);

    const byModel = await ok(`${WINDOW}&group_by=model`);
    expect(byModel.groups.map((g) => [g.key, g.totals.hit_rate])).toEqual([
      [M1, "0.4929"],
      [M2, "0.5120"],
      [M3, "0.2500"],
    ]);
  });

  it("filters by exact tag values", async () => {
    const f1 = await ok(`${WINDOW}&feature=f1`);
    expect([f1.totals.requests, f1.totals.input_tokens, f1.totals.cache_read_input_tokens]).toEqual([2, 12_000, 6500]);
    expect(f1.models.map((m) => m.model)).toEqual([M1, M3]);
    const m2 = await ok(`${WINDOW}&model=${M2}&tenant=t2`);
    expect([m2.totals.requests, m2.totals.hit_rate, m2.totals.saved_usd]).toEqual([1, "0.5120", "0.000153600000"]);
    const none = await ok(`${WINDOW}&team=nobody`);
    expect(none.totals).toMatchObject({ requests: 0, hit_rate: null, response_cache_hit_rate: null, saved_usd: "0.000000000000" });
    expect(none.models).toEqual([]);
  });
});

describe("GET /api/v1/cache: drops", () => {
  const DIP = `dip-${suffix}`;

  beforeAll(async () => {
    // 14 days at noon, one call a day: 70 % hit rate, 20 % on May 11 and 12, back to 70 %
    const rates = [70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 20, 20, 70, 70];
    await ingest(
      rates.map((percent, i) => ({
        at: new Date(Date.parse("2025-05-01T12:00:00Z") + i * DAY).toISOString(),
        model: M1,
        input: 1000,
        read: percent * 10,
        tags: { team: ALPHA, feature: DIP, tenant: "t1" },
      })),
    );
  });

  const episode = (group: unknown) => ({
    group,
    start: "2025-05-11T00:00:00.000Z",
    end: "2025-05-13T00:00:00.000Z",
    buckets: 2,
    baseline: "0.7000",
    lowest: "0.2000",
    lowest_at: "2025-05-11T00:00:00.000Z",
    drop_pp: "50.00",
    ongoing: false,
  });

  it("reports the episode for the overall series and for its group", async () => {
    const body = await ok(`from=2025-05-01&to=2025-05-15&min_requests=1&feature=${DIP}&group_by=tenant`);
    expect(body.drops).toEqual([episode(null)]);
    expect(body.groups.map((g) => [g.key, g.drops])).toEqual([["t1", [episode({ key: "t1", other: false })]]]);
  });

  it("judges the first days of a window against the days before it", async () => {
    const body = await ok(`from=2025-05-09&to=2025-05-15&min_requests=1&feature=${DIP}`);
    expect(body.series[0]?.bucket).toBe("2025-05-09T00:00:00.000Z");
    expect(body.drops).toEqual([episode(null)]);
  });

  it("follows drop_pp, min_requests and baseline_buckets", async () => {
    expect((await ok(`from=2025-05-01&to=2025-05-15&min_requests=1&feature=${DIP}&drop_pp=51`)).drops).toEqual([]);
    expect((await ok(`from=2025-05-01&to=2025-05-15&feature=${DIP}`)).drops).toEqual([]); // default: 50 requests a bucket
    const short = await ok(`from=2025-05-01&to=2025-05-15&min_requests=1&feature=${DIP}&baseline_buckets=3&min_buckets=2`);
    expect(short.drop_rule).toEqual({ drop_pp: 15, baseline_buckets: 3, min_requests: 1, min_buckets: 2 });
    expect(short.drops).toEqual([episode(null)]);
    expect((await ok(`from=2025-05-01&to=2025-05-15&min_requests=1&feature=${DIP}&min_buckets=3`)).drops).toEqual([]);
  });
});

describe("GET /api/v1/cache: team scoping", () => {
  it("shows a team lead only their teams' usage, in every figure", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: ALPHA, role: "lead" }] });
    const body = await ok(`${WINDOW}&group_by=team`, { cookie: lead.cookie });
    expect(body.totals).toMatchObject({
      requests: 3,
      input_tokens: 14_000,
      cache_read_input_tokens: 8048,
      hit_rate: "0.5749",
      response_cache_hits: 1,
      saved_usd: "0.013653600000",
      unpriced_cache_read_input_tokens: 0,
    });
    expect(body.groups.map((g) => g.key)).toEqual([ALPHA]);
    expect(body.models.map((m) => [m.model, m.input_tokens])).toEqual([
      [M1, 10_000],
      [M2, 4000],
    ]);
    // asking for another team's data gives nothing, not an error
    const other = await ok(`${WINDOW}&team=${BETA}`, { cookie: lead.cookie });
    expect(other.totals.requests).toBe(0);
  });

  it("shows a team-bound read key only its team, and a lead without teams nothing", async () => {
    const beta = (await prisma.team.findUnique({ where: { slug: BETA }, select: { id: true, slug: true } })) ?? (await createTestTeam({ slug: BETA }));
    const key = await createTestKeyFor({ scopes: ["read"], teamId: beta.id });
    const body = await ok(WINDOW, { key: key.secret });
    expect([body.totals.requests, body.totals.input_tokens, body.totals.cache_read_input_tokens]).toEqual([2, 5000, 500]);
    expect(body.models.map((m) => m.model)).toEqual([M1, M3]);

    const lonely = await createTestUser({ role: "team_lead" });
    const empty = await ok(WINDOW, { cookie: lonely.cookie });
    expect(empty.totals.requests).toBe(0);
    expect(empty.models).toEqual([]);
  });

  it("shows finance everything", async () => {
    const finance = await createTestUser({ role: "finance" });
    expect((await ok(WINDOW, { cookie: finance.cookie })).totals.requests).toBe(6);
  });
});

describe("GET /api/v1/cache: refusals", () => {
  it("answers 401 without credentials or with a bad key", async () => {
    const anonymous = await read<ErrorBodyShape>(await GET(apiRequest(`/api/v1/cache?${WINDOW}`, { method: "GET" })));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("unauthorized");
    expect((await cache(WINDOW, { key: "br_notARealKey" })).status).toBe(401);
  });

  it("answers 403 to a key without the read scope", async () => {
    const { status, body } = await cache(WINDOW, { key: ingestKey });
    expect(status).toBe(403);
    expect((body as unknown as ErrorBodyShape).error.code).toBe("forbidden");
  });

  it.each([
    ["to=2025-03-05", "from"],
    ["from=2025-03-03", "to"],
    ["from=yesterday&to=2025-03-05", "from"],
    ["from=2025-03-03T10:00:00&to=2025-03-05", "from"], // no time zone
    ["from=2025-03-05&to=2025-03-05", "to"],
    ["from=2025-03-05&to=2025-03-03", "to"],
    ["from=2025-01-01&to=2025-06-01&bucket=hour", "to"], // over 92 days hourly
    [`${WINDOW}&bucket=week`, "bucket"],
    [`${WINDOW}&group_by=user`, "group_by"],
    [`${WINDOW}&limit=0`, "limit"],
    [`${WINDOW}&limit=many`, "limit"],
    [`${WINDOW}&drop_pp=12.5`, "drop_pp"],
    [`${WINDOW}&baseline_buckets=0`, "baseline_buckets"],
    [`${WINDOW}&min_buckets=0`, "min_buckets"],
    [`${WINDOW}&team=`, "team"],
  ])("answers 400 to %s naming %s", async (query, path) => {
    const { status, body } = await cache(query);
    expect(status).toBe(400);
    expect((body as unknown as ErrorBodyShape).error.code).toBe("invalid_request");
    expect(detailPaths(body)).toContain(path);
  });

  it("answers 400 to an unknown parameter, naming it", async () => {
    const { status, body } = await cache(`${WINDOW}&grup_by=team`);
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain("grup_by");
  });
});
