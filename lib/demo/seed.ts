import "server-only";
import pg from "pg";
import { rebuildRollups } from "@/lib/rollups/rebuild";
import { rebuildTagRollups } from "@/lib/rollups/tag-rollups";
import { ensureEventPartitions } from "@/lib/db/partitions";
import { beginBulkLoad, type BulkLoad, type BulkTable } from "./bulk-load";
import { TEAMS } from "./company";
import { CopyWriter } from "./copy-writer";
import { DayGenerator } from "./generate";
import { planDemo, type DemoOptions } from "./plan";
import { PriceBook } from "./price-book";
import { loadDemoPrices, upsertDemoAccounts, upsertPrices, upsertTeams } from "./reference-data";
import { HourlyRollups, ROLLUP_COLUMNS } from "./rollup-rows";
import { EVENT_COLUMNS, OUTCOME_COLUMNS, RowRenderer } from "./rows";
import { DAY_MS, HOUR_MS } from "@/lib/time";
import { seedWorkflows, type WorkflowSummary } from "./workflows";
import { formatCount } from "@/lib/format";

/**
 * Demo data: a believable company's model calls over `days` days, streamed into
 * PostgreSQL with COPY (Prisma's row objects manage a few thousand rows a second; this
 * path has to manage millions in minutes), with their hourly rollups and outcomes.
 *
 * Events, outcomes and rollups stream over three connections at once, each in its own
 * transaction; events commit first. A failure before that leaves nothing behind, so
 * hasUsageData stays false and the next start seeds again.
 */

export interface SeedOptions extends DemoOptions {
  onProgress?: (message: string) => void;
  /** Budgets, allocations, burst requests and the alert history (lib/demo/workflows.ts); default true. */
  workflows?: boolean;
}

export interface SeedSummary {
  events: number;
  outcomes: number;
  teams: number;
  /** null when left out (asked to, or the installation already plans its own). */
  workflows: WorkflowSummary | null;
}

export async function hasUsageData(pool: pg.Pool): Promise<boolean> {
  const result = await pool.query<{ found: boolean }>("SELECT EXISTS (SELECT 1 FROM usage_events) AS found");
  return result.rows[0]?.found === true;
}

interface Lane {
  client: pg.Client;
  bulk: BulkLoad | null;
  writer: CopyWriter;
}

/**
 * A connection with an open transaction and a COPY into `table`; null when `onlyIfEmpty` and it is not.
 * Not withTransaction (lib/db/sql.ts) on purpose: each lane's transaction stays open while
 * the generator streams into all three lanes at once, and closeLane commits them in an
 * order (events first) or aborts the COPY before rolling back; each on a dedicated
 * connection, never the pool's.
 */
async function openLane(
  pool: pg.Pool,
  table: BulkTable,
  columns: readonly string[],
  onlyIfEmpty = false,
): Promise<Lane | null> {
  // A dedicated connection rather than pool.connect(): a small pool (even max = 1) must not deadlock.
  const client = new pg.Client(pool.options);
  // A dropped connection surfaces through the COPY; without a listener it would crash the process.
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query("BEGIN");
    const bulk = await beginBulkLoad(client, table);
    if (!bulk && onlyIfEmpty) {
      await client.query("ROLLBACK");
      await client.end();
      return null;
    }
    const copy = `COPY ${table} (${columns.join(", ")}) FROM STDIN ${bulk?.copyOptions ?? ""}`;
    return { client, bulk, writer: new CopyWriter(client, copy) };
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
}

async function finishLoad(lane: Lane): Promise<void> {
  await lane.writer.end();
  await lane.bulk?.restore();
}

async function closeLane(lane: Lane, commit: boolean): Promise<void> {
  try {
    if (commit) {
      await lane.client.query("COMMIT");
    } else {
      await lane.writer.abort();
      await lane.client.query("ROLLBACK").catch(() => {});
    }
  } finally {
    await lane.client.end().catch(() => {});
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === "23505";
}

const count = formatCount;

/**
 * Hours are summed into rollups while their traces are still being generated; a trace
 * (agent loops, retries after timeouts) ends well within this long after its hour.
 */
const ROLLUP_SETTLE_MS = 3 * HOUR_MS;

export async function seedDemo(pool: pg.Pool, options: SeedOptions): Promise<SeedSummary> {
  const plan = planDemo(options);
  const progress = options.onProgress ?? (() => {});
  const started = Date.now();
  const seconds = () => (Date.now() - started) / 1000;

  await upsertTeams(pool);
  await upsertPrices(pool);
  await upsertDemoAccounts(pool, new Date(plan.startMs));
  const renderer = new RowRenderer(new PriceBook(await loadDemoPrices(pool)), plan.seed);
  progress(
    `Demo company ready (${TEAMS.length} teams, ${plan.features.length} features); generating ` +
      `${new Date(plan.startMs).toISOString()} to ${new Date(plan.endMs).toISOString()}`,
  );

  await ensureEventPartitions(pool, new Date(plan.startMs), new Date(plan.endMs));
  const lanes: Lane[] = [];
  const open = async (...args: Parameters<typeof openLane>) => {
    const lane = await openLane(...args);
    if (lane) lanes.push(lane);
    return lane;
  };
  let events = 0;
  let outcomes = 0;
  let rollupRows = 0;
  try {
    const eventLane = (await open(pool, "usage_events", EVENT_COLUMNS)) as Lane;
    const outcomeLane = (await open(pool, "outcomes", OUTCOME_COLUMNS)) as Lane;
    // Summing rollups here is right only when the window holds no events but ours.
    let rollupLane = eventLane.bulk ? await open(pool, "usage_rollup_hourly", ROLLUP_COLUMNS, true) : null;
    const rollups = new HourlyRollups();
    const eventCopy = eventLane.writer;
    const outcomeCopy = outcomeLane.writer;

    const writeRollups = async (closedBefore: number) => {
      if (!rollupLane) return;
      const copy = rollupLane.writer;
      for (const group of rollups.closeBefore(closedBefore)) {
        renderer.rollup(copy.out, group);
        rollupRows++;
        if (copy.out.full) await copy.flush();
      }
    };

    let reported = 0;
    for (let day = 0; day < plan.days; day++) {
      const generator = new DayGenerator(plan, day);
      let hourStart = plan.startMs + day * DAY_MS;
      for (let batch = generator.hour(); batch; batch = generator.hour(), hourStart += HOUR_MS) {
        for (const event of batch.events) {
          const cost = renderer.event(eventCopy.out, events++, event);
          if (rollupLane) rollups.add(event, cost);
          if (eventCopy.out.full) await eventCopy.flush();
        }
        for (const outcome of batch.outcomes) {
          renderer.outcome(outcomeCopy.out, outcomes++, outcome);
          if (outcomeCopy.out.full) await outcomeCopy.flush();
        }
        await writeRollups(hourStart - ROLLUP_SETTLE_MS);
      }
      const percent = Math.floor(((day + 1) * 10) / plan.days) * 10;
      if (percent > reported) {
        reported = percent;
        progress(`Events: ${percent}% (${count(events)} events, ${count(Math.round(events / seconds()))} events/s)`);
      }
    }
    await writeRollups(Infinity);
    if (rollupLane && !rollups.exact) {
      // Rare (costs finer than 1e-12 USD, sums beyond 2^53): SQL recomputes them below.
      lanes.splice(lanes.indexOf(rollupLane), 1);
      await closeLane(rollupLane, false);
      rollupLane = null;
    }

    progress(`Generated ${count(events)} events and ${count(outcomes)} outcomes in ${seconds().toFixed(1)} s; building indexes and committing…`);
    await Promise.all(lanes.map(finishLoad));
    // The dedupe ids of the loaded events, in the same transaction (lib/ingestion/write-events.ts).
    await eventLane.client.query(
      `INSERT INTO usage_event_ids (id, occurred_at)
       SELECT id, occurred_at FROM usage_events WHERE occurred_at >= $1 AND occurred_at <= $2
       ON CONFLICT (id) DO NOTHING`,
      [new Date(plan.startMs), new Date(plan.endMs)],
    );
    await closeLane(eventLane, true);
    lanes.splice(lanes.indexOf(eventLane), 1);
    for (const lane of lanes.splice(0)) await closeLane(lane, true);
    if (!rollupLane) rollupRows = (await rebuildRollups(pool, { from: new Date(plan.startMs), to: new Date(plan.endMs) })).rows;
    // The extra tags' rollups, from the committed events (one SQL pass; exact by construction).
    const tagged = await rebuildTagRollups(pool, { from: new Date(plan.startMs), to: new Date(plan.endMs + 1) });
    progress(`Built ${count(tagged.rows)} tag rollups in ${seconds().toFixed(1)} s`);
  } catch (error) {
    await Promise.all(lanes.splice(0).map((lane) => closeLane(lane, false)));
    if (isUniqueViolation(error)) {
      throw new Error(`demo events of seed ${plan.seed} already exist in this database; seed with another --seed`, {
        cause: error,
      });
    }
    throw error;
  }

  // Fresh statistics, or the first dashboard queries are planned for empty tables.
  await pool.query("ANALYZE usage_events, usage_rollup_hourly, usage_rollup_tag_hourly, outcomes");
  progress(`Committed ${count(events)} events, ${count(rollupRows)} hourly rollups, ${count(outcomes)} outcomes in ${seconds().toFixed(1)} s`);
  const workflows = options.workflows === false ? null : await seedWorkflows(pool, plan, progress);
  return { events, outcomes, teams: TEAMS.length, workflows };
}
