/**
 * Seeding throughput: the demo generator (rows generated, priced exactly and streamed
 * with COPY, then rollups and outcomes) against a baseline measured in the same run on
 * the same database: PostgreSQL COPY of the very same rows from memory, nothing else.
 *
 *   npm run bench -- --days 90 --events-per-day 20000
 */
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openDatabase } from "@/lib/db/server";
import { applyMigrations } from "@/lib/db/migrate";
import { seedDemo } from "@/lib/demo/seed";
import { formatCount } from "@/lib/format";
import { describeMachine, writeBenchmarkSection } from "./machine";

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

interface Baseline {
  rows: number;
  seconds: number;
}

/**
 * The same rows the generator wrote, rendered by PostgreSQL itself and held in memory,
 * COPY'd into a fresh table twice: bare (the ceiling: what COPY alone costs) and with
 * usage_events' indexes in place (what a plain bulk load into the live table costs).
 */
async function copyBaselines(pool: pg.Pool): Promise<{ bare: Baseline; indexed: Baseline }> {
  const client = await pool.connect();
  try {
    const chunks: Buffer[] = [];
    const out = client.query(copyTo(`COPY (SELECT * FROM usage_events LIMIT ${baselineRows}) TO STDOUT`));
    for await (const chunk of out) chunks.push(chunk as Buffer);
    const load = async (table: string, like: string): Promise<Baseline> => {
      await client.query(`CREATE TABLE ${table} (LIKE usage_events ${like})`);
      const started = process.hrtime.bigint();
      await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} FROM STDIN`)));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      await client.query(`DROP TABLE ${table}`);
      return { rows: Number(counted.rows[0]?.n), seconds };
    };
    const bare = await load("baseline_bare", "INCLUDING DEFAULTS");
    const indexed = await load("baseline_indexed", "INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES");
    return { bare, indexed };
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
    const summary = await seedDemo(pool, { days, eventsPerDay, seed: 7, workflows: false, onProgress: (m) => console.log(`  ${m}`) });
    const seedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const seedRate = summary.events / seedSeconds;
    console.log(`Seed: ${summary.events} events in ${seedSeconds.toFixed(1)} s = ${Math.round(seedRate)} events/s (incl. rollups and outcomes)`);

    const { bare, indexed } = await copyBaselines(pool);
    const rate = (b: Baseline) => b.rows / b.seconds;
    console.log(`Baseline COPY, bare table: ${bare.rows} rows in ${bare.seconds.toFixed(2)} s = ${Math.round(rate(bare))} rows/s`);
    console.log(`Baseline COPY, indexed table: ${indexed.rows} rows in ${indexed.seconds.toFixed(2)} s = ${Math.round(rate(indexed))} rows/s`);

    writeBenchmarkSection(
      "seed",
        `## Demo data generator (\`npm run bench:seed\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.

| what | rows | seconds | rows/s |
|---|---:|---:|---:|
| \`seedDemo\`: ${days} days × ${formatCount(eventsPerDay)} events/day, generated, priced exactly, COPY'd, plus hourly rollups and outcomes | ${formatCount(summary.events)} | ${seedSeconds.toFixed(1)} | ${formatCount(seedRate)} |
| baseline: \`COPY FROM STDIN\` of the same rows (pre-rendered in memory) into a bare table, same database | ${formatCount(bare.rows)} | ${bare.seconds.toFixed(2)} | ${formatCount(rate(bare))} |
| baseline: the same COPY into a table with usage_events' indexes and constraints | ${formatCount(indexed.rows)} | ${indexed.seconds.toFixed(2)} | ${formatCount(rate(indexed))} |

End to end (generation, exact pricing, index builds, rollups, outcomes, commit) the generator runs at ${((seedRate / rate(bare)) * 100).toFixed(0)}% of bare COPY and ${((seedRate / rate(indexed)) * 100).toFixed(0)}% of COPY into the indexed table; 10 million events take about ${Math.round(10_000_000 / seedRate / 60)} minutes.`,
    );
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await server.stop();
  }
}

void main();
