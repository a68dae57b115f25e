import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { GET as getSpend } from "@/app/api/v1/spend/route";
import { getPool } from "@/lib/db";
import { foldRollups } from "@/lib/rollups/fold";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

// reported_cost_usd (what a sender said a call cost) travels through the rollups into
// /api/v1/spend: summed exactly where reported, null where nobody reported.

let ingestKey: string;
let readKey: string;
const [reporting, silent] = [`rep-${randomUUID().slice(0, 8)}`, `sil-${randomUUID().slice(0, 8)}`];

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  readKey = await createTestKey(["read"]);
  const events = [
    contractEvent({ timestamp: "2026-11-03T10:00:00Z", tags: { team: reporting }, reported_cost_usd: "0.000000000001" }),
    contractEvent({ timestamp: "2026-11-04T10:00:00Z", tags: { team: reporting }, reported_cost_usd: 0.25 }),
    contractEvent({ timestamp: "2026-11-04T11:00:00Z", tags: { team: reporting } }),
    contractEvent({ timestamp: "2026-11-04T12:00:00Z", tags: { team: silent } }),
  ];
  const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events } }));
  expect(response.status).toBe(200);
});

async function spend(query: string) {
  const response = await getSpend(apiRequest(`/api/v1/spend?${query}`, { key: readKey, method: "GET" }));
  expect(response.status).toBe(200);
  return (await response.json()) as { rows: { team: string; reported_cost_usd: string | null; requests: number }[] };
}

describe("reported cost in /api/v1/spend", () => {
  it("sums what was reported per row, null for a row without any report, on the rollup and raw-event paths", async () => {
    await foldRollups(getPool());
    for (const window of ["from=2026-11-01&to=2026-12-01", "from=2026-11-01T00:30:00Z&to=2026-12-01"]) {
      const { rows } = await spend(`${window}&group_by=team`);
      const byTeam = Object.fromEntries(rows.map((row) => [row.team, row]));
      expect(byTeam[reporting]).toMatchObject({ requests: 3, reported_cost_usd: "0.250000000001" });
      expect(byTeam[silent]).toMatchObject({ requests: 1, reported_cost_usd: null });
    }
    expect(await compareRollupsWithEvents(getPool())).toEqual([]);
  });

  it("refuses a negative or non-numeric reported cost per event", async () => {
    const bad = [contractEvent({ reported_cost_usd: "-1" }), contractEvent({ reported_cost_usd: "cheap" }), contractEvent()];
    const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: bad } }));
    expect(response.status).toBe(207);
    const body = (await response.json()) as { errors: { index: number; path: string }[] };
    expect(body.errors.map((e) => [e.index, e.path])).toEqual([
      [0, "reported_cost_usd"],
      [1, "reported_cost_usd"],
    ]);
  });
});
