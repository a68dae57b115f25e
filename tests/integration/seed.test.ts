import { beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { getPool } from "@/lib/db";
import { TEAMS } from "@/lib/demo/company";
import { hasUsageData, seedDemo, type SeedSummary } from "@/lib/demo/seed";
import { formatUsd } from "@/lib/money";
import { computeCost } from "@/lib/pricing/compute-cost";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";

// The demo seed against a real, freshly migrated PostgreSQL (one database for this file).
const END = new Date("2026-11-20T00:00:00Z");
const DAY = 86_400_000;
const pool = () => getPool();

async function one<T>(sql: string, values: unknown[] = []): Promise<T> {
  const result = await pool().query(sql, values);
  return result.rows[0] as T;
}

async function counts(): Promise<{ events: number; outcomes: number; rollups: number; users: number; teams: number; prices: number }> {
  const row = await one<Record<string, string>>(`SELECT
      (SELECT count(*) FROM usage_events) AS events, (SELECT count(*) FROM outcomes) AS outcomes,
      (SELECT count(*) FROM usage_rollup_hourly) AS rollups, (SELECT count(*) FROM users) AS users,
      (SELECT count(*) FROM teams) AS teams, (SELECT count(*) FROM prices) AS prices`);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])) as Awaited<ReturnType<typeof counts>>;
}

/** Indexes and key constraints of the tables the seed bulk-loads, as PostgreSQL defines them. */
async function schemaObjects(): Promise<string[]> {
  const result = await pool().query<{ def: string }>(`
    SELECT indexdef AS def FROM pg_indexes WHERE tablename IN ('usage_events', 'outcomes', 'usage_rollup_hourly')
    UNION ALL
    SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid IN ('usage_events'::regclass, 'outcomes'::regclass, 'usage_rollup_hourly'::regclass)
    ORDER BY 1`);
  return result.rows.map((row) => row.def);
}

let summary: SeedSummary;
let schemaBefore: string[];
const progress: string[] = [];

beforeAll(async () => {
  expect(await hasUsageData(pool())).toBe(false);
  schemaBefore = await schemaObjects();
  summary = await seedDemo(pool(), { days: 3, eventsPerDay: 500, seed: 42, endDate: END, onProgress: (m) => progress.push(m) });
});

describe("seedDemo", () => {
  it("loads about days x eventsPerDay events, their outcomes and the teams, and says so", async () => {
    const c = await counts();
    expect(c.events).toBe(summary.events);
    expect(c.outcomes).toBe(summary.outcomes);
    expect(summary.events).toBeGreaterThan(1500 * 0.8);
    expect(summary.events).toBeLessThan(1500 * 1.2);
    expect(summary.outcomes).toBeGreaterThan(0);
    expect(summary.teams).toBe(6);
    const teams = await pool().query<{ slug: string }>("SELECT slug FROM teams ORDER BY slug");
    expect(teams.rows.map((t) => t.slug)).toEqual(TEAMS.map((t) => t.slug).sort());
    expect(progress.some((m) => m.includes("100%"))).toBe(true);
    expect(await hasUsageData(pool())).toBe(true);
  });

  it("keeps every event inside [endDate - days, endDate)", async () => {
    const row = await one<{ first: Date; last: Date }>("SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM usage_events");
    expect(row.first.getTime()).toBeGreaterThanOrEqual(END.getTime() - 3 * DAY);
    expect(row.last.getTime()).toBeLessThan(END.getTime());
  });

  it("stores the unpriced model with a NULL cost, never as $0", async () => {
    const unpriced = await pool().query<{ provider: string; model: string; cost_usd: string | null; price_id: string | null }>(
      "SELECT provider, model, cost_usd, price_id FROM usage_events WHERE pricing_state = 'unpriced'",
    );
    expect(unpriced.rows.length).toBeGreaterThan(0);
    expect(unpriced.rows.every((r) => r.cost_usd === null && r.price_id === null)).toBe(true);
    expect(new Set(unpriced.rows.map((r) => `${r.provider}/${r.model}`))).toEqual(new Set(["self-hosted/acme-copy-llama-ft-v3"]));
    const priced = await one<{ n: string }>("SELECT count(*) AS n FROM usage_events WHERE pricing_state = 'priced' AND (cost_usd IS NULL OR price_id IS NULL)");
    expect(priced.n).toBe("0");
  });

  it("prices every event exactly as computeCost does, with the entry for its model and tier", async () => {
    const rows = await pool().query<Record<string, string | number>>(`
      SELECT e.input_tokens, e.output_tokens, e.cache_read_input_tokens, e.cache_creation_input_tokens,
             e.reasoning_output_tokens, e.cost_usd::text AS cost, e.service_tier::text AS event_tier,
             p.service_tier::text AS price_tier, p.provider = e.provider AND p.model = e.model AS same_model,
             p.input_per_mtok::text AS i, p.output_per_mtok::text AS o, p.cache_read_per_mtok::text AS cr,
             p.cache_write_per_mtok::text AS cw, p.reasoning_per_mtok::text AS r
      FROM usage_events e JOIN prices p ON p.id = e.price_id`);
    expect(rows.rows.length).toBeGreaterThan(summary.events * 0.9);
    for (const row of rows.rows) {
      expect(row.same_model).toBe(true);
      expect(row.price_tier).toBe(row.event_tier);
      const cost = computeCost(
        {
          inputTokens: Number(row.input_tokens),
          outputTokens: Number(row.output_tokens),
          cacheReadInputTokens: Number(row.cache_read_input_tokens),
          cacheCreationInputTokens: Number(row.cache_creation_input_tokens),
          reasoningOutputTokens: Number(row.reasoning_output_tokens),
        },
        { inputPerMtok: String(row.i), outputPerMtok: String(row.o), cacheReadPerMtok: String(row.cr), cacheWritePerMtok: String(row.cw), cacheWrite1hPerMtok: String(row.cw), reasoningPerMtok: String(row.r) },
      );
      expect(row.cost).toBe(formatUsd(cost));
    }
  });

  it("builds hourly rollups that agree with the events, to the last digit of cost", async () => {
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
    const totals = await one<{ events_cost: string; rollup_cost: string; events: string; requests: string; unpriced: string }>(`
      SELECT (SELECT sum(cost_usd) FROM usage_events)::text AS events_cost,
             (SELECT sum(cost_usd) FROM usage_rollup_hourly)::text AS rollup_cost,
             (SELECT count(*) FROM usage_events)::text AS events,
             (SELECT sum(requests) FROM usage_rollup_hourly)::text AS requests,
             (SELECT sum(unpriced_requests) FROM usage_rollup_hourly)::text AS unpriced`);
    expect(totals.rollup_cost).toBe(totals.events_cost);
    expect(totals.requests).toBe(totals.events);
    expect(Number(totals.unpriced)).toBeGreaterThan(0);
  });

  it("links every outcome to a trace that made model calls", async () => {
    const orphan = await one<{ n: string }>(
      "SELECT count(*) AS n FROM outcomes o WHERE NOT EXISTS (SELECT 1 FROM usage_events e WHERE e.trace_id = o.trace_id)",
    );
    expect(orphan.n).toBe("0");
    const types = await pool().query<{ type: string; rate: number }>(
      "SELECT type, avg(success::int)::float AS rate FROM outcomes GROUP BY type ORDER BY type",
    );
    expect(types.rows.map((t) => t.type)).toEqual(["answer_accepted", "suggestion_applied", "ticket_resolved"]);
  });

  it("puts a sourced price catalog in place, batch at half price", async () => {
    const prices = await pool().query<{ provider: string; model: string; service_tier: string; input: string; source: string; source_date: string }>(
      "SELECT provider, model, service_tier::text, input_per_mtok::text AS input, source, to_char(source_date, 'YYYY-MM-DD') AS source_date FROM prices",
    );
    expect(prices.rows.length).toBeGreaterThanOrEqual(9);
    expect(prices.rows.every((p) => p.source.startsWith("https://") && p.source_date === "2026-11-01")).toBe(true);
    const mini = (tier: string) => prices.rows.find((p) => p.model === "gpt-4o-mini" && p.service_tier === tier)?.input;
    expect(Number(mini("batch")) * 2).toBe(Number(mini("standard")));
    expect(prices.rows.some((p) => p.provider === "self-hosted")).toBe(false);
  });

  it("creates the demo accounts with their roles, memberships and password", async () => {
    const users = await pool().query<{ email: string; role: string; password_hash: string }>(
      "SELECT email, role::text, password_hash FROM users ORDER BY email",
    );
    expect(users.rows.map((u) => [u.email, u.role])).toEqual([
      ["admin@example.com", "admin"],
      ["finance@example.com", "finance"],
      ["lead@example.com", "team_lead"],
      ["viewer@example.com", "viewer"],
    ]);
    expect(await verifyPassword("burnrate-demo", users.rows[0]?.password_hash ?? "")).toBe(true);
    const memberships = await pool().query<{ email: string; slug: string; role: string }>(`
      SELECT u.email, t.slug, m.role::text FROM team_memberships m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id
      ORDER BY 1, 2`);
    expect(memberships.rows.map((m) => `${m.email} ${m.slug} ${m.role}`)).toEqual([
      "lead@example.com search lead",
      "lead@example.com support lead",
      "viewer@example.com support member",
    ]);
  });

  it("restores every index and constraint it set aside for the bulk load", async () => {
    expect(await schemaObjects()).toEqual(schemaBefore);
  });

  it("refuses to load the same seed twice and changes nothing", async () => {
    const before = await counts();
    await expect(seedDemo(pool(), { days: 3, eventsPerDay: 500, seed: 42, endDate: END })).rejects.toThrow(/already exist/);
    expect(await counts()).toEqual(before);
    expect(await schemaObjects()).toEqual(schemaBefore);
  });

  it("adds another seed's data on top, keeping rollups consistent and reference data single", async () => {
    const before = await counts();
    const second = await seedDemo(pool(), { days: 2, eventsPerDay: 300, seed: 43, endDate: END });
    const after = await counts();
    expect(after.events).toBe(before.events + second.events);
    expect(after.outcomes).toBe(before.outcomes + second.outcomes);
    expect([after.users, after.teams, after.prices]).toEqual([before.users, before.teams, before.prices]);
    expect(await compareRollupsWithEvents(pool())).toEqual([]);
    expect(await schemaObjects()).toEqual(schemaBefore);
  });
});
