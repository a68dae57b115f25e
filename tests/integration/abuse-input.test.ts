import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postBudget } from "@/app/api/v1/budgets/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postOutcomes } from "@/app/api/v1/outcomes/route";
import { GET as getTrace } from "@/app/api/v1/traces/[traceId]/route";
import { getPool, prisma } from "@/lib/db";
import { listEventPartitions } from "@/lib/db/partitions";
import { MAX_NEW_MONTHS_PER_BATCH } from "@/lib/ingestion/ingest-events";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { createTestKeyFor, createTestTeam } from "../factories/users";

// Issue 13's input cases (each reproduced against a running Burnrate before the fix): bytes
// PostgreSQL cannot store, hostile nesting, absurd dates and the partitions they would create.

let ingestKey: string;
let adminKey: string;
beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  adminKey = await createTestKey(["admin"]);
});

async function events(list: unknown[]) {
  const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: list } }));
  return { status: response.status, body: (await response.json()) as { accepted: number; errors: { index: number; path: string; message: string }[] } };
}

describe("bytes PostgreSQL cannot store", () => {
  it("refuses a NUL or a lone surrogate per outcome, naming the path", async () => {
    const good = { id: `o-${randomUUID()}`, timestamp: "2026-11-02T10:00:00Z", trace_id: "t", type: "resolved", success: true };
    const bad = { ...good, id: `o-${randomUUID()}`, type: "re\u0000solved" };
    const response = await postOutcomes(apiRequest("/api/v1/outcomes", { key: ingestKey, body: { outcomes: [good, bad] } }));
    expect(response.status).toBe(207);
    expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([expect.objectContaining({ index: 1, path: "type" })]);
  });

  it("refuses a NUL in a path segment with a 400 naming it", async () => {
    const response = await getTrace(apiRequest("/api/v1/traces/%00", { key: adminKey, method: "GET" }), { params: Promise.resolve({ traceId: "a\u0000" }) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { details: [{ path: "traceId" }] } });
  });

  it("refuses a lone surrogate in a JSON body with a 400 naming the field", async () => {
    const response = await postBudget(
      apiRequest("/api/v1/budgets", { key: adminKey, body: { name: "Q4 \uD800", scope: {}, period: "month", amount_usd: "10" } }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_request", details: [{ path: "name" }] } });
  });
});

describe("nesting", () => {
  it("answers 10,000 levels in a JSON body with a 400, not a stack overflow", async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const response = await postBudget(
      apiRequest("/api/v1/budgets", { key: adminKey, rawBody: `{"name":"deep","scope":${deep},"period":"month","amount_usd":"1"}` }),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { details: { message: string }[] } }).error.details[0]?.message).toContain("nested more than");
  });
});

describe("absurd dates", () => {
  it("takes events from 2015-01-01 to 24 hours ahead and refuses the rest per event", async () => {
    const hour = 3_600_000;
    const list = [
      contractEvent({ timestamp: "0001-01-01T00:00:00Z" }),
      contractEvent({ timestamp: "2014-12-31T23:59:59.999Z" }),
      contractEvent({ timestamp: "2015-01-01T00:00:00Z" }),
      contractEvent({ timestamp: new Date(Date.now() + 23 * hour).toISOString() }),
      contractEvent({ timestamp: new Date(Date.now() + 25 * hour).toISOString() }),
      contractEvent({ timestamp: "3000-06-01T00:00:00Z" }),
    ];
    const before = (await listEventPartitions(getPool())).length;
    const { status, body } = await events(list);
    expect(status).toBe(207);
    expect(body.accepted).toBe(2);
    expect(body.errors.map((e) => [e.index, e.path])).toEqual([
      [0, "timestamp"],
      [1, "timestamp"],
      [4, "timestamp"],
      [5, "timestamp"],
    ]);
    expect(body.errors[0]?.message).toContain("between 2015-01-01");
    // At most the months of the accepted events were created (2015-01 and this or next month).
    expect((await listEventPartitions(getPool())).length - before).toBeLessThanOrEqual(2);
  });

  it(`creates at most ${MAX_NEW_MONTHS_PER_BATCH} new monthly partitions per batch`, async () => {
    // 30 months of 2016-2018 nobody else uses: the first 24 are stored, the rest refused per event.
    const list = Array.from({ length: 30 }, (_, i) => contractEvent({ timestamp: new Date(Date.UTC(2016, i, 15)).toISOString() }));
    const before = (await listEventPartitions(getPool())).length;
    const { status, body } = await events(list);
    expect(status).toBe(207);
    expect(body.accepted).toBe(MAX_NEW_MONTHS_PER_BATCH);
    expect(body.errors.map((e) => e.index)).toEqual([24, 25, 26, 27, 28, 29]);
    expect(body.errors[0]?.message).toContain("batches of their own");
    expect((await listEventPartitions(getPool())).length - before).toBe(MAX_NEW_MONTHS_PER_BATCH);
    // Sent again on their own, the refused months are stored.
    const retry = await events(list.slice(24));
    expect(retry.body.accepted).toBe(6);
    expect(await prisma.usageEvent.count({ where: { id: { in: list.map((e) => e.id as string) } } })).toBe(30);
  });

  it("names the refused events by their index and the id their sender wrote, for a team-bound key too", async () => {
    const team = await createTestTeam();
    const key = (await createTestKeyFor({ scopes: ["ingest"], teamId: team.id })).secret;
    // 30 months of 2019-2021, behind a rejected event so that indexes and positions differ.
    const list = [
      contractEvent({ tags: { team: "someone-else" } }),
      ...Array.from({ length: 30 }, (_, i) => contractEvent({ timestamp: new Date(Date.UTC(2019, i, 15)).toISOString(), tags: { team: team.slug } })),
    ];
    const response = await postEvents(apiRequest("/api/v1/events", { key, body: { events: list } }));
    const body = (await response.json()) as { accepted: number; errors: { index: number; id?: string; path: string }[] };
    expect(body.accepted).toBe(MAX_NEW_MONTHS_PER_BATCH);
    const refused = body.errors.filter((e) => e.path === "timestamp");
    expect(refused.map((e) => e.index)).toEqual([25, 26, 27, 28, 29, 30]);
    expect(refused.map((e) => e.id)).toEqual(list.slice(25).map((e) => e.id));
  });
});

describe("event ids across teams", () => {
  it("never tells a team-bound key that another team's id exists, nor lets it claim one first", async () => {
    const [teamA, teamB] = [await createTestTeam(), await createTestTeam()];
    const keyA = (await createTestKeyFor({ scopes: ["ingest"], teamId: teamA.id })).secret;
    const keyB = (await createTestKeyFor({ scopes: ["ingest"], teamId: teamB.id })).secret;
    const send = async (key: string, event: Record<string, unknown>) =>
      (await (await postEvents(apiRequest("/api/v1/events", { key, body: { events: [event] } }))).json()) as { accepted: number; duplicates: number };
    const id = `shared-${randomUUID()}`;
    // Team A claims the id first (as an attacker guessing B's next id would), then B sends it.
    expect(await send(keyA, contractEvent({ id, tags: {} }))).toMatchObject({ accepted: 1, duplicates: 0 });
    expect(await send(keyB, contractEvent({ id, tags: {} }))).toMatchObject({ accepted: 1, duplicates: 0 });
    // Within one team the id is still counted once.
    expect(await send(keyB, contractEvent({ id, tags: {} }))).toMatchObject({ accepted: 0, duplicates: 1 });
    // An installation-wide key's ids are their own space too: the same id is new there.
    expect(await send(ingestKey, contractEvent({ id }))).toMatchObject({ accepted: 1, duplicates: 0 });
    const rows = await prisma.usageEvent.findMany({ where: { id: { endsWith: id } }, orderBy: { id: "asc" } });
    expect(rows.map((row) => [row.id, row.team]).sort()).toEqual(
      [
        [id, "search"],
        [`team:${teamA.id}/${id}`, teamA.slug],
        [`team:${teamB.id}/${id}`, teamB.slug],
      ].sort(),
    );
  });
});
