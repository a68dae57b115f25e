/**
 * Query latency: GET /api/v1/spend for the common groupings, the Overview page and the pages
 * that stream (time to first byte and to full render), on a
 * production server over a large seeded database (default 10 million events, 90 days).
 * Baseline, same run and database: the same showback aggregate computed from the raw
 * usage_events table instead of the hourly rollups.
 *
 *   npm run bench:query -- [--events 10000000] [--days 90] [--samples 40]
 *
 * The seeded database under .data/bench-query is kept and reused by later runs with the
 * same size (seeding 10 million events takes a few minutes).
 */
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { openDatabase } from "@/lib/db/server";
import { applyMigrations } from "@/lib/db/migrate";
import { formatCount } from "@/lib/format";
import { addDays, utcDayKey } from "@/lib/time";
import { startApp } from "../../tests/setup/app-process";
import { describeMachine, writeBenchmarkSection } from "./machine";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    days: { type: "string", default: "90" },
    samples: { type: "string", default: "40" },
    // The pages' rows: fewer samples bound the run (the Outcomes page takes seconds at 10 M events).
    "page-samples": { type: "string" },
  },
});
const targetEvents = Number(values.events);
const days = Number(values.days);
const samples = Number(values.samples);
const pageSamples = Number(values["page-samples"] ?? values.samples);
const dataDir = path.resolve(".data/bench-query");
process.env.BURNRATE_DATA_DIR = dataDir;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function timed(run: () => Promise<void>, count: number, warmups = 3): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < warmups; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** A page's time to the first byte of its body and to the end of its (streamed) document, p50 and p95. */
async function timedPage(url: string, cookie: string, count: number, warmups = 3): Promise<{ firstByte: { p50: number; p95: number }; full: { p50: number; p95: number } }> {
  const once = async () => {
    const t0 = process.hrtime.bigint();
    const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
    if (response.status !== 200 || !response.body) throw new Error(`${url} answered ${response.status}`);
    const reader = response.body.getReader();
    await reader.read();
    const firstByte = Number(process.hrtime.bigint() - t0) / 1e6;
    while (!(await reader.read()).done) {
      // the rest of the stream: the panels as their queries answer
    }
    return { firstByte, full: Number(process.hrtime.bigint() - t0) / 1e6 };
  };
  for (let i = 0; i < warmups; i++) await once();
  const firstBytes: number[] = [];
  const fulls: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = await once();
    firstBytes.push(t.firstByte);
    fulls.push(t.full);
  }
  firstBytes.sort((a, b) => a - b);
  fulls.sort((a, b) => a - b);
  return {
    firstByte: { p50: percentile(firstBytes, 50), p95: percentile(firstBytes, 95) },
    full: { p50: percentile(fulls, 50), p95: percentile(fulls, 95) },
  };
}

async function seedIfNeeded(): Promise<{ events: number; rollups: number }> {
  const db = await openDatabase({ dataDir, attachToRunning: false });
  process.env.DATABASE_URL = db.url;
  try {
    await applyMigrations(db.url);
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    try {
      const count = async () => Number((await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM usage_events")).rows[0]?.n ?? 0);
      let events = await count();
      if (Math.abs(events - targetEvents) > targetEvents * 0.1) {
        console.log(`Seeding ${formatCount(targetEvents)} events over ${days} days (a few minutes)…`);
        await pool.query("TRUNCATE usage_events, usage_rollup_hourly, outcomes");
        const { seedDemo } = await import("@/lib/demo/seed");
        const started = Date.now();
        await seedDemo(pool, {
          workflows: false,
          days,
          eventsPerDay: Math.ceil(targetEvents / days),
          seed: 42,
          onProgress: (m) => process.stdout.write(`  ${m}\n`),
        });
        await pool.query("VACUUM ANALYZE usage_events");
        await pool.query("VACUUM ANALYZE usage_rollup_hourly");
        console.log(`Seeded in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
        events = await count();
      }
      const rollups = Number((await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM usage_rollup_hourly")).rows[0]?.n ?? 0);
      return { events, rollups };
    } finally {
      await pool.end();
    }
  } finally {
    const { disconnect } = await import("@/lib/db");
    await disconnect();
    await db.stop();
  }
}

async function main(): Promise<void> {
  const size = await seedIfNeeded();
  console.log(`Database: ${formatCount(size.events)} events, ${formatCount(size.rollups)} hourly rollup rows.`);
  const app = await startApp({
    BURNRATE_DATA_DIR: dataDir,
    BURNRATE_DEMO: "0",
    BURNRATE_RATE_LIMIT_PER_SECOND: "100000",
    BURNRATE_RATE_LIMIT_BURST: "100000",
  });
  const db = await openDatabase({ dataDir, attachToRunning: true });
  process.env.DATABASE_URL = db.url;
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const { prisma, disconnect } = await import("@/lib/db");
    const { createApiKey } = await import("@/lib/auth/api-keys");
    const { getSecret } = await import("@/lib/secrets");
    const { encodeSessionToken, sessionCookieName } = await import("@/lib/auth/session-cookie");
    const key = (await createApiKey(prisma, { name: "bench-query", scopes: ["read"] }, getSecret("apiKeyHash"))).secret;
    const finance = await prisma.user.upsert({
      where: { email: "bench-finance@example.com" },
      create: { email: "bench-finance@example.com", role: "finance" },
      update: {},
    });
    const cookie = `${sessionCookieName(false)}=${await encodeSessionToken(finance.id)}`;
    await disconnect();
    const machine = await describeMachine(pool);
    console.log(`Machine: ${machine}`);

    const now = new Date();
    const day = (offset: number) => addDays(utcDayKey(now), offset);
    const cases: Array<{ label: string; window: number; groupBy: string }> = [
      { label: "total (no grouping)", window: 30, groupBy: "" },
      { label: "team", window: 30, groupBy: "team" },
      { label: "team, feature", window: 30, groupBy: "team,feature" },
      { label: "model", window: 30, groupBy: "provider,model" },
      { label: "environment", window: 30, groupBy: "environment" },
      { label: "tenant", window: 30, groupBy: "tenant" },
      { label: "day", window: 30, groupBy: "day" },
      { label: "team, day (sparklines)", window: 30, groupBy: "team,day" },
      { label: "team", window: 90, groupBy: "team" },
      { label: "team, feature, environment, tenant, provider, model (filter options)", window: 30, groupBy: "team,feature,environment,tenant,provider,model" },
      // Any tag as a dimension: extra tags from the tag rollups (the untagged rest included).
      { label: "an extra tag (`tag.channel`)", window: 30, groupBy: "tag.channel" },
      { label: "team and an extra tag (`team,tag.region`)", window: 30, groupBy: "team,tag.region" },
      { label: "team, filtered on an extra tag (`tag.repo=web-app`)", window: 30, groupBy: "team&tag.repo=web-app" },
      { label: "an extra tag (`tag.channel`)", window: 90, groupBy: "tag.channel" },
    ];
    const rows: string[] = [];
    for (const c of cases) {
      const url = `${app.baseUrl}/api/v1/spend?from=${day(-c.window + 1)}&to=${day(1)}&group_by=${c.groupBy}`;
      let rowCount = 0;
      const stats = await timed(async () => {
        const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
        rowCount = ((await response.json()) as { rows: unknown[] }).rows.length;
      }, samples);
      console.log(`spend ${c.window}d by ${c.label}: p50 ${stats.p50.toFixed(1)} ms, p95 ${stats.p95.toFixed(1)} ms (${rowCount} rows)`);
      rows.push(`| \`/api/v1/spend\`, ${c.window} days, by ${c.label} | ${rowCount} | ${stats.p50.toFixed(1)} | ${stats.p95.toFixed(1)} |`);
    }
    // The savings advisor over 90 days (issue 18): every team, with a substitute declared for
    // the demo's gpt-4o and a deferrable feature, so all three kinds are priced. Target: p95 < 300 ms.
    await pool.query(
      `INSERT INTO savings_substitutes (id, from_provider, from_model, to_provider, to_model, note)
       VALUES (gen_random_uuid(), 'openai', 'gpt-4o', 'openai', 'gpt-4o-mini', 'bench') ON CONFLICT DO NOTHING`,
    );
    await pool.query(
      `INSERT INTO deferrable_features (id, team, feature)
       SELECT gen_random_uuid(), team, feature FROM usage_rollup_daily WHERE team IS NOT NULL AND feature IS NOT NULL
       GROUP BY team, feature ORDER BY sum(requests) DESC LIMIT 3 ON CONFLICT DO NOTHING`,
    );
    let opportunities = 0;
    const savingsStats = await timed(async () => {
      const response = await fetch(`${app.baseUrl}/api/v1/savings?from=${day(-89)}&to=${day(1)}`, { headers: { authorization: `Bearer ${key}` } });
      if (response.status !== 200) throw new Error(`savings answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      opportunities = ((await response.json()) as { opportunities: unknown[] }).opportunities.length;
    }, samples);
    console.log(`savings 90d: p50 ${savingsStats.p50.toFixed(1)} ms, p95 ${savingsStats.p95.toFixed(1)} ms (${opportunities} opportunities)`);
    rows.push(`| \`/api/v1/savings\`, 90 days, every team (model swap, batch tier, prompt caching) | ${opportunities} | ${savingsStats.p50.toFixed(1)} | ${savingsStats.p95.toFixed(1)} |`);

    const overview = await timed(async () => {
      const response = await fetch(`${app.baseUrl}/`, { headers: { cookie } });
      if (response.status !== 200) throw new Error(`Overview answered ${response.status}`);
      await response.text();
    }, samples);
    console.log(`Overview page (server-rendered, finance): p50 ${overview.p50.toFixed(1)} ms, p95 ${overview.p95.toFixed(1)} ms`);
    rows.push(`| Overview page \`GET /\` (finance session, server-rendered HTML with all its queries) | – | ${overview.p50.toFixed(1)} | ${overview.p95.toFixed(1)} |`);

    // The pages that prefetch on the server and stream each panel inside its own <Suspense>:
    // time to the first byte of the body (the shell, skeletons in place) and to the end of
    // the document (every panel's figures in the HTML). A team with usage for the team page.
    const [team] = (await pool.query<{ team: string }>("SELECT team FROM usage_rollup_hourly WHERE team IS NOT NULL GROUP BY team ORDER BY sum(requests) DESC LIMIT 1")).rows;
    const pages = ["/showback", "/cache", "/outcomes", "/budgets", "/quotas", "/alerts", ...(team ? [`/teams/${encodeURIComponent(team.team)}`] : [])];
    for (const pagePath of pages) {
      const stats = await timedPage(`${app.baseUrl}${pagePath}`, cookie, pageSamples);
      console.log(
        `${pagePath} (finance): first byte p50 ${stats.firstByte.p50.toFixed(1)} ms, p95 ${stats.firstByte.p95.toFixed(1)} ms; full render p50 ${stats.full.p50.toFixed(1)} ms, p95 ${stats.full.p95.toFixed(1)} ms`,
      );
      rows.push(`| \`GET ${pagePath}\` page (finance session): time to first byte | – | ${stats.firstByte.p50.toFixed(1)} | ${stats.firstByte.p95.toFixed(1)} |`);
      rows.push(`| \`GET ${pagePath}\` page (finance session): full render, every panel streamed | – | ${stats.full.p50.toFixed(1)} | ${stats.full.p95.toFixed(1)} |`);
    }

    // Baseline: showback by team over 30 days straight from the raw events.
    const baseline = await timed(async () => {
      await pool.query(
        `SELECT team, sum(cost_usd), count(*), sum(input_tokens), sum(output_tokens) FROM usage_events
         WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz GROUP BY team`,
        [`${day(-29)}T00:00:00Z`, `${day(1)}T00:00:00Z`],
      );
    }, 5, 1);
    console.log(`Baseline, same aggregate from raw usage_events: p50 ${baseline.p50.toFixed(0)} ms`);
    rows.push(`| baseline: showback by team, 30 days, straight from raw \`usage_events\` (SQL only, no HTTP) | – | ${baseline.p50.toFixed(1)} | ${baseline.p95.toFixed(1)} |`);

    writeBenchmarkSection(
        "query",
        `## Showback queries (\`npm run bench:query\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. Production server (\`npm start\`,
embedded PostgreSQL) over ${formatCount(size.events)} demo events in ${days} days
(${formatCount(size.rollups)} hourly rollup rows); ${samples} sequential requests per API row and
${pageSamples} per page row, after 3 warm-ups, with a read-scoped API key. Target: p95 under 200 ms. Whole UTC days are read from the daily
rollups and partial days from the hourly ones (lib/db/rollup-sql.ts); an extra tag (\`tag.<key>\`) from
the tag rollups (lib/db/tag-rollup-sql.ts), target p95 under 100 ms.

| what | rows | p50 ms | p95 ms |
|---|---:|---:|---:|
${rows.join("\n")}`,
    );
  } finally {
    await pool.end();
    await db.stop();
    await app.stop("SIGTERM");
  }
}

void main();
