/**
 * Seeding throughput: the demo generator (rows generated, priced exactly and streamed
 * with COPY, then rollups and outcomes) against a baseline measured in the same run on
 * the same database: PostgreSQL COPY of the very same rows from memory, nothing else.
 *
 *   npm run bench -- --days 90 --events-per-day 20000
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openDatabase } from "@/lib/db/server";
import { applyMigrations } from "@/lib/db/migrate";
import { seedDemo } from "@/lib/demo/seed";
import { describeMachine, replaceSection } from "./machine";

const { values } = parseArgs({
  options: {
    days: { type: "string", default: "90" },
    "events-per-day": { type: "string", default: "20000" },
    "baseline-rows": { type: "string", default: "500000" },
  },
});
const days = Number(values.days);
const eventsPerDay = Number(values["events-per-day"]);
const baselineRows = Number(values["baseline-rows"]);

async function copyBaseline(pool: pg.Pool): Promise<{ rows: number; seconds: number }> {
  const client = await pool.connect();
  try {
    // The same rows the generator wrote, rendered by PostgreSQL itself, held in memory.
    const chunks: Buffer[] = [];
    const out = client.query(copyTo(`COPY (SELECT * FROM usage_events LIMIT ${baselineRows}) TO STDOUT`));
    for await (const chunk of out) chunks.push(chunk as Buffer);
    await client.query("CREATE TEMP TABLE baseline_events (LIKE usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
    const started = process.hrtime.bigint();
    await pipeline(Readable.from(chunks), client.query(copyFrom("COPY baseline_events FROM STDIN")));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const counted = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM baseline_events");
    return { rows: Number(counted.rows[0]?.n), seconds };
  } finally {
    client.release();
  }
}

async function main(): Promise<void> {
  const server = await openDatabase({
    databaseUrl: process.env.DATABASE_URL,
    dataDir: path.resolve(".data/bench"),
    attachToRunning: false,
  });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const name = `burnrate_bench_${Date.now()}`;
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  try {
    await applyMigrations(url.toString());
    const machine = await describeMachine(pool);
    console.log(`Machine: ${machine}`);

    const started = process.hrtime.bigint();
    const summary = await seedDemo(pool, { days, eventsPerDay, seed: 7, onProgress: (m) => console.log(`  ${m}`) });
    const seedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const seedRate = summary.events / seedSeconds;
    console.log(`Seed: ${summary.events} events in ${seedSeconds.toFixed(1)} s = ${Math.round(seedRate)} events/s (incl. rollups and outcomes)`);

    const baseline = await copyBaseline(pool);
    const baselineRate = baseline.rows / baseline.seconds;
    console.log(`Baseline COPY of ${baseline.rows} of the same rows: ${baseline.seconds.toFixed(2)} s = ${Math.round(baselineRate)} rows/s`);

    const file = path.resolve("docs/BENCHMARKS.md");
    const document = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    writeFileSync(
      file,
      replaceSection(
        document,
        "seed",
        `## Demo data generator (\`npm run bench:seed\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.

| what | rows | seconds | rows/s |
|---|---:|---:|---:|
| \`seedDemo\`: ${days} days × ${fmt(eventsPerDay)} events/day, generated, priced exactly, COPY'd, plus hourly rollups and outcomes | ${fmt(summary.events)} | ${seedSeconds.toFixed(1)} | ${fmt(seedRate)} |
| baseline: PostgreSQL \`COPY FROM STDIN\` of ${fmt(baseline.rows)} of the same rows, pre-rendered in memory, same database | ${fmt(baseline.rows)} | ${baseline.seconds.toFixed(2)} | ${fmt(baselineRate)} |

The generator reaches ${((seedRate / baselineRate) * 100).toFixed(0)}% of raw COPY speed end to end; 10 million events take about ${Math.round(10_000_000 / seedRate / 60)} minutes.`,
      ),
    );
    console.log("Wrote docs/BENCHMARKS.md");
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await server.stop();
  }
}

void main();
