/**
 * Ingestion throughput: several concurrent clients POST demo-like batches of 1000 events
 * to the running production server (npm start's path), then the same rows are loaded with
 * PostgreSQL COPY into a table with usage_events' indexes, in the same run, same database.
 *
 *   npm run bench:ingest -- --batches 240 --clients 4
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openDatabase } from "@/lib/db/server";
import { startApp } from "../../tests/setup/app-process";
import { describeMachine, writeBenchmarkSection } from "./machine";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "240" },
    clients: { type: "string", default: "4" },
    "batch-size": { type: "string", default: "1000" },
  },
});
const batches = Number(values.batches);
const clients = Number(values.clients);
const batchSize = Number(values["batch-size"]);
const dataDir = path.resolve(".data/bench-ingest");

// Demo-like traffic: a feature belongs to a team and mostly uses one model; popular
// features and tenants dominate (skewed picks); each batch is about a minute of calls, as
// a gateway flushing its buffer would send.
const FEATURES = [
  { feature: "ticket-triage", team: "support", models: [["anthropic", "claude-3-5-haiku"], ["openai", "gpt-4o-mini"]] },
  { feature: "reply-draft", team: "support", models: [["anthropic", "claude-sonnet-4"]] },
  { feature: "query-rewrite", team: "search", models: [["openai", "gpt-4o-mini"]] },
  { feature: "semantic-answer", team: "search", models: [["openai", "gpt-4o"], ["mistral", "mistral-large-latest"]] },
  { feature: "email-copy", team: "growth", models: [["openai", "gpt-4o"]] },
  { feature: "code-review-bot", team: "platform", models: [["anthropic", "claude-sonnet-4"], ["openai", "o3-mini"]] },
  { feature: "doc-qa", team: "platform", models: [["google", "gemini-2.0-flash"]] },
  { feature: "chat-assistant", team: "mobile", models: [["openai", "gpt-4o-mini"]] },
] as const;
const TENANTS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pre-serialised batches, so the clients only send. */
function makeBodies(runId: string): string[] {
  const random = mulberry32(7);
  const skewed = (n: number) => Math.min(n - 1, Math.floor(n * random() * random()));
  let n = 0;
  let clock = Date.UTC(2026, 9, 1, 8);
  return Array.from({ length: batches }, (_, b) => {
    const events = Array.from({ length: batchSize }, () => {
      n++;
      clock += 60_000 / batchSize;
      const use = FEATURES[skewed(FEATURES.length)] ?? FEATURES[0];
      const [provider, model] = (random() < 0.9 ? use.models[0] : (use.models.at(-1) ?? use.models[0])) as readonly [string, string];
      const input = 200 + Math.floor(random() * 8000);
      const cacheRead = random() < 0.6 ? Math.floor(input * 0.7) : 0;
      const output = 50 + Math.floor(random() * 900);
      const retry = random() < 0.03;
      return {
        id: `bench-${runId}-${n}`,
        timestamp: new Date(clock).toISOString(),
        provider,
        model,
        service_tier: "standard",
        usage: { input_tokens: input, output_tokens: output, cache_read_input_tokens: cacheRead, reasoning_output_tokens: model === "o3-mini" ? Math.floor(output / 2) : 0 },
        latency_ms: 300 + Math.floor(random() * 2000),
        status: retry ? "error" : "success",
        trace_id: `trace-${runId}-${Math.floor(n / 4)}`,
        attempt: retry ? 2 : 1,
        tags: {
          team: use.team,
          feature: use.feature,
          environment: random() < 0.95 ? "production" : "staging",
          tenant: TENANTS[skewed(TENANTS.length)] as string,
          user: `user-${Math.floor(random() * 300)}`,
          prompt_version: random() < 0.8 ? "v2" : "v1",
        },
      };
    });
    return JSON.stringify({ events, batch: b });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true });
  const app = await startApp({
    BURNRATE_DATA_DIR: dataDir,
    BURNRATE_DEMO: "0",
    BURNRATE_RATE_LIMIT_PER_SECOND: "100000",
    BURNRATE_RATE_LIMIT_BURST: "100000",
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const db = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir, attachToRunning: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const { spawnSync } = await import("node:child_process");
    const created = spawnSync(process.execPath, ["--import", "tsx", "scripts/burnrate.ts", "key", "create", "--name", "bench", "--scope", "ingest"], {
      env: { ...process.env, BURNRATE_DATA_DIR: dataDir },
      encoding: "utf8",
    });
    const key = created.stdout.trimEnd().split("\n").at(-1) ?? "";
    const machine = await describeMachine(pool);
    console.log(`Machine: ${machine}`);
    const runId = randomBytes(4).toString("hex");
    const bodies = makeBodies(runId);
    const url = `${app.baseUrl}/api/v1/events`;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

    // Warm-up: compile routes, fill caches, open pool connections.
    for (let i = 0; i < 3; i++) {
      await fetch(url, { method: "POST", headers, body: JSON.stringify({ events: [{ id: `warm-${runId}-${i}`, timestamp: "2026-10-01T00:00:00Z", provider: "openai", model: "gpt-4o-mini", usage: { input_tokens: 1, output_tokens: 1 } }] }) });
    }

    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as string;
          const t0 = process.hrtime.bigint();
          const response = await fetch(url, { method: "POST", headers, body });
          const result = (await response.json()) as { accepted?: number };
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (response.status !== 200) throw new Error(`batch answered ${response.status}: ${JSON.stringify(result).slice(0, 300)}`);
          accepted += result.accepted ?? 0;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    const rate = accepted / seconds;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`Ingest: ${accepted} events in ${seconds.toFixed(1)} s = ${Math.round(rate)} events/s; batch p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);

    // Baseline: the very same rows, as PostgreSQL renders them, COPY'd into an indexed copy of the table.
    const client = await pool.connect();
    let copyRate = 0;
    let copySeconds = 0;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of client.query(copyTo(`COPY (SELECT * FROM usage_events WHERE id LIKE 'bench-${runId}-%') TO STDOUT`))) chunks.push(chunk as Buffer);
      await client.query("CREATE TABLE baseline_events (LIKE usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
      const t0 = process.hrtime.bigint();
      await pipeline(Readable.from(chunks), client.query(copyFrom("COPY baseline_events FROM STDIN")));
      copySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      copyRate = accepted / copySeconds;
      await client.query("DROP TABLE baseline_events");
    } finally {
      client.release();
    }
    console.log(`Baseline COPY of the same ${accepted} rows: ${copySeconds.toFixed(1)} s = ${Math.round(copyRate)} rows/s`);

    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    writeBenchmarkSection(
        "ingest",
        `## Ingestion (\`npm run bench:ingest\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. The production server
(\`npm start\`, embedded PostgreSQL) and the ${clients} clients share the machine.

| what | events | seconds | events/s | batch latency |
|---|---:|---:|---:|---|
| \`POST /api/v1/events\`, ${clients} concurrent clients, ${fmt(batches)} batches of ${fmt(batchSize)} demo-like events (validated, priced exactly, deduplicated, rollups updated, committed) | ${fmt(accepted)} | ${seconds.toFixed(1)} | ${fmt(rate)} | p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms |
| baseline: \`COPY FROM STDIN\` of the same rows into a table with usage_events' indexes, same database | ${fmt(accepted)} | ${copySeconds.toFixed(1)} | ${fmt(copyRate)} | |

The API reaches ${((rate / copyRate) * 100).toFixed(0)}% of the COPY baseline (target: at least 25% and 15,000 events/s).`,
    );
  } finally {
    await pool.end();
    await db.stop();
    await app.stop("SIGTERM");
  }
}

void main();
