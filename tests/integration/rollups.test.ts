import { ensurePartitionsFor } from "@/lib/db/partitions";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "@/lib/db";
import { seedDemo } from "@/lib/demo/seed";
import { compareRollupsWithEvents, rebuildRollups } from "@/lib/rollups/rebuild";

// usage_rollup_hourly rebuilt from usage_events, and the consistency check other
// tests rely on, against a real PostgreSQL (one fresh database for this file).
const END = new Date("2026-11-20T00:00:00Z");
const HOUR = 3_600_000;
const pool = () => getPool();

/** The whole rollup table without ids, in a stable order. */
async function rollupRows(): Promise<unknown[]> {
  const result = await pool().query(`
    SELECT hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier::text,
           requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens,
           cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd::text, latency_ms_sum,
           retry_cost_usd::text, error_cost_usd::text
    FROM usage_rollup_hourly
    ORDER BY hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier`);
  return result.rows;
}

async function totals(): Promise<{ events: string; rollups: string }> {
  const result = await pool().query<{ events: string; rollups: string }>(`
    SELECT (SELECT coalesce(sum(cost_usd), 0) FROM usage_events)::text AS events,
           (SELECT coalesce(sum(cost_usd), 0) FROM usage_rollup_hourly)::text AS rollups`);
  return result.rows[0] ?? { events: "", rollups: "" };
}

/** An hour of the seeded window that has rollup rows, and one of its rows' ids. */
async function someRollup(offset: number): Promise<{ id: string; hour: Date }> {
  const result = await pool().query<{ id: string; hour: Date }>(
    "SELECT id::text, hour FROM usage_rollup_hourly ORDER BY hour, id OFFSET $1 LIMIT 1",
    [offset],
  );
  const row = result.rows[0];
  if (!row) throw new Error("no rollup rows");
  return row;
}

let seeded: unknown[];

beforeAll(async () => {
  await seedDemo(pool(), { days: 2, eventsPerDay: 600, seed: 5, endDate: END, workflows: false });
  seeded = await rollupRows();
});

describe("rebuildRollups", () => {
  it("recomputes exactly what the seed summed while generating", async () => {
    expect(seeded.length).toBeGreaterThan(100);
    const result = await rebuildRollups(pool());
    expect(result.rows).toBe(seeded.length);
    expect(await rollupRows()).toEqual(seeded);
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
    const t = await totals();
    expect(t.rollups).toBe(t.events);
  });

  it("finds missing, wrong and extra rollup rows, and a window rebuild repairs them", async () => {
    const missing = await someRollup(10);
    const wrong = await someRollup(400);
    await pool().query("DELETE FROM usage_rollup_hourly WHERE id = $1", [missing.id]);
    await pool().query("UPDATE usage_rollup_hourly SET cost_usd = cost_usd + 0.000000000001, requests = requests + 1 WHERE id = $1", [wrong.id]);
    await pool().query(
      `INSERT INTO usage_rollup_hourly (hour, team, provider, model, service_tier, requests)
       VALUES ($1, 'ghost', 'openai', 'gpt-4o', 'standard', 3)`,
      [new Date(END.getTime() - 5 * HOUR)],
    );

    const mismatches = await compareRollupsWithEvents(pool());
    expect(mismatches).toHaveLength(3);
    expect(mismatches.filter((m) => m.expected && !m.actual)).toHaveLength(1);
    expect(mismatches.filter((m) => !m.expected && m.actual)).toHaveLength(1);
    const changed = mismatches.find((m) => m.expected && m.actual);
    expect(BigInt(changed?.actual?.requests ?? 0) - BigInt(changed?.expected?.requests ?? 0)).toBe(1n);
    expect(mismatches.find((m) => m.team === "ghost")?.actual?.requests).toBe("3");

    // Only the damaged hours: [missing.hour + 20 min, wrong.hour + 1 min) widens to whole hours.
    await rebuildRollups(pool(), { from: new Date(missing.hour.getTime() + 20 * 60_000), to: new Date(wrong.hour.getTime() + 60_000) });
    const left = await compareRollupsWithEvents(pool());
    expect(left.map((m) => m.team)).toEqual(["ghost"]);

    await rebuildRollups(pool(), { from: new Date(END.getTime() - 5 * HOUR), to: new Date(END.getTime() - 4 * HOUR) });
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
    expect(await rollupRows()).toEqual(seeded);
  });

  it("leaves hours outside the window alone", async () => {
    const outside = await someRollup(0);
    await pool().query("UPDATE usage_rollup_hourly SET errors = errors + 7 WHERE id = $1", [outside.id]);
    await rebuildRollups(pool(), { from: new Date(outside.hour.getTime() + HOUR), to: END });
    const mismatches = await compareRollupsWithEvents(pool());
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]?.hour).toEqual(outside.hour);
    const scoped = await compareRollupsWithEvents(pool(), { from: new Date(outside.hour.getTime() + HOUR) });
    expect(scoped).toEqual([]);
    await rebuildRollups(pool(), { from: outside.hour, to: new Date(outside.hour.getTime() + 1) });
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
  });

  it("rolls untagged and unpriced events into one row per tuple, with $0 cost and an unpriced count", async () => {
    const at = new Date(END.getTime() + 2 * HOUR + 17 * 60_000);
    await ensurePartitionsFor(pool(), [at]);
    for (const [i, latency] of [120, null, 80].entries()) {
      await pool().query(
        `INSERT INTO usage_events (id, occurred_at, provider, model, input_tokens, output_tokens, latency_ms, status, attempt,
                                   pricing_state, response_cache_hit)
         VALUES ($1, $2, 'acme-ai', 'mystery-1', 100, 20, $3, $4, $5, 'unpriced', $6)`,
        [`rollup-test-${i}`, new Date(at.getTime() + i * 60_000), latency, i === 0 ? "error" : "success", i === 2 ? 2 : 1, i === 1],
      );
    }
    await rebuildRollups(pool(), { from: at, to: at });
    const rows = await pool().query(
      `SELECT hour, team, feature, requests::int, errors::int, retries::int, response_cache_hits::int, unpriced_requests::int,
              input_tokens::int, output_tokens::int, cost_usd::text, latency_ms_sum::int, retry_cost_usd::text, error_cost_usd::text
       FROM usage_rollup_hourly WHERE provider = 'acme-ai'`,
    );
    expect(rows.rows).toEqual([
      {
        hour: new Date(END.getTime() + 2 * HOUR),
        team: null,
        feature: null,
        requests: 3,
        errors: 1,
        retries: 1,
        response_cache_hits: 1,
        unpriced_requests: 3,
        input_tokens: 300,
        output_tokens: 60,
        cost_usd: "0.000000000000",
        latency_ms_sum: 200,
        // An unpriced error and an unpriced retry cost nothing known, not $0 each: they add nothing.
        retry_cost_usd: "0.000000000000",
        error_cost_usd: "0.000000000000",
      },
    ]);
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
  });

  it("uses UTC hours whatever the session time zone", async () => {
    const kolkata = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: "-c TimeZone=Asia/Kolkata", max: 2 });
    try {
      await rebuildRollups(kolkata);
      const offHour = await pool().query("SELECT 1 FROM usage_rollup_hourly WHERE hour <> date_trunc('hour', hour, 'UTC')");
      expect(offHour.rowCount).toBe(0);
      expect(await compareRollupsWithEvents(kolkata)).toEqual([]);
    } finally {
      await kolkata.end();
    }
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
  });

  it("rebuilds an empty table from nothing and rejects invalid windows", async () => {
    await pool().query("DELETE FROM usage_rollup_hourly");
    expect((await compareRollupsWithEvents(pool())).length).toBeGreaterThan(0);
    await rebuildRollups(pool());
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
    await expect(rebuildRollups(pool(), { from: new Date("nope") })).rejects.toThrow(RangeError);
  });
});
