import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { GET as getSpend } from "@/app/api/v1/spend/route";
import type { SpendMeasures, SpendResult } from "@/lib/analytics/spend";
import { getPool } from "@/lib/db";
import { applyMigrations, MIGRATIONS_DIR } from "@/lib/db/migrate";
import { backupDatabase } from "@/lib/ops/backup";
import { restoreDatabase } from "@/lib/ops/restore";
import { insertPrice } from "@/lib/pricing/price-store";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { foldRollups } from "@/lib/rollups/fold";
import { compareRollupsWithEvents, rebuildRollups } from "@/lib/rollups/rebuild";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { read } from "../factories/users";
import { createDatabase, databaseUrl, dropDatabase } from "../setup/test-database";

/**
 * retry_cost_usd (the cost of events with attempt >= 2) and error_cost_usd (the cost of
 * events with status error) from ingestion through the hourly and daily rollups into
 * GET /api/v1/spend, on both of its paths, through re-pricing and the daily fold; and the
 * migration's backfill (and a restore's recount) of rollups written before the columns existed.
 *
 * Prices of this file's models (from 2020): $1 per million input tokens, $10 per million
 * output tokens; the `inhouse` model has none at first.
 */

const suffix = randomUUID().slice(0, 8);
const MODEL = `retry-${suffix}`;
const UNPRICED_MODEL = `retry-inhouse-${suffix}`;
const [ALPHA, BETA] = [`alpha-${suffix}`, `beta-${suffix}`];
const NOV = { from: "2026-11-01", to: "2026-12-01" };
const RATES = { inputPerMtok: "1", outputPerMtok: "10", cacheReadPerMtok: "0", cacheWritePerMtok: "0", cacheWrite1hPerMtok: "0", reasoningPerMtok: "10" };

let ingestKey: string;
let readKey: string;
const pool = () => getPool();

function event(at: string, team: string, usage: [number, number], fields: { attempt?: number; status?: "success" | "error"; model?: string } = {}) {
  const { model = MODEL, ...rest } = fields;
  return contractEvent({
    timestamp: at,
    provider: model === UNPRICED_MODEL ? "inhouse" : "openai",
    model,
    usage: { input_tokens: usage[0], output_tokens: usage[1] },
    tags: { team, feature: "answer", environment: "production" },
    ...rest,
  });
}

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  readKey = await createTestKey(["read"]);
  await insertPrice(pool(), { provider: "openai", model: MODEL, serviceTier: "standard", effectiveFrom: new Date("2020-01-01T00:00:00Z"), rates: RATES });
  const events = [
    // a1: 1000 in + 100 out = 0.002, a first attempt that worked
    event("2026-11-03T10:00:00Z", ALPHA, [1000, 100]),
    // a2: a retry that worked: 2000 in = 0.002
    event("2026-11-03T10:20:00Z", ALPHA, [2000, 0], { attempt: 2 }),
    // a3: a third attempt that failed too: 3000 in + 300 out = 0.006 (retry and error)
    event("2026-11-03T10:40:00Z", ALPHA, [3000, 300], { attempt: 3, status: "error" }),
    // a4: a first attempt that failed: 1000 in + 1 out = 0.00101
    event("2026-11-03T11:05:00Z", ALPHA, [1000, 1], { status: "error" }),
    // a5: a failed retry of a model without a price: counted, never $0
    event("2026-11-03T11:30:00Z", ALPHA, [1000, 0], { attempt: 2, status: "error", model: UNPRICED_MODEL }),
    // b1: a retry of 1 token = 0.000001; b2: 500 in = 0.0005
    event("2026-11-04T09:00:00Z", BETA, [1, 0], { attempt: 2 }),
    event("2026-11-04T09:10:00Z", BETA, [500, 0]),
    // After the window: a failed retry that must not count.
    event("2026-12-01T00:00:00Z", BETA, [1000, 0], { attempt: 2, status: "error" }),
  ];
  // Two batches, so that a3 lands on the hourly row a1 and a2 made (the upsert's UPDATE path).
  for (const batch of [events.filter((_, i) => i !== 2), events.slice(2, 3)]) {
    const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: batch } }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { accepted: number }).accepted).toBe(batch.length);
  }
});

async function spend(params: Record<string, string>): Promise<SpendResult> {
  const path = `/api/v1/spend?${new URLSearchParams(params).toString()}`;
  const { status, body } = await read<SpendResult>(await getSpend(apiRequest(path, { method: "GET", key: readKey })));
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
}

type Figures = Pick<SpendMeasures, "cost_usd" | "retries" | "retry_cost_usd" | "error_cost_usd" | "unpriced_requests" | "requests">;
const figures = (m: SpendMeasures): Figures => ({
  requests: m.requests,
  cost_usd: m.cost_usd,
  retries: m.retries,
  retry_cost_usd: m.retry_cost_usd,
  error_cost_usd: m.error_cost_usd,
  unpriced_requests: m.unpriced_requests,
});

/** By team, from the rollups (an hour-aligned window) and from the raw events (not aligned, or by user): all three identical. */
async function byTeamOnBothPaths(): Promise<{ rows: Record<string, Figures>; total: Figures }> {
  const rollups = await spend({ ...NOV, group_by: "team" });
  const events = await spend({ from: "2026-11-01T00:00:30Z", to: NOV.to, group_by: "team" });
  const users = await spend({ ...NOV, group_by: "team,user" });
  // Whole answers: every measure, not only the new ones, agrees to the last digit.
  expect(events.rows).toEqual(rollups.rows);
  expect(events.total).toEqual(rollups.total);
  expect(users.rows.map(({ user: _user, ...row }) => row)).toEqual(rollups.rows);
  expect(users.total).toEqual(rollups.total);
  return {
    rows: Object.fromEntries(rollups.rows.map((row) => [row.team ?? "", figures(row)])),
    total: figures(rollups.total),
  };
}

/** Per day and group, the daily rollups (folded and pending) against the hourly ones. */
async function dailyAgainstHourly(): Promise<{ hourly: unknown[]; daily: unknown[] }> {
  const key = "team, feature, environment, tenant, prompt_version, provider, model, service_tier";
  const sums = "sum(requests)::text AS requests, sum(cost_usd)::text AS cost, sum(retry_cost_usd)::text AS retry, sum(error_cost_usd)::text AS error";
  const hourly = await pool().query(
    `SELECT date_trunc('day', hour, 'UTC') AS day, ${key}, ${sums} FROM usage_rollup_hourly_all GROUP BY 1, ${key} ORDER BY 1, ${key}`,
  );
  const daily = await pool().query(
    `SELECT hour AS day, ${key}, ${sums} FROM usage_rollup_daily_all GROUP BY 1, ${key} HAVING sum(requests) > 0 ORDER BY 1, ${key}`,
  );
  return { hourly: hourly.rows, daily: daily.rows };
}

async function expectConsistentRollups(): Promise<void> {
  expect(await compareRollupsWithEvents(pool())).toEqual([]);
  const { hourly, daily } = await dailyAgainstHourly();
  expect(daily).toEqual(hourly);
}

describe("retry and error cost in /api/v1/spend", () => {
  it("sums the cost of retries and of errors exactly, the same on the rollup and raw-event paths", async () => {
    const { rows, total } = await byTeamOnBothPaths();
    expect(rows[ALPHA]).toEqual({
      requests: 5,
      cost_usd: "0.011010000000", // a1 + a2 + a3 + a4
      retries: 3, // a2, a3 and the unpriced a5
      retry_cost_usd: "0.008000000000", // a2 + a3
      error_cost_usd: "0.007010000000", // a3 + a4
      unpriced_requests: 1,
    });
    expect(rows[BETA]).toEqual({
      requests: 2,
      cost_usd: "0.000501000000",
      retries: 1,
      retry_cost_usd: "0.000001000000",
      error_cost_usd: "0.000000000000",
      unpriced_requests: 0,
    });
    expect(total).toEqual({
      requests: 7,
      cost_usd: "0.011511000000",
      retries: 4,
      retry_cost_usd: "0.008001000000",
      error_cost_usd: "0.007010000000",
      unpriced_requests: 1,
    });
    await expectConsistentRollups();
  });

  it("answers zero, with 12 decimals, where there was no retry and no error", async () => {
    const quiet = await spend({ from: "2026-11-04T09:05:00Z", to: "2026-11-04T10:00:00Z" });
    expect(figures(quiet.total)).toEqual({
      requests: 1,
      cost_usd: "0.000500000000",
      retries: 0,
      retry_cost_usd: "0.000000000000",
      error_cost_usd: "0.000000000000",
      unpriced_requests: 0,
    });
    const empty = await spend({ from: "2025-01-01", to: "2025-02-01", group_by: "team" });
    expect([empty.rows, empty.total.retry_cost_usd, empty.total.error_cost_usd]).toEqual([[], "0.000000000000", "0.000000000000"]);
  });

  it("follow a price change: re-priced retries and errors move their costs, hourly and daily", async () => {
    // Twice the price from 10:30 on the 3rd, inside an hour: a3 (0.012), a4 (0.00202), b1 (0.000002), b2 (0.001).
    const from = new Date("2026-11-03T10:30:00Z");
    await insertPrice(pool(), { provider: "openai", model: MODEL, serviceTier: "standard", effectiveFrom: from, rates: { ...RATES, inputPerMtok: "2", outputPerMtok: "20" } });
    const result = await repriceForNewPrice(pool(), { provider: "openai", model: MODEL, serviceTier: "standard", effectiveFrom: from });
    expect(result.updated).toBe(5); // and December's event, outside the window
    let { rows, total } = await byTeamOnBothPaths();
    expect(rows[ALPHA]).toMatchObject({ cost_usd: "0.018020000000", retry_cost_usd: "0.014000000000", error_cost_usd: "0.014020000000", unpriced_requests: 1 });
    expect(rows[BETA]).toMatchObject({ cost_usd: "0.001002000000", retry_cost_usd: "0.000002000000", error_cost_usd: "0.000000000000" });
    expect(total).toMatchObject({ cost_usd: "0.019022000000", retry_cost_usd: "0.014002000000", error_cost_usd: "0.014020000000" });
    await expectConsistentRollups();

    // A price for the unpriced model: a5, a failed retry (1000 in at $3 = 0.003), joins both.
    await insertPrice(pool(), { provider: "inhouse", model: UNPRICED_MODEL, serviceTier: "standard", effectiveFrom: new Date("2020-01-01T00:00:00Z"), rates: { ...RATES, inputPerMtok: "3" } });
    const priced = await repriceForNewPrice(pool(), { provider: "inhouse", model: UNPRICED_MODEL, serviceTier: "standard", effectiveFrom: new Date("2020-01-01T00:00:00Z") });
    expect(priced.newlyPriced).toBe(1);
    ({ rows, total } = await byTeamOnBothPaths());
    expect(rows[ALPHA]).toMatchObject({ cost_usd: "0.021020000000", retry_cost_usd: "0.017000000000", error_cost_usd: "0.017020000000", unpriced_requests: 0 });
    expect(total).toMatchObject({ cost_usd: "0.022022000000", retry_cost_usd: "0.017002000000", error_cost_usd: "0.017020000000", unpriced_requests: 0 });
    await expectConsistentRollups();
  });

  it("are unchanged by the daily fold and by a rebuild from the events", async () => {
    const before = await byTeamOnBothPaths();
    expect(Number((await pool().query<{ n: string }>("SELECT count(*)::text AS n FROM usage_rollup_daily_pending")).rows[0]?.n)).toBeGreaterThan(0);
    expect((await foldRollups(pool())).folded).toBe(true);
    expect((await pool().query("SELECT 1 FROM usage_rollup_daily_pending")).rowCount).toBe(0);
    const folded = await pool().query<{ retry: string; error: string }>(
      "SELECT sum(retry_cost_usd)::text AS retry, sum(error_cost_usd)::text AS error FROM usage_rollup_daily WHERE team = $1",
      [ALPHA],
    );
    expect(folded.rows[0]).toEqual({ retry: "0.017000000000", error: "0.017020000000" });
    expect(await byTeamOnBothPaths()).toEqual(before);
    await expectConsistentRollups();

    await rebuildRollups(pool());
    expect(await byTeamOnBothPaths()).toEqual(before);
    await expectConsistentRollups();
  });
});

// ------------------------------------------------------------------ the migration's backfill

const MIGRATION = "20261206142929_chargeback_retry_costs_digests";
const serverUrl = inject("testServerUrl");
const created: string[] = [];

afterAll(async () => {
  for (const name of created) await dropDatabase(serverUrl, name);
});

/** The migrations before MIGRATION, as a folder of their own. */
function migrationsBefore(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "burnrate-retry-migrations-"));
  cpSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), path.join(dir, "migration_lock.toml"));
  for (const entry of readdirSync(MIGRATIONS_DIR, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name < MIGRATION) cpSync(path.join(MIGRATIONS_DIR, entry.name), path.join(dir, entry.name), { recursive: true });
  }
  return dir;
}

// The hourly rollups as the previous version wrote them (rebuild.ts without the two columns).
const OLD_ROLLUP_SQL = `
INSERT INTO usage_rollup_hourly (hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier,
  requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens,
  cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests)
SELECT date_trunc('hour', occurred_at, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier,
  count(*), count(*) FILTER (WHERE status = 'error'), count(*) FILTER (WHERE attempt >= 2), count(*) FILTER (WHERE response_cache_hit),
  count(*) FILTER (WHERE pricing_state = 'unpriced'), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens),
  sum(cache_creation_input_tokens), sum(reasoning_output_tokens), coalesce(sum(cost_usd), 0), coalesce(sum(latency_ms), 0),
  coalesce(sum(reported_cost_usd), 0), count(reported_cost_usd)
FROM usage_events WHERE id = ANY($1::text[])
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ON CONFLICT (hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier) DO UPDATE SET
  requests = usage_rollup_hourly.requests + EXCLUDED.requests, errors = usage_rollup_hourly.errors + EXCLUDED.errors,
  retries = usage_rollup_hourly.retries + EXCLUDED.retries, unpriced_requests = usage_rollup_hourly.unpriced_requests + EXCLUDED.unpriced_requests,
  input_tokens = usage_rollup_hourly.input_tokens + EXCLUDED.input_tokens, output_tokens = usage_rollup_hourly.output_tokens + EXCLUDED.output_tokens,
  cost_usd = usage_rollup_hourly.cost_usd + EXCLUDED.cost_usd, latency_ms_sum = usage_rollup_hourly.latency_ms_sum + EXCLUDED.latency_ms_sum`;

// The previous version's fold of the pending deltas (lib/rollups/fold.ts without the two columns).
const OLD_MEASURES = "requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests";
const OLD_KEY = "day, team, feature, environment, tenant, prompt_version, provider, model, service_tier";
const OLD_FOLD_SQL = `
WITH moved AS (DELETE FROM usage_rollup_daily_pending RETURNING ${OLD_KEY}, ${OLD_MEASURES})
INSERT INTO usage_rollup_daily AS d (${OLD_KEY}, ${OLD_MEASURES})
SELECT ${OLD_KEY}, ${OLD_MEASURES.split(", ").map((m) => `sum(${m})`).join(", ")} FROM moved GROUP BY ${OLD_KEY}
ON CONFLICT (${OLD_KEY}) DO UPDATE SET ${OLD_MEASURES.split(", ").map((m) => `${m} = d.${m} + EXCLUDED.${m}`).join(", ")}`;

/** A database as the previous version left it: migrated up to MIGRATION, with events, hourly rollups, folded daily rows and pending deltas. */
async function previousVersionDatabase(): Promise<string> {
  const name = await createDatabase(serverUrl, "burnrate_test_retrymig");
  created.push(name);
  const url = databaseUrl(serverUrl, name);
  await applyMigrations(url, migrationsBefore());

  const old = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await old.query("SELECT burnrate_ensure_event_partitions($1, $2)", [new Date("2026-11-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z")]);
    // A priced event names its price (the costs below are made up: only their sums matter here).
    const priceId = randomUUID();
    await old.query(
      `INSERT INTO prices (id, provider, model, effective_from, input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok)
       VALUES ($1, 'openai', 'gpt-4o-mini', '2020-01-01T00:00:00Z', 1, 1, 1, 1, 1)`,
      [priceId],
    );
    // id, time, team, tokens in, attempt, status, cost (null: unpriced)
    const rows: [string, string, string | null, number, number, string, string | null][] = [
      ["m1", "2026-11-03T10:00:00Z", "alpha", 1000, 1, "success", "0.002000000000"],
      ["m2", "2026-11-03T10:20:00Z", "alpha", 2000, 2, "success", "0.004000000000"],
      ["m3", "2026-11-03T10:40:00Z", "alpha", 3000, 3, "error", "0.000000000001"],
      ["m4", "2026-11-03T23:05:00Z", null, 1000, 1, "error", "0.100000000000"],
      ["m5", "2026-11-03T23:30:00Z", null, 1000, 2, "error", null],
      ["m6", "2026-11-04T09:00:00Z", "beta", 1, 2, "success", "0.200000000000"],
      ["m7", "2026-11-04T09:10:00Z", "beta", 500, 1, "success", "0.300000000000"],
    ];
    for (const [id, at, team, input, attempt, status, cost] of rows) {
      await old.query(
        `INSERT INTO usage_events (id, occurred_at, provider, model, input_tokens, output_tokens, status, attempt, team, cost_usd, pricing_state, price_id)
         VALUES ($1, $2, 'openai', 'gpt-4o-mini', $3, 0, $4::"CallStatus", $5, $6, $7::numeric, $8::"PricingState", $9::uuid)`,
        [id, at, input, status, attempt, team, cost, cost === null ? "unpriced" : "priced", cost === null ? null : priceId],
      );
    }
    // The 3rd's rollups written and folded into daily rows; then m3 upserted onto its hour
    // and the 4th's written, left pending.
    await old.query(OLD_ROLLUP_SQL, [["m1", "m2", "m4", "m5"]]);
    await old.query(OLD_FOLD_SQL);
    await old.query(OLD_ROLLUP_SQL, [["m3", "m6", "m7"]]);
    const pending = await old.query("SELECT 1 FROM usage_rollup_daily_pending");
    expect(pending.rowCount).toBeGreaterThan(0);
  } finally {
    await old.end();
  }
  return url;
}

const EXPECTED_BY_DAY = [
  // m2 + m3 retries; m3 the error (1e-12: exact)
  { day: "2026-11-03", team: "alpha", requests: "3", cost: "0.006000000001", retry: "0.004000000001", error: "0.000000000001" },
  // m4 an error; m5 an unpriced failed retry: nothing
  { day: "2026-11-03", team: null, requests: "2", cost: "0.100000000000", retry: "0.000000000000", error: "0.100000000000" },
  { day: "2026-11-04", team: "beta", requests: "2", cost: "0.500000000000", retry: "0.200000000000", error: "0.000000000000" },
];

/** Hourly rows equal to a recount of the events; hourly, daily (with pending), and after a fold the folded daily rows: all EXPECTED_BY_DAY. */
async function expectRecounted(url: string): Promise<void> {
  const db = new pg.Pool({ connectionString: url, max: 2 });
  try {
    expect(await compareRollupsWithEvents(db)).toEqual([]);
    const byDay = async (table: string) =>
      (
        await db.query(
          `SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, team, sum(requests)::text AS requests, sum(cost_usd)::text AS cost,
                  sum(retry_cost_usd)::text AS retry, sum(error_cost_usd)::text AS error
           FROM ${table} GROUP BY 1, 2 HAVING sum(requests) > 0 ORDER BY 1, 2`,
        )
      ).rows;
    expect(await byDay("usage_rollup_hourly_all")).toEqual(EXPECTED_BY_DAY);
    expect(await byDay("usage_rollup_daily_all")).toEqual(EXPECTED_BY_DAY);
    // The new triggers carry the columns on: a fold keeps the daily rows equal to the hourly ones.
    expect((await foldRollups(db)).folded).toBe(true);
    expect(await byDay("(SELECT day AS hour, team, requests, cost_usd, retry_cost_usd, error_cost_usd FROM usage_rollup_daily) AS folded")).toEqual(EXPECTED_BY_DAY);
    expect((await db.query("SELECT 1 FROM usage_rollup_daily_pending")).rowCount).toBe(0);
  } finally {
    await db.end();
  }
}

describe("retry and error costs of usage stored before they existed", () => {
  it(`are backfilled by the migration ${MIGRATION}, hourly and daily (folded or pending) alike`, async () => {
    const url = await previousVersionDatabase();
    expect(await applyMigrations(url)).toEqual([MIGRATION, ...readdirSync(MIGRATIONS_DIR).filter((n) => n > MIGRATION && !n.includes("."))]);
    await expectRecounted(url);
  });

  it("are recounted when a backup made before them is restored", async () => {
    const source = await previousVersionDatabase();
    const workDir = mkdtempSync(path.join(os.tmpdir(), "burnrate-retry-backup-"));
    const out = path.join(workDir, "old.dump");
    await backupDatabase({ databaseUrl: source, out, backupDir: workDir, format: "burnrate" });
    const name = await createDatabase(serverUrl, "burnrate_test_retryrestore");
    created.push(name);
    const target = databaseUrl(serverUrl, name);
    const progress: string[] = [];
    const restored = await restoreDatabase({ databaseUrl: target, file: out, onProgress: (line) => progress.push(line) });
    expect(restored.migrationsApplied).toContain(MIGRATION);
    expect(progress).toContain("usage_rollup_hourly: retry and error costs recounted from the events (3 rows)");
    await expectRecounted(target);
  });
});
