import { describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { getPool } from "@/lib/db";
import {
  applyEventRetention,
  ensureEventPartitionsAhead,
  listEventPartitions,
  monthStart,
} from "@/lib/db/partitions";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

/**
 * usage_events partitioned by month: where rows land, partitions made on demand and
 * ahead, the id deduped across months, and the retention dropping old months while the
 * rollups stay.
 */

const pool = () => getPool();

async function ingest(events: Record<string, unknown>[]): Promise<{ status: number; body: { accepted: number; duplicates: number; rejected: number } }> {
  const key = await createTestKey(["ingest"]);
  const response = await postEvents(apiRequest("/api/v1/events", { key, body: { events } }));
  return { status: response.status, body: (await response.json()) as { accepted: number; duplicates: number; rejected: number } };
}

async function partitionOf(id: string): Promise<string[]> {
  const result = await pool().query<{ partition: string }>("SELECT tableoid::regclass::text AS partition FROM usage_events WHERE id = $1", [id]);
  return result.rows.map((row) => row.partition);
}

async function partitionNames(): Promise<string[]> {
  return (await listEventPartitions(pool())).map((p) => p.name);
}

describe("monthly partitions of usage_events", () => {
  it("stores each event in its UTC month's partition, the boundary instant in the later month", async () => {
    const before = contractEvent({ timestamp: "2026-11-30T23:59:59.999Z" });
    const at = contractEvent({ timestamp: "2026-12-01T00:00:00.000Z" });
    expect((await ingest([before, at])).body).toMatchObject({ accepted: 2 });
    expect(await partitionOf(before.id as string)).toEqual(["usage_events_2026_11"]);
    expect(await partitionOf(at.id as string)).toEqual(["usage_events_2026_12"]);
  });

  it("creates the partition of a month it has not seen (a backfill), only that month", async () => {
    const old = contractEvent({ timestamp: "2019-03-14T09:00:00Z" });
    const recent = contractEvent({ timestamp: "2026-12-01T12:00:00Z" });
    const partitionsBefore = await partitionNames();
    expect(partitionsBefore).not.toContain("usage_events_2019_03");
    expect((await ingest([old, recent])).body).toMatchObject({ accepted: 2, rejected: 0 });
    const partitionsAfter = await partitionNames();
    expect(partitionsAfter.filter((name) => !partitionsBefore.includes(name))).toEqual(["usage_events_2019_03"]);
    const bounds = (await listEventPartitions(pool())).find((p) => p.name === "usage_events_2019_03");
    expect(bounds?.from.toISOString()).toBe("2019-03-01T00:00:00.000Z");
    expect(bounds?.to.toISOString()).toBe("2019-04-01T00:00:00.000Z");
  });

  it("two batches racing into a new month both succeed and make one partition", async () => {
    const batches = [0, 1, 2, 3].map((i) => [contractEvent({ timestamp: `2018-05-0${i + 1}T10:00:00Z` })]);
    const answers = await Promise.all(batches.map((events) => ingest(events)));
    expect(answers.map((a) => [a.status, a.body.accepted])).toEqual([
      [200, 1],
      [200, 1],
      [200, 1],
      [200, 1],
    ]);
    expect((await partitionNames()).filter((name) => name === "usage_events_2018_05")).toHaveLength(1);
  });

  it("an id is counted once even when resent with a timestamp in another month", async () => {
    const first = contractEvent({ timestamp: "2026-11-10T10:00:00Z" });
    expect((await ingest([first])).body).toMatchObject({ accepted: 1, duplicates: 0 });
    const resent = { ...first, timestamp: "2026-12-01T10:00:00Z" };
    expect((await ingest([resent])).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await partitionOf(first.id as string)).toEqual(["usage_events_2026_11"]);
    const ids = await pool().query("SELECT occurred_at FROM usage_event_ids WHERE id = $1", [first.id]);
    expect(ids.rows).toEqual([{ occurred_at: new Date("2026-11-10T10:00:00Z") }]);
  });

  it("a month dropped elsewhere (another instance's retention) while this process knew it: recreated, the batch stored", async () => {
    expect((await ingest([contractEvent({ timestamp: "2016-06-01T10:00:00Z" })])).body).toMatchObject({ accepted: 1 });
    await pool().query('ALTER TABLE usage_events DETACH PARTITION "usage_events_2016_06"');
    await pool().query('DROP TABLE "usage_events_2016_06"');
    const late = contractEvent({ timestamp: "2016-06-20T10:00:00Z" });
    const answer = await ingest([late]);
    expect([answer.status, answer.body.accepted]).toEqual([200, 1]);
    expect(await partitionOf(late.id as string)).toEqual(["usage_events_2016_06"]);
  });

  it("ahead: this month and the next two exist; calling again creates nothing", async () => {
    const now = new Date("2031-06-15T00:00:00Z");
    expect(await ensureEventPartitionsAhead(pool(), now)).toBe(3);
    expect(await ensureEventPartitionsAhead(pool(), now)).toBe(0);
    expect(await partitionNames()).toEqual(expect.arrayContaining(["usage_events_2031_06", "usage_events_2031_07", "usage_events_2031_08"]));
  });
});

describe("retention", () => {
  it("drops whole months past the retention with their dedupe ids; rollups and newer months stay", async () => {
    // Its own years, so the other tests' rows are all newer than the cutoff below except these.
    const now = new Date("2017-04-10T00:00:00Z");
    const events = ["2016-12-20T10:00:00Z", "2017-01-05T10:00:00Z", "2017-02-01T00:00:00Z", "2017-04-02T10:00:00Z"].map((timestamp) =>
      contractEvent({ timestamp, usage: { input_tokens: 1_000_000, output_tokens: 0 } }),
    );
    expect((await ingest(events)).body).toMatchObject({ accepted: 4 });
    const rollupBefore = await pool().query<{ requests: string }>(
      "SELECT sum(requests)::text AS requests FROM usage_rollup_hourly_all WHERE hour >= '2016-12-01' AND hour < '2017-05-01'",
    );
    expect(rollupBefore.rows[0]?.requests).toBe("4");

    // Keep 3 months at 2017-04-10: February, March and April; December and January go.
    const result = await applyEventRetention(pool(), 3, now);
    expect(result.cutoff?.toISOString()).toBe("2017-02-01T00:00:00.000Z");
    expect(result.dropped).toEqual(expect.arrayContaining(["usage_events_2016_12", "usage_events_2017_01"]));
    expect(result.dropped.every((name) => name < "usage_events_2017_02")).toBe(true);
    expect(await partitionNames()).toEqual(expect.arrayContaining(["usage_events_2017_02", "usage_events_2017_04"]));
    expect(await partitionOf(events[2]?.id as string)).toEqual(["usage_events_2017_02"]);
    expect(await partitionOf(events[0]?.id as string)).toEqual([]);

    const ids = await pool().query<{ id: string }>("SELECT id FROM usage_event_ids WHERE id = ANY($1)", [events.map((e) => e.id)]);
    expect(ids.rows.map((r) => r.id).sort()).toEqual([events[2]?.id, events[3]?.id].sort());
    expect(result.idsPruned).toBeGreaterThanOrEqual(2);

    // Showback reads rollups: all four events are still counted.
    const rollupAfter = await pool().query<{ requests: string }>(
      "SELECT sum(requests)::text AS requests FROM usage_rollup_hourly_all WHERE hour >= '2016-12-01' AND hour < '2017-05-01'",
    );
    expect(rollupAfter.rows[0]?.requests).toBe("4");
    // And the kept months still agree exactly with their raw events.
    expect(await compareRollupsWithEvents(pool(), { from: monthStart(now, -2) })).toEqual([]);

    // Run again: nothing more to drop.
    expect((await applyEventRetention(pool(), 3, now)).dropped).toEqual([]);
  });

  it("with a retention set, events older than it are refused (their month's ids are gone: they would count twice)", async () => {
    process.env.BURNRATE_RETENTION_MONTHS = "3";
    try {
      const old = contractEvent({ timestamp: "2020-05-01T00:00:00Z" });
      const recent = contractEvent({ timestamp: new Date().toISOString() });
      const answer = await ingest([old, recent]);
      expect(answer.body).toMatchObject({ accepted: 1, rejected: 1 });
      const errors = (answer.body as unknown as { errors: { index: number; path: string; message: string }[] }).errors;
      expect(errors).toEqual([expect.objectContaining({ index: 0, path: "timestamp" })]);
      expect(errors[0]?.message).toMatch(/older than the retention/);
      expect(await partitionNames()).not.toContain("usage_events_2020_05");
    } finally {
      delete process.env.BURNRATE_RETENTION_MONTHS;
    }
  });

  it("a month whose partition is in use is left for the next run, and so are its ids", async () => {
    const now = new Date("2015-09-15T00:00:00Z");
    const event = contractEvent({ timestamp: "2015-05-10T10:00:00Z" });
    expect((await ingest([event])).body).toMatchObject({ accepted: 1 });
    const reader = await pool().connect();
    try {
      // An open transaction that read usage_events holds a lock DETACH must wait for.
      await reader.query("BEGIN");
      await reader.query("SELECT count(*) FROM usage_events WHERE occurred_at < '2015-06-01'");
      const result = await applyEventRetention(pool(), 3, now);
      expect(result.dropped).not.toContain("usage_events_2015_05");
      expect(await partitionNames()).toContain("usage_events_2015_05");
      const ids = await pool().query("SELECT 1 FROM usage_event_ids WHERE id = $1", [event.id]);
      expect(ids.rowCount).toBe(1);
    } finally {
      await reader.query("ROLLBACK");
      reader.release();
    }
    const later = await applyEventRetention(pool(), 3, now);
    expect(later.dropped).toContain("usage_events_2015_05");
    expect((await pool().query("SELECT 1 FROM usage_event_ids WHERE id = $1", [event.id])).rowCount).toBe(0);
  });

  it("the server's maintenance run creates the months ahead and applies the retention, logging what it dropped", async () => {
    const { createLogger } = await import("@/lib/log");
    const { startDataMaintenance } = await import("@/lib/db/maintenance");
    expect((await ingest([contractEvent({ timestamp: "2015-02-03T03:00:00Z" })])).body).toMatchObject({ accepted: 1 });
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    // 60 months back from now keeps 2015 out: its partition goes, the months ahead exist.
    const maintenance = startDataMaintenance({ pool, retentionMonths: 60, log, intervalMs: 3_600_000 });
    try {
      await maintenance.runOnce();
    } finally {
      await maintenance.stop();
    }
    const names = await partitionNames();
    expect(names).not.toContain("usage_events_2015_02");
    expect(names).toContain(`usage_events_${monthStart(new Date(), 2).toISOString().slice(0, 7).replace("-", "_")}`);
    const dropped = lines.find((line) => line.msg === "retention dropped raw event partitions");
    expect(dropped?.dropped).toEqual(expect.arrayContaining(["usage_events_2015_02"]));
  });

  it("0 months keeps everything", async () => {
    expect(await applyEventRetention(pool(), 0)).toEqual({ cutoff: null, dropped: [], idsPruned: 0 });
  });
});
