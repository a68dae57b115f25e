import { beforeAll, describe, expect, it } from "vitest";
import { GET as getActivity } from "@/app/api/v1/integrations/activity/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { getPool } from "@/lib/db";
import { storeEventBatch } from "@/lib/ingestion/ingest-events";
import type { SourceActivity } from "@/lib/ingestion/ingest-receipts";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { createTestTeam, createTestKeyFor, createTestUser, read, sessionRequest, type TestUser } from "../factories/users";

/**
 * GET /api/v1/integrations/activity (the Connect page's Arrivals panel): per receiver the last
 * stored event and the events of the last hour, for admins only (installation-wide counts).
 */

const PATH = "/api/v1/integrations/activity";

let admin: TestUser;

beforeAll(async () => {
  admin = await createTestUser({ role: "admin" });
});

async function activity(request: Request = sessionRequest(PATH, { cookie: admin.cookie })) {
  const { status, body } = await read<{ sources: SourceActivity[] }>(await getActivity(request));
  expect(status).toBe(200);
  return new Map(body.sources.map((s) => [s.source, s]));
}

describe("GET /api/v1/integrations/activity", () => {
  it("answers the three sources in order, nothing received yet, never cached", async () => {
    const response = await getActivity(sessionRequest(PATH, { cookie: admin.cookie }));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { sources: SourceActivity[] };
    expect(body).toEqual({
      sources: [
        { source: "events", last_received_at: null, events_last_hour: 0 },
        { source: "otlp", last_received_at: null, events_last_hour: 0 },
        { source: "litellm", last_received_at: null, events_last_hour: 0 },
      ],
    });
  });

  it("counts what each receiver stored, with the time of its latest batch; duplicates add nothing", async () => {
    const started = Date.now();
    const eventsBatch = [contractEvent(), contractEvent()];
    expect((await storeEventBatch(getPool(), eventsBatch, { source: "events" })).result).toMatchObject({ accepted: 2 });
    expect((await storeEventBatch(getPool(), [contractEvent()], { source: "otlp" })).result).toMatchObject({ accepted: 1 });
    expect((await storeEventBatch(getPool(), [contractEvent(), contractEvent(), contractEvent()], { source: "litellm" })).result).toMatchObject({ accepted: 3 });

    let sources = await activity();
    expect([...sources.values()].map((s) => [s.source, s.events_last_hour])).toEqual([
      ["events", 2],
      ["otlp", 1],
      ["litellm", 3],
    ]);
    for (const source of sources.values()) {
      const at = Date.parse(source.last_received_at ?? "");
      expect(at).toBeGreaterThanOrEqual(started - 1_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1_000);
    }

    // The same ids again: duplicates, no new receipt.
    expect((await storeEventBatch(getPool(), eventsBatch, { source: "events" })).result).toMatchObject({ accepted: 0, duplicates: 2 });
    sources = await activity();
    expect(sources.get("events")?.events_last_hour).toBe(2);
  });

  it("counts what arrives through the events API itself", async () => {
    const before = (await activity()).get("events")?.events_last_hour ?? 0;
    const key = await createTestKey(["ingest"]);
    const response = await postEvents(apiRequest("/api/v1/events", { key, body: { events: [contractEvent()] } }));
    expect(response.status).toBe(200);
    expect((await activity()).get("events")?.events_last_hour).toBe(before + 1);
  });

  it("admits an admin's or a read key (installation-wide numbers)", async () => {
    for (const key of [await createTestKey(["admin"]), await createTestKey(["read"])]) {
      const sources = await activity(apiRequest(PATH, { key, method: "GET" }));
      expect([...sources.keys()]).toEqual(["events", "otlp", "litellm"]);
    }
  });

  it("refuses other roles, ingest keys and team-bound keys with 403, and anonymous callers with 401", async () => {
    const team = await createTestTeam();
    const sessions = await Promise.all([
      createTestUser({ role: "viewer" }),
      createTestUser({ role: "finance" }),
      createTestUser({ role: "team_lead", teams: [{ slug: team.slug, role: "lead" }] }),
    ]);
    for (const user of sessions) {
      const { status, body } = await read<{ error: { code: string } }>(await getActivity(sessionRequest(PATH, { cookie: user.cookie })));
      expect(status).toBe(403);
      expect(body.error.code).toBe("forbidden");
    }
    const boundRead = await createTestKeyFor({ scopes: ["read"], teamId: team.id });
    for (const key of [await createTestKey(["ingest"]), boundRead.secret]) {
      expect((await getActivity(apiRequest(PATH, { key, method: "GET" }))).status).toBe(403);
    }
    const anonymous = await read<{ error: { code: string } }>(await getActivity(new Request(`http://localhost${PATH}`)));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe("unauthorized");
  });
});
