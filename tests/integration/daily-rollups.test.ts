import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { getPool } from "@/lib/db";
import pg from "pg";
import { foldRollups } from "@/lib/rollups/fold";
import { metrics } from "@/lib/ops/metrics";
import { rebuildRollups } from "@/lib/rollups/rebuild";
import { ceilToUtcDay, rollupWindowSql } from "@/lib/db/rollup-sql";
import { SqlParams } from "@/lib/db/sql";
import { startOfUtcDay } from "@/lib/time";
import { insertPrice } from "@/lib/pricing/price-store";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

// usage_rollup_daily is kept by triggers on usage_rollup_hourly. Whatever writes the
// hourly rows (ingestion's upserts, re-pricing's updates, a rebuild's delete and insert,
// a truncate), the daily view must sum to exactly the hourly rows per day and group,
// before and after the pending deltas are folded in.
const pool = () => getPool();
const model = `daily-${randomUUID().slice(0, 8)}`;
let key: string;

beforeAll(async () => {
  key = await createTestKey(["ingest"]);
});

async function ingest(events: Record<string, unknown>[]): Promise<void> {
  const response = await postEvents(apiRequest("/api/v1/events", { key, body: { events } }));
  expect(response.status).toBe(200);
}

const KEY = "team, feature, environment, tenant, prompt_version, provider, model, service_tier::text";
const SUMS = `sum(requests)::text AS requests, sum(retries)::text AS retries, sum(unpriced_requests)::text AS unpriced,
  sum(input_tokens)::text AS input, sum(cost_usd)::text AS cost, sum(latency_ms_sum)::text AS latency,
  sum(retry_cost_usd)::text AS retry_cost, sum(error_cost_usd)::text AS error_cost`;

/** Per day and group: the hourly rows summed, and the daily view summed; they must be equal. */
async function compareDailyWithHourly(): Promise<{ hourly: unknown[]; daily: unknown[] }> {
  const order = `ORDER BY 1, ${KEY.replaceAll("::text", "")}`;
  const hourly = await pool().query(
    `SELECT date_trunc('day', hour, 'UTC') AS day, ${KEY}, ${SUMS} FROM usage_rollup_hourly_all GROUP BY 1, ${KEY.replaceAll("::text", "")} ${order}`,
  );
  const daily = await pool().query(
    `SELECT hour AS day, ${KEY}, ${SUMS} FROM usage_rollup_daily_all GROUP BY 1, ${KEY.replaceAll("::text", "")}
     HAVING sum(requests) > 0 ${order}`,
  );
  return { hourly: hourly.rows, daily: daily.rows };
}

async function pendingCount(): Promise<number> {
  return Number((await pool().query<{ n: string }>("SELECT count(*)::text AS n FROM usage_rollup_daily_pending")).rows[0]?.n);
}

function event(at: string, tags: Record<string, string>, overrides: Record<string, unknown> = {}) {
  return contractEvent({ timestamp: at, provider: "openai", model, tags, usage: { input_tokens: 1000, output_tokens: 10 }, ...overrides });
}

describe("daily rollups", () => {
  it("follow ingestion: new hourly rows (insert) and existing ones (upsert) alike", async () => {
    await ingest([
      event("2026-10-01T01:10:00Z", { team: "a" }),
      event("2026-10-01T23:59:59Z", { team: "a" }),
      event("2026-10-02T00:00:00Z", { team: "a" }),
      event("2026-10-01T05:00:00Z", { team: "b", feature: "f" }, { attempt: 2, latency_ms: 40 }),
    ]);
    // The same hours again: the upsert's UPDATE path.
    await ingest([event("2026-10-01T01:20:00Z", { team: "a" }), event("2026-10-01T05:30:00Z", { team: "b", feature: "f" })]);
    const { hourly, daily } = await compareDailyWithHourly();
    expect(daily).toEqual(hourly);
    const october1 = (daily as Array<{ day: Date; team: string; requests: string; unpriced: string }>).filter(
      (row) => row.day.toISOString() === "2026-10-01T00:00:00.000Z" && row.team === "a",
    );
    expect(october1.map((row) => [row.requests, row.unpriced])).toEqual([["3", "3"]]);
  });

  it("follow re-pricing (updates of cost and unpriced counts)", async () => {
    const result = await insertPrice(pool(), {
      provider: "openai",
      model,
      serviceTier: "standard",
      effectiveFrom: new Date("2026-01-01T00:00:00Z"),
      rates: { inputPerMtok: "1", outputPerMtok: "2", cacheReadPerMtok: "1", cacheWritePerMtok: "1", cacheWrite1hPerMtok: "1", reasoningPerMtok: "2" },
    });
    expect(result.inserted).toBe(true);
    await repriceForNewPrice(pool(), { provider: "openai", model, serviceTier: "standard", effectiveFrom: new Date("2026-01-01T00:00:00Z") });
    const { hourly, daily } = await compareDailyWithHourly();
    expect(daily).toEqual(hourly);
    const sums = await pool().query<{ cost: string; unpriced: string }>(
      "SELECT sum(cost_usd)::text AS cost, sum(unpriced_requests)::text AS unpriced FROM usage_rollup_daily_all WHERE model = $1",
      [model],
    );
    // 6 events x (1000 x $1 + 10 x $2) / 1e6
    expect(sums.rows[0]).toEqual({ cost: "0.006120000000", unpriced: "0" });
  });

  it("fold the pending deltas in without changing any answer, and leave no empty groups", async () => {
    expect(await pendingCount()).toBeGreaterThan(0);
    const before = await compareDailyWithHourly();
    expect((await foldRollups(pool())).folded).toBe(true);
    expect(await pendingCount()).toBe(0);
    const after = await compareDailyWithHourly();
    expect(after.daily).toEqual(before.hourly);
    expect(after.hourly).toEqual(before.hourly);

    // A rebuild deletes and re-inserts every hourly row: the deltas cancel, and folding
    // them must not leave rows of zeros behind.
    await rebuildRollups(pool(), {});
    expect(await pendingCount()).toBeGreaterThan(0);
    expect((await compareDailyWithHourly()).daily).toEqual(before.hourly);
    await foldRollups(pool());
    const zeros = await pool().query("SELECT 1 FROM usage_rollup_daily WHERE requests = 0");
    expect(zeros.rowCount).toBe(0);
    expect((await compareDailyWithHourly()).daily).toEqual(before.hourly);
  });

  it("count every fold that ran, and every fold that failed, in burnrate_rollup_folds_total", async () => {
    const count = async (outcome: string) =>
      (await metrics().rollupFolds.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    const [folded, failed] = [await count("folded"), await count("error")];
    expect((await foldRollups(pool())).folded).toBe(true);
    expect(await count("folded")).toBe(folded + 1);
    // A database nobody listens on: the error is thrown to the caller and counted.
    const unreachable = new pg.Pool({ connectionString: "postgres://burnrate@127.0.0.1:1/none", connectionTimeoutMillis: 2000 });
    await expect(foldRollups(unreachable)).rejects.toThrow();
    await unreachable.end();
    expect(await count("error")).toBe(failed + 1);
    expect(await count("folded")).toBe(folded + 1);
  });

  it("let only one folder run at a time", async () => {
    await ingest([event("2026-10-03T10:00:00Z", { team: "c" })]);
    const results = await Promise.all([foldRollups(pool()), foldRollups(pool()), foldRollups(pool())]);
    expect(results.filter((r) => r.folded).length).toBeGreaterThanOrEqual(1);
    expect(await pendingCount()).toBe(0);
    expect((await compareDailyWithHourly()).daily).toEqual((await compareDailyWithHourly()).hourly);
  });

  it("answer any hour-aligned window exactly: whole days from daily rows, edges from hourly ones", async () => {
    const windows: Array<[string, string]> = [
      ["2026-10-01T00:00:00Z", "2026-10-03T00:00:00Z"], // whole days
      ["2026-10-01T05:00:00Z", "2026-10-02T01:00:00Z"], // two partial days
      ["2026-10-01T02:00:00Z", "2026-10-01T06:00:00Z"], // inside one day
      ["2026-09-30T23:00:00Z", "2026-10-03T11:00:00Z"], // edges on both sides of whole days
    ];
    for (const [from, to] of windows) {
      const params = new SqlParams();
      const source = rollupWindowSql(new Date(from), new Date(to), params);
      const viaWindow = await pool().query(`SELECT sum(requests)::text AS n, sum(cost_usd)::text AS cost FROM ${source}`, params.values);
      const viaHourly = await pool().query(
        "SELECT sum(requests)::text AS n, sum(cost_usd)::text AS cost FROM usage_rollup_hourly_all WHERE hour >= $1 AND hour < $2",
        [from, to],
      );
      expect([from, to, viaWindow.rows[0]]).toEqual([from, to, viaHourly.rows[0]]);
    }
    expect(ceilToUtcDay(new Date("2026-10-01T00:00:00Z")).toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(ceilToUtcDay(new Date("2026-10-01T01:00:00Z")).toISOString()).toBe("2026-10-02T00:00:00.000Z");
    expect(startOfUtcDay(new Date("2026-10-01T23:00:00Z")).toISOString()).toBe("2026-10-01T00:00:00.000Z");
  });

  it("are emptied with the hourly table on TRUNCATE", async () => {
    await pool().query("TRUNCATE usage_rollup_hourly");
    const left = await pool().query("SELECT (SELECT count(*) FROM usage_rollup_daily) + (SELECT count(*) FROM usage_rollup_daily_pending) AS n");
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});
