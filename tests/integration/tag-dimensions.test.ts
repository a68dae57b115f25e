import { beforeAll, describe, expect, it } from "vitest";
import { GET as getSpendRoute } from "@/app/api/v1/spend/route";
import { GET as getTagsRoute } from "@/app/api/v1/tags/route";
import { GET as getCacheRoute } from "@/app/api/v1/cache/route";
import { GET as getTokensRoute } from "@/app/api/v1/tokens-per-request/route";
import type { CacheReport } from "@/lib/analytics/cache";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import type { SpendResult } from "@/lib/analytics/spend";
import { getPool } from "@/lib/db";
import { insertPrice } from "@/lib/pricing/price-store";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { foldRollups } from "@/lib/rollups/fold";
import { compareTagRollupsWithEvents, rebuildTagRollups } from "@/lib/rollups/tag-rollups";
import { createTestKey } from "../factories/api-keys";
import { createPricedModel, ingest, PROVIDER } from "../factories/alerts";
import { createTestUser, detailPaths, read, sessionRequest, type TestUser } from "../factories/users";

/**
 * Any tag as a dimension (issue 17, item 3): extra tags grouped and filtered in
 * /api/v1/spend as `tag.<key>`, from the tag rollups when one key is named (the events without
 * the key as the null group) and from the events otherwise, with the same exact numbers; the
 * tag rollups follow re-pricing and equal a recount; the keys listed per team scope.
 */

let finance: TestUser;
let lead: TestUser;
let model: string;

const DAY = "from=2026-09-10&to=2026-09-11";
// Not hour-aligned: the raw-event path, for the same events.
const DAY_BY_EVENTS = "from=2026-09-09T23:30:00Z&to=2026-09-11T00:00:00Z";

beforeAll(async () => {
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: "search", role: "lead" }] });
  model = await createPricedModel();
  const ingestKey = await createTestKey(["ingest"]);
  // $1000 per million input tokens: usd is exact. Two batches, so the tag rows' upsert path runs too.
  await ingest(ingestKey, model, [
    { at: "2026-09-10T09:00:00Z", usd: "1", tags: { team: "search", language: "fr", scenario: "a" } },
    { at: "2026-09-10T09:10:00Z", usd: "2", tags: { team: "search", language: "de" } },
    { at: "2026-09-10T15:00:00Z", usd: "4", tags: { team: "search", scenario: "b" } },
  ]);
  await ingest(ingestKey, model, [
    { at: "2026-09-10T09:20:00Z", usd: "8", tags: { team: "support", language: "fr" } },
    { at: "2026-09-10T20:00:00Z", usd: "16", tags: { team: "support", region: "eu" } },
  ]);
});

/** Days whose daily tag rows (folded + pending) differ from the sum of their hourly ones. */
async function tagDaysDifferingFromHours(): Promise<unknown[]> {
  const perDay = (source: string, time: string) => `SELECT date_trunc('day', ${time}, 'UTC') AS day, tag_key, tag_value, team, feature, provider, model,
      sum(requests)::text AS requests, sum(cost_usd)::text AS cost FROM ${source}
    GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(requests) <> 0`;
  const result = await getPool().query(
    `(${perDay("usage_rollup_tag_daily_all", "hour")} EXCEPT ${perDay("usage_rollup_tag_hourly_all", "hour")})
     UNION ALL (${perDay("usage_rollup_tag_hourly_all", "hour")} EXCEPT ${perDay("usage_rollup_tag_daily_all", "hour")})`,
  );
  return result.rows;
}

async function spend(user: TestUser, query: string) {
  return read<SpendResult>(await getSpendRoute(sessionRequest(`/api/v1/spend?${query}`, { cookie: user.cookie })));
}

/** The rows as [keys…, cost] in the answer's order, for both paths: they must agree exactly. */
async function rowsOnBothPaths(user: TestUser, query: string): Promise<(string | null)[][]> {
  const [rollups, events] = [await spend(user, `${DAY}&${query}`), await spend(user, `${DAY_BY_EVENTS}&${query}`)];
  expect(rollups.status).toBe(200);
  expect(events.status).toBe(200);
  const shape = (result: SpendResult) => result.rows.map((row) => [...result.group_by.map((key) => row[key] ?? null), row.cost_usd]);
  expect(shape(events.body)).toEqual(shape(rollups.body));
  expect(events.body.total).toEqual(rollups.body.total);
  return shape(rollups.body);
}

describe("GET /api/v1/spend with tag.<key>", () => {
  it("groups by an extra tag, events without it in the null group, identically on both paths", async () => {
    expect(await rowsOnBothPaths(finance, "group_by=tag.language")).toEqual([
      [null, "20.000000000000"],
      ["fr", "9.000000000000"],
      ["de", "2.000000000000"],
    ]);
    expect(await rowsOnBothPaths(finance, "group_by=team,tag.language")).toEqual([
      ["support", null, "16.000000000000"],
      ["support", "fr", "8.000000000000"],
      ["search", null, "4.000000000000"],
      ["search", "de", "2.000000000000"],
      ["search", "fr", "1.000000000000"],
    ]);
    const total = await spend(finance, `${DAY}&group_by=tag.language`);
    expect(total.body.total).toMatchObject({ cost_usd: "31.000000000000", requests: 5 });
  });

  it("filters on an extra tag, alone or with a grouping by another", async () => {
    expect(await rowsOnBothPaths(finance, "group_by=team&tag.language=fr")).toEqual([
      ["support", "8.000000000000"],
      ["search", "1.000000000000"],
    ]);
    const filtered = await spend(finance, `${DAY}&tag.language=fr`);
    expect(filtered.body.total).toMatchObject({ cost_usd: "9.000000000000", requests: 2 });
    // Two keys: from the events (a tag rollup row holds one key).
    expect(await rowsOnBothPaths(finance, "group_by=tag.language,tag.scenario")).toEqual([
      [null, null, "16.000000000000"],
      ["fr", null, "8.000000000000"],
      [null, "b", "4.000000000000"],
      ["de", null, "2.000000000000"],
      ["fr", "a", "1.000000000000"],
    ]);
    expect(await rowsOnBothPaths(finance, "group_by=tag.scenario&tag.language=fr")).toEqual([
      [null, "8.000000000000"],
      ["a", "1.000000000000"],
    ]);
  });

  it("keeps a lead to their teams, for rows and for the keys listed", async () => {
    expect(await rowsOnBothPaths(lead, "group_by=tag.language")).toEqual([
      [null, "4.000000000000"],
      ["de", "2.000000000000"],
      ["fr", "1.000000000000"],
    ]);
    const mine = await read<{ keys: string[] }>(await getTagsRoute(sessionRequest("/api/v1/tags", { cookie: lead.cookie })));
    expect(mine.body.keys).toEqual(["language", "scenario"]);
    const all = await read<{ keys: string[] }>(await getTagsRoute(sessionRequest("/api/v1/tags", { cookie: finance.cookie })));
    expect(all.body.keys).toEqual(["language", "region", "scenario"]);
  });

  it("groups and filters the Cache and tokens-per-request reports by an extra tag", async () => {
    const cache = await read<CacheReport>(await getCacheRoute(sessionRequest(`/api/v1/cache?${DAY}&group_by=tag.language`, { cookie: finance.cookie })));
    expect(cache.status).toBe(200);
    // Input tokens per group ($1000 per million: 1000 tokens a dollar): fr 1+8, de 2, untagged 4+16.
    expect(Object.fromEntries(cache.body.groups.map((g) => [String(g.key), [g.totals.requests, g.totals.input_tokens]]))).toEqual({
      null: [2, 20_000],
      fr: [2, 9_000],
      de: [1, 2_000],
    });
    const filtered = await read<CacheReport>(await getCacheRoute(sessionRequest(`/api/v1/cache?${DAY}&group_by=team&tag.language=fr`, { cookie: finance.cookie })));
    expect(Object.fromEntries(filtered.body.groups.map((g) => [String(g.key), g.totals.input_tokens]))).toEqual({ support: 8_000, search: 1_000 });

    const tokens = await read<TokensPerRequestReport>(
      await getTokensRoute(sessionRequest(`/api/v1/tokens-per-request?${DAY}&group_by=tag.scenario`, { cookie: lead.cookie })),
    );
    expect(tokens.status).toBe(200);
    // The lead's team (search) only: scenario a (1000 tokens), b (4000), untagged (2000).
    expect(Object.fromEntries(tokens.body.groups.map((g) => [String(g.key), [g.totals.requests, g.totals.avg_input_tokens]]))).toEqual({
      a: [1, "1000.0"],
      b: [1, "4000.0"],
      null: [1, "2000.0"],
    });
    const two = await read(await getCacheRoute(sessionRequest(`/api/v1/cache?${DAY}&group_by=tag.language&tag.scenario=a`, { cookie: finance.cookie })));
    expect([two.status, detailPaths(two.body)]).toEqual([400, ["group_by"]]);
    const empty = await read(await getTokensRoute(sessionRequest(`/api/v1/tokens-per-request?${DAY}&tag.language=`, { cookie: finance.cookie })));
    expect([empty.status, detailPaths(empty.body)]).toEqual([400, ["tag.language"]]);
  });

  it("refuses what cannot be a tag dimension, naming the parameter", async () => {
    const bad = async (query: string) => {
      const response = await spend(finance, `${DAY}&${query}`);
      return [response.status, detailPaths(response.body)];
    };
    expect(await bad("group_by=tag.team")).toEqual([400, ["group_by"]]);
    expect(await bad("group_by=tag.a%20b")).toEqual([400, ["group_by"]]);
    // "tag.<key>" is a result column: PostgreSQL keeps 63 bytes of a name, so keys stop at 59.
    expect(await bad(`group_by=tag.${"k".repeat(60)}`)).toEqual([400, ["group_by"]]);
    expect((await spend(finance, `${DAY}&group_by=tag.${"k".repeat(59)}`)).status).toBe(200);
    expect(await bad("group_by=tag.a,tag.b,tag.c,tag.d")).toEqual([400, ["group_by"]]);
    expect(await bad("tag.language=")).toEqual([400, ["tag.language"]]);
    expect(await bad("tags.language=fr")).toEqual([400, ["tags.language"]]);
  });

  it("tag rollups follow a re-pricing and equal a recount, and a rebuild changes nothing", async () => {
    await insertPrice(getPool(), {
      provider: PROVIDER,
      model,
      serviceTier: "standard",
      effectiveFrom: new Date("2026-09-10T09:15:00Z"),
      rates: { inputPerMtok: "2000", outputPerMtok: "0", cacheReadPerMtok: "2000", cacheWritePerMtok: "2000", cacheWrite1hPerMtok: "2000", reasoningPerMtok: "0" },
    });
    await repriceForNewPrice(getPool(), { provider: PROVIDER, model, serviceTier: "standard", effectiveFrom: new Date("2026-09-10T09:15:00Z") });
    // Doubled from 09:15: support's fr (8 → 16) and region (16 → 32), search's scenario b (4 → 8).
    const expected = [
      [null, "40.000000000000"],
      ["fr", "17.000000000000"],
      ["de", "2.000000000000"],
    ];
    expect(await rowsOnBothPaths(finance, "group_by=tag.language")).toEqual(expected);
    expect(await compareTagRollupsWithEvents(getPool())).toEqual([]);
    expect(await tagDaysDifferingFromHours()).toEqual([]);
    await rebuildTagRollups(getPool());
    expect(await compareTagRollupsWithEvents(getPool())).toEqual([]);
    expect(await rowsOnBothPaths(finance, "group_by=tag.language")).toEqual(expected);
    // Folding the days' pending deltas changes no answer.
    expect((await foldRollups(getPool())).folded).toBe(true);
    expect(await getPool().query("SELECT 1 FROM usage_rollup_tag_daily_pending")).toMatchObject({ rowCount: 0 });
    expect(await tagDaysDifferingFromHours()).toEqual([]);
    expect(await rowsOnBothPaths(finance, "group_by=tag.language")).toEqual(expected);
  });
});
