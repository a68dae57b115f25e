/**
 * Where a 1,000-event batch's time goes on the write path (`npm run bench:ingest-profile`):
 * the bench:ingest traffic, stored one batch after another by the write path's own steps,
 * each timed, against a fresh embedded PostgreSQL with the default catalog. Ingest sends the
 * COPYs and COMMIT in one write; every other batch here sends them one by one, to time each.
 *
 *   npm run bench:ingest-profile -- [--batches 60] [--record]
 */
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { applyMigrations } from "@/lib/db/migrate";
import { ensurePartitionsFor } from "@/lib/db/partitions";
import { eventSchema } from "@/lib/schemas/event";
import { scanItem } from "@/lib/schemas/storable-text";
import { parseEventFast } from "@/lib/schemas/event-fast";
import { normalizeUsage } from "@/lib/pricing/normalize-usage";
import { prepareEvent, type PreparedEvent } from "@/lib/ingestion/prepare-event";
import { batchBeginSql, pricerFromBegin } from "@/lib/ingestion/price-batch";
import { ingestReceiptSql } from "@/lib/ingestion/ingest-events";
import { resultsOf } from "@/lib/db/sql";
import { insertEvents, type PricedEvent } from "@/lib/ingestion/write-events";
import { formatCount } from "@/lib/format";
import { makeBodies } from "./ingest-traffic";
import { describeMachine, writeBenchmarkSection } from "./machine";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "60" },
    warmup: { type: "string", default: "10" },
    record: { type: "boolean", default: false },
  },
});
const BATCHES = Number(values.batches);
const WARMUP = Number(values.warmup);
const BATCH_SIZE = 1000;
const dataDir = path.resolve(".data/bench-profile");

type Phase = { name: string; what: string };

/**
 * Milliseconds a process has run on a CPU (Linux /proc/<pid>/schedstat, nanoseconds), or null when
 * it cannot be read (a database on another machine).
 */
function cpuMsOf(pid: number): number | null {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return null;
  }
}
const INSIDE_PREPARE = ["storable", "size", "fast", "zod", "usage"];
// Timed on the other half of the batches: the four steps before it, as ingest sends them.
const INSTEAD_OF_STEPS = ["write"];
const PHASES: Phase[] = [
  { name: "parse", what: "JSON.parse of the request body (≈ 380 KB)" },
  { name: "storable", what: "the storable-text walk of each event, which also bounds its size (`scanItem`)" },
  { name: "size", what: "for comparison: JSON.stringify of each event (the size check needs it only above the bound)" },
  { name: "fast", what: "the compiled event check (`parseEventFast`)" },
  { name: "zod", what: "for comparison: zod's `eventSchema.safeParse` of each event (now only for the uncommon event)" },
  { name: "usage", what: "token shapes normalised (`normalizeUsage`)" },
  { name: "prepare", what: "the whole of `prepareEvent` (walk, compiled check, token shapes, the row shape)" },
  { name: "begin", what: "BEGIN, the shared pricing lock and the batch's price entries (one round trip)" },
  { name: "price", what: "1,000 events priced (scaled integers)" },
  { name: "render", what: "the three COPY texts rendered: the ids, the events, the rollup additions (summed)" },
  { name: "claim", what: "COPY of the ids into `usage_event_ids` (its unique key)" },
  { name: "events", what: "COPY of the events into the month's partition (4 indexes)" },
  { name: "rollups", what: "COPY of the hourly and tag rollup additions into usage_rollup_pending" },
  { name: "commit", what: "the receipt row and COMMIT (WAL flush)" },
  { name: "write", what: "as ingest sends them: the three COPYs, the receipt and COMMIT in one write (one round trip)" },
];

async function main(): Promise<void> {
  rmSync(dataDir, { recursive: true, force: true });
  const server = await startEmbeddedPostgres({ dataDir, attachToRunning: false });
  const url = server.url();
  process.env.DATABASE_URL = url;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await applyMigrations(url);
    const { prisma } = await import("@/lib/db");
    const { loadDefaultCatalog } = await import("@/lib/pricing/catalog");
    await loadDefaultCatalog(prisma);
    const machine = await describeMachine(pool);
    console.log(`Machine: ${machine}`);
    const bodies = makeBodies("profile", WARMUP + BATCHES, BATCH_SIZE);
    const totals = new Map<string, number[]>();
    // The database's CPU per step: the connection's backend process, read before and after.
    const databaseCpu = new Map<string, number>();
    const time = <T>(name: string, fn: () => T): T => {
      const t0 = process.hrtime.bigint();
      const result = fn();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      totals.set(name, [...(totals.get(name) ?? []), ms]);
      return result;
    };
    const client = await pool.connect();
    const backend = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid ?? 0;
    const timeAsync = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const cpu0 = cpuMsOf(backend);
      const t0 = process.hrtime.bigint();
      const result = await fn();
      totals.set(name, [...(totals.get(name) ?? []), Number(process.hrtime.bigint() - t0) / 1e6]);
      const cpu1 = cpuMsOf(backend);
      if (cpu0 !== null && cpu1 !== null) databaseCpu.set(name, (databaseCpu.get(name) ?? 0) + cpu1 - cpu0);
      return result;
    };
    try {
      for (const [b, body] of bodies.entries()) {
        if (b === WARMUP) {
          totals.clear();
          databaseCpu.clear();
        }
        const raw = time("parse", () => (JSON.parse(body) as { events: unknown[] }).events);
        time("storable", () => raw.forEach((event) => scanItem(event)));
        time("size", () => raw.forEach((event) => Buffer.byteLength(JSON.stringify(event))));
        time("fast", () => raw.forEach((event) => parseEventFast(event)));
        time("zod", () => raw.forEach((event) => eventSchema.safeParse(event)));
        time("usage", () => raw.forEach((event) => normalizeUsage(event as Record<string, unknown>)));
        const prepared = time("prepare", () => raw.map((event, i) => prepareEvent(event, i)));
        const events = prepared.flatMap((p) => (p.ok ? [p.event] : [])) as PreparedEvent[];
        await ensurePartitionsFor(pool, events.map((e) => e.occurredAt));
        const began = await timeAsync("begin", () => client.query(`BEGIN; ${batchBeginSql(events)}`));
        const pricer = pricerFromBegin(resultsOf(began as unknown as pg.QueryResult | pg.QueryResult[]));
        const priced: PricedEvent[] = time("price", () => pricer.priceAll(events));
        const commitWith = (n: number) => ingestReceiptSql("events", n);
        await insertEvents(client, priced, { claim: "copy", step: timeAsync, commitWith, separateCopies: b % 2 === 0 });
      }
    } finally {
      client.release();
    }
    const mean = (name: string) => {
      const list = totals.get(name) ?? [];
      return list.reduce((a, b) => a + b, 0) / Math.max(1, list.length);
    };
    const onPath = (name: string) => !INSIDE_PREPARE.includes(name) && !INSTEAD_OF_STEPS.includes(name);
    const total = PHASES.filter((p) => onPath(p.name)).reduce((sum, p) => sum + mean(p.name), 0);
    // Per batch that ran the step (the one-by-one and the one-write steps each ran on half).
    const database = (name: string) => {
      const ms = name === "render" ? undefined : databaseCpu.get(name);
      return ms === undefined ? "" : (ms / Math.max(1, totals.get(name)?.length ?? 0)).toFixed(2);
    };
    const databaseTotal = PHASES.filter((p) => onPath(p.name)).reduce((sum, p) => sum + Number(database(p.name) || 0), 0);
    const lines = PHASES.map((p) => {
      const ms = mean(p.name);
      const share =
        p.name === "size" || p.name === "zod"
          ? "(not on the path)"
          : INSIDE_PREPARE.includes(p.name)
            ? "(in prepare)"
            : INSTEAD_OF_STEPS.includes(p.name)
              ? "(instead of the four above)"
              : `${((ms / total) * 100).toFixed(0)}%`;
      return `| ${p.name} | ${p.what} | ${ms.toFixed(2)} | ${database(p.name)} | ${share} |`;
    });
    console.log(lines.join("\n"));
    // As ingest runs: the one-write step in place of the four it sends together.
    const asSent = total - ["claim", "events", "rollups", "commit"].reduce((sum, name) => sum + mean(name), 0) + mean("write");
    console.log(`total ${total.toFixed(1)} ms per 1,000 events, the database's CPU ${databaseTotal.toFixed(1)} ms of it; as ingest sends it ${asSent.toFixed(1)} ms = ${formatCount(1000 / (asSent / 1000))} events/s on one connection`);
    if (values.record) {
      writeBenchmarkSection(
        "ingest-profile",
        `## Where a batch's time goes (\`npm run bench:ingest-profile\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}: ${formatCount(BATCHES)} batches of
${formatCount(BATCH_SIZE)} bench:ingest events (after ${WARMUP} to warm up), stored one after another on one
connection by the write path's own steps, each timed; mean milliseconds per batch. The database
column is the CPU its backend process spent in the step (/proc/<pid>/schedstat): the rest of a
step's time is this process's own work, the round trip and waits (the commit's WAL flush).
Ingest sends the three COPYs, the receipt and COMMIT in one write; half of the batches here
send them one by one to time each (claim … commit), the other half as ingest does (write).

| step | what | ms per batch | database CPU ms | share |
|---|---|---:|---:|---:|
${lines.join("\n")}
| total | | ${total.toFixed(1)} | ${databaseTotal.toFixed(1)} | 100% |

As ingest sends it (the write in one): ${asSent.toFixed(1)} ms per batch, ${formatCount(1000 / (asSent / 1000))} events/s on one connection, no HTTP.`,
      );
    }
  } finally {
    await pool.end();
    const { disconnect } = await import("@/lib/db");
    await disconnect();
    await server.stop();
  }
}

void main();
