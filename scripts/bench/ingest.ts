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
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { Pool } from "undici";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openDatabase } from "@/lib/db/server";
import { encodeTraceRequest } from "@/lib/ingestion/otlp-protobuf";
import { formatCount } from "@/lib/format";
import { startApp } from "../../tests/setup/app-process";
import { describeMachine, writeBenchmarkSection } from "./machine";
import { makeBodies } from "./ingest-traffic";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "240" },
    clients: { type: "string", default: "4" },
    "batch-size": { type: "string", default: "1000" },
    "litellm-batches": { type: "string", default: "48" },
    // Only the events phase and its baselines, nothing recorded: for profiling the server
    // (BURNRATE_APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" starts it with V8's profiler).
    "events-only": { type: "boolean", default: false },
  },
});
const batches = Number(values.batches);
const clients = Number(values.clients);
const batchSize = Number(values["batch-size"]);
const litellmBatches = Number(values["litellm-batches"]);
const dataDir = path.resolve(".data/bench-ingest");

type BenchEvent = {
  id: string;
  timestamp: string;
  provider: string;
  model: string;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; reasoning_output_tokens: number };
  latency_ms: number;
  status: string;
  tags: Record<string, string>;
};

/**
 * The same demo-like calls as OTLP spans in protobuf, gzip-compressed, as the Collector's otlphttp
 * exporter sends them: one span per call with the current GenAI conventions and burnrate.* tags.
 */
function otlpBodies(jsonBodies: string[], runId: string): Buffer[] {
  return jsonBodies.map((body, b) => {
    const events = (JSON.parse(body) as { events: BenchEvent[] }).events;
    const traceId = (i: number) => (runId + String(b).padStart(8, "0") + String(i).padStart(16, "0")).slice(0, 32);
    const spans = events.map((event, i) => {
      const start = BigInt(Date.parse(event.timestamp)) * 1_000_000n;
      const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
      const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
      return {
        traceId: traceId(i),
        spanId: (i + 1).toString(16).padStart(16, "0"),
        name: `chat ${event.model}`,
        kind: 3,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + BigInt(event.latency_ms) * 1_000_000n),
        attributes: [
          str("gen_ai.operation.name", "chat"),
          str("gen_ai.provider.name", event.provider),
          str("gen_ai.request.model", event.model),
          int("gen_ai.usage.input_tokens", event.usage.input_tokens),
          int("gen_ai.usage.output_tokens", event.usage.output_tokens),
          int("gen_ai.usage.cache_read.input_tokens", event.usage.cache_read_input_tokens),
          int("gen_ai.usage.reasoning.output_tokens", event.usage.reasoning_output_tokens),
          ...Object.entries(event.tags).map(([key, value]) => str(`burnrate.${key}`, value)),
        ],
        status: { code: event.status === "error" ? 2 : 1 },
      };
    });
    return gzipSync(encodeTraceRequest({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: "bench" }, spans }] }] }));
  });
}

// 200 KB of chat transcript per payload: what a LiteLLM proxy logs for a long conversation.
const TRANSCRIPT = JSON.stringify(
  Array.from({ length: 100 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `turn ${i}: ${"lorem ipsum dolor sit amet ".repeat(74)}` })),
);

/** One LiteLLM generic_api batch (json_array) of `size` StandardLoggingPayloads, built when sent. */
function litellmBody(runId: string, batch: number, size: number): string {
  const template = JSON.parse(readFileSync("tests/fixtures/litellm/openai-chat.json", "utf8")) as { payload: Record<string, unknown> };
  const { messages: _m, response: _r, ...rest } = template.payload;
  const parts: string[] = [];
  for (let i = 0; i < size; i++) {
    const payload = { ...rest, id: `bench-litellm-${runId}-${batch}-${i}`, startTime: 1_790_000_000 + batch * 60 + i / 10, endTime: 1_790_000_001 + batch * 60 + i / 10 };
    parts.push(`${JSON.stringify(payload).slice(0, -1)},"messages":${TRANSCRIPT},"response":{"choices":[]}}`);
  }
  return `[${parts.join(",")}]`;
}

/** Resident set size of a process, from /proc (Linux), in bytes. */
function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) * 1024 : 0;
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** The PostgreSQL server's processes: the postmaster and its children (backends, WAL writer, checkpointer…). */
function postgresPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.split(" ")[1]);
      if (parent === postmaster) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

interface CpuSplit {
  server: number;
  postgres: number;
  clients: number;
}

/** CPU seconds so far of the app, PostgreSQL (processes that ended meanwhile are missed: none do here) and this process. */
function cpuSplit(appPid: number, postmaster: number): CpuSplit {
  return {
    server: cpuSeconds(appPid),
    postgres: postgresPids(postmaster).reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    clients: cpuSeconds(process.pid),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

interface DriveResult {
  accepted: number;
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * `clients` concurrent senders through `count` bodies over one keep-alive connection each;
 * every answer must be a 200. undici's request API, not fetch: on this 2-core machine the
 * client shares the CPU with the server, and fetch spends ~3x the CPU per 20 MB upload.
 */
async function drive(count: number, body: (i: number) => string | Buffer, url: string, headers: Record<string, string>): Promise<DriveResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: clients, pipelining: 1 });
  const latencies: number[] = [];
  let accepted = 0;
  let next = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < count) {
          const payload = body(next++);
          const t0 = process.hrtime.bigint();
          const response = await pool.request({ method: "POST", path: target.pathname, headers, body: payload });
          const text = await response.body.text();
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${text.slice(0, 300)}`);
          const json = String(response.headers["content-type"] ?? "").includes("json");
          accepted += json ? ((JSON.parse(text) as { accepted?: number }).accepted ?? 0) : 0;
        }
      }),
    );
  } finally {
    await pool.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  return { accepted, seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
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
    const created = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", "key", "create", "--name", "bench", "--scope", "ingest"], {
      env: { ...process.env, BURNRATE_DATA_DIR: dataDir },
      encoding: "utf8",
    });
    const key = created.stdout.trimEnd().split("\n").at(-1) ?? "";
    const machine = await describeMachine(pool);
    console.log(`Machine: ${machine}`);
    const runId = randomBytes(4).toString("hex");
    const bodies = makeBodies(runId, batches, batchSize);
    const url = `${app.baseUrl}/api/v1/events`;
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

    // Warm-up: compile routes, fill caches, open pool connections.
    for (let i = 0; i < 3; i++) {
      await fetch(url, { method: "POST", headers, body: JSON.stringify({ events: [{ id: `warm-${runId}-${i}`, timestamp: "2026-10-01T00:00:00Z", provider: "openai", model: "gpt-4o-mini", usage: { input_tokens: 1, output_tokens: 1 } }] }) });
    }

    // CPU per batch of the server, PostgreSQL (embedded: its processes are on this machine) and the clients.
    const pidFile = path.join(dataDir, "pg", "postmaster.pid");
    const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : null;
    const cpuBefore = postmaster ? cpuSplit(app.child.pid ?? 0, postmaster) : null;
    const events = await drive(bodies.length, (i) => bodies[i] as string, url, headers);
    const cpuAfter = postmaster ? cpuSplit(app.child.pid ?? 0, postmaster) : null;
    const cpuPerBatch = (key: keyof CpuSplit) => (cpuAfter && cpuBefore ? ((cpuAfter[key] - cpuBefore[key]) / batches) * 1000 : Number.NaN);
    const cpuLine = `the server ${cpuPerBatch("server").toFixed(1)} ms, PostgreSQL ${cpuPerBatch("postgres").toFixed(1)} ms, the clients ${cpuPerBatch("clients").toFixed(1)} ms`;
    console.log(`CPU per batch of ${batchSize}: ${cpuLine}`);
    const { accepted, seconds, p50, p99 } = events;
    const rate = accepted / seconds;
    console.log(`Ingest: ${accepted} events in ${seconds.toFixed(1)} s = ${Math.round(rate)} events/s; batch p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);

    // Baseline: the very same rows, as PostgreSQL renders them, COPY'd into an indexed copy of the table.
    const client = await pool.connect();
    let copyRate = 0;
    let copySeconds = 0;
    let pkCopyRate = 0;
    let pkCopySeconds = 0;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of client.query(copyTo(`COPY (SELECT * FROM usage_events WHERE id LIKE 'bench-${runId}-%') TO STDOUT`))) chunks.push(chunk as Buffer);
      await client.query("CREATE TABLE baseline_events (LIKE usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)");
      const t0 = process.hrtime.bigint();
      await pipeline(Readable.from(chunks), client.query(copyFrom("COPY baseline_events FROM STDIN")));
      copySeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      copyRate = accepted / copySeconds;
      await client.query("DROP TABLE baseline_events");
      // And into a table with only a primary key: the physical limit of writing these rows.
      await client.query("CREATE TABLE baseline_events_pk (LIKE usage_events INCLUDING DEFAULTS, PRIMARY KEY (id))");
      const t1 = process.hrtime.bigint();
      await pipeline(Readable.from(chunks), client.query(copyFrom("COPY baseline_events_pk FROM STDIN")));
      pkCopySeconds = Number(process.hrtime.bigint() - t1) / 1e9;
      pkCopyRate = accepted / pkCopySeconds;
      await client.query("DROP TABLE baseline_events_pk");
    } finally {
      client.release();
    }
    console.log(`Baseline COPY of the same ${accepted} rows: ${copySeconds.toFixed(1)} s = ${Math.round(copyRate)} rows/s`);
    console.log(`Baseline COPY into a primary-key-only table: ${pkCopySeconds.toFixed(1)} s = ${Math.round(pkCopyRate)} rows/s`);
    console.log(`The API: ${((rate / copyRate) * 100).toFixed(1)}% of the indexed COPY, ${((rate / pkCopyRate) * 100).toFixed(1)}% of the primary-key-only COPY`);

    if (values["events-only"]) return;

    // OTLP: the same calls as protobuf spans, gzip-compressed (new ids: a fresh run id).
    const otlpRun = randomBytes(4).toString("hex");
    const protobufBodies = otlpBodies(makeBodies(otlpRun, batches, batchSize), otlpRun);
    const otlpUrl = `${app.baseUrl}/api/v1/otlp/v1/traces`;
    const otlpHeaders = { authorization: `Bearer ${key}`, "content-type": "application/x-protobuf", "content-encoding": "gzip" };
    const otlp = await drive(protobufBodies.length, (i) => protobufBodies[i] as Buffer, otlpUrl, otlpHeaders);
    const otlpStored = await pool.query<{ n: string }>("SELECT count(*)::text AS n FROM usage_events WHERE trace_id LIKE $1", [`${otlpRun}%`]);
    const otlpSpans = Number(otlpStored.rows[0]?.n ?? 0);
    if (otlpSpans !== accepted) throw new Error(`OTLP stored ${otlpSpans} of ${accepted} spans`);
    const otlpRate = otlpSpans / otlp.seconds;
    const otlpWire = protobufBodies.reduce((n, b) => n + b.length, 0) / protobufBodies.length;
    console.log(`OTLP protobuf+gzip: ${otlpSpans} spans in ${otlp.seconds.toFixed(1)} s = ${Math.round(otlpRate)} spans/s (${((otlpRate / rate) * 100).toFixed(0)}% of the events path); ${Math.round(otlpWire / 1024)} KB per batch on the wire`);

    // LiteLLM: batches of 100 payloads with 200 KB of messages each (~20 MB a batch), 4 at a time; the
    // server's resident memory sampled every 20 ms.
    const litellmRun = randomBytes(4).toString("hex");
    const perBatch = 100;
    const sampleBody = litellmBody(litellmRun, -1, perBatch);
    const litellmUrl = `${app.baseUrl}/api/v1/integrations/litellm`;
    const litellmHeaders = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    await fetch(litellmUrl, { method: "POST", headers: litellmHeaders, body: litellmBody(`warm-${litellmRun}`, 0, 2) });
    const pid = app.child.pid ?? 0;
    const rssBefore = rssBytes(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(pid))), 20);
    // Built before the clock starts, like the other phases' bodies: the clients only send.
    const litellmBodies = Array.from({ length: litellmBatches }, (_, i) => Buffer.from(litellmBody(litellmRun, i, perBatch)));
    let litellm: DriveResult;
    try {
      litellm = await drive(litellmBatches, (i) => litellmBodies[i] as Buffer, litellmUrl, litellmHeaders);
    } finally {
      clearInterval(sampler);
    }
    const litellmRate = litellm.accepted / litellm.seconds;
    const rssGrowthMb = (rssPeak - rssBefore) / 1024 / 1024;
    const batchMb = Buffer.byteLength(sampleBody) / 1e6;
    console.log(
      `LiteLLM: ${litellm.accepted} payloads (${batchMb.toFixed(1)} MB batches) in ${litellm.seconds.toFixed(1)} s = ${Math.round(litellmRate)} events/s (batch p50 ${litellm.p50.toFixed(0)} ms, p99 ${litellm.p99.toFixed(0)} ms); server RSS ${(rssBefore / 1048576).toFixed(0)} MB before, peak +${rssGrowthMb.toFixed(0)} MB`,
    );

    writeBenchmarkSection(
        "ingest",
        `## Ingestion (\`npm run bench:ingest\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. The production server
(\`npm start\`, embedded PostgreSQL) and the ${clients} clients share the machine; the clients send with
undici's request API over keep-alive connections (fetch until 2026-12-06: it spent about three
times the CPU per upload, which this 2-core machine takes from the server).

| what | events | seconds | events/s | batch latency |
|---|---:|---:|---:|---|
| \`POST /api/v1/events\`, ${clients} concurrent clients, ${formatCount(batches)} batches of ${formatCount(batchSize)} demo-like events (validated, priced exactly, deduplicated, rollups updated, committed) | ${formatCount(accepted)} | ${seconds.toFixed(1)} | ${formatCount(rate)} | p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms |
| baseline: \`COPY FROM STDIN\` of the same rows into a table with usage_events' indexes, same database | ${formatCount(accepted)} | ${copySeconds.toFixed(1)} | ${formatCount(copyRate)} | |
| baseline: the same \`COPY\` into a table with only a primary key | ${formatCount(accepted)} | ${pkCopySeconds.toFixed(1)} | ${formatCount(pkCopyRate)} | |

The API reaches ${((rate / copyRate) * 100).toFixed(1)}% of the indexed COPY (target: at least 50%) and ${((rate / pkCopyRate) * 100).toFixed(1)}% of the primary-key-only COPY (target: at least 25%).
CPU per batch of ${formatCount(batchSize)} events during the run (from /proc): ${cpuLine}. Each COPY
baseline is one client streaming in one transaction (one core); the API's batches are validated,
priced, deduplicated and rolled up, by the server and PostgreSQL on both cores, with the clients
on the same two.

### The other receivers, same run, same database

| what | events | seconds | events/s | batch latency |
|---|---:|---:|---:|---|
| \`POST /api/v1/otlp/v1/traces\`, protobuf + gzip (${Math.round(otlpWire / 1024)} KB a batch on the wire), the same calls as ${formatCount(batchSize)}-span exports, ${clients} clients | ${formatCount(otlpSpans)} | ${otlp.seconds.toFixed(1)} | ${formatCount(otlpRate)} | p50 ${otlp.p50.toFixed(0)} ms, p99 ${otlp.p99.toFixed(0)} ms |
| \`POST /api/v1/integrations/litellm\`, ${formatCount(litellmBatches)} json_array batches of ${perBatch} payloads with 200 KB of messages each (${batchMb.toFixed(1)} MB a batch), ${clients} at a time | ${formatCount(litellm.accepted)} | ${litellm.seconds.toFixed(1)} | ${formatCount(litellmRate)} | p50 ${litellm.p50.toFixed(0)} ms, p99 ${litellm.p99.toFixed(0)} ms |

- OTLP protobuf+gzip reaches ${((otlpRate / rate) * 100).toFixed(0)}% of the JSON events path (target: at least 50%).
- LiteLLM: ${formatCount(litellmRate)} events/s (target: at least 2,000); the server's resident memory grew by at most ${rssGrowthMb.toFixed(0)} MB during the run (target: under 300 MB), from ${(rssBefore / 1048576).toFixed(0)} MB, sampled every 20 ms. The scanner drops \`messages\`, \`response\` and \`model_parameters\` while the body arrives, so a batch is never held whole.`,
    );
  } finally {
    await pool.end();
    await db.stop();
    await app.stop("SIGTERM");
  }
}

void main();
