/**
 * The reliability drill (`npm run drill`, part of `npm test`): several clients ingest
 * continuously, retrying a batch on 503, 429 and connection errors until it is answered
 * 2xx, while PostgreSQL is stopped and restarted twice and the app is killed with SIGKILL
 * and started again. Then, exactly:
 *   - clients saw only 2xx, 429 or 503 (and connection errors while the app was down);
 *   - every event of a 2xx-answered batch is stored, exactly once (lost = 0, duplicates = 0);
 *   - the hourly rollups equal a recount from the raw events, and the daily rollups equal
 *     the hourly ones.
 * Exit code 1 when any of it fails. `--record` writes the counts to docs/BENCHMARKS.md.
 *
 * The drill runs its own PostgreSQL (embedded, under .data/drill) so that it can stop and
 * start it, and points the app at it with DATABASE_URL — the app process is the one
 * `npm start` runs.
 *
 *   npm run drill -- [--clients 4] [--batch 50] [--record]
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedServer } from "@/lib/db/embedded-postgres";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { foldRollups } from "@/lib/rollups/fold";
import { compareTagRollupsWithEvents } from "@/lib/rollups/tag-rollups";
import { formatCount } from "@/lib/format";
import { HOUR_MS } from "@/lib/time";
import { startApp, type AppProcess } from "../tests/setup/app-process";
import { describeMachine, writeBenchmarkSection } from "./bench/machine";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "4" },
    batch: { type: "string", default: "50" },
    record: { type: "boolean", default: false },
  },
});
const CLIENTS = Number(values.clients);
const BATCH = Number(values.batch);
const ROOT = path.resolve(".data/drill");
const PHASE_MS = 4_000;
const FINISH_DEADLINE_MS = 120_000;

const say = (line: string) => process.stdout.write(`[drill] ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ClientStats {
  batches: number;
  attempts: number;
  statuses: Map<string, number>;
  acked: string[];
  unexpected: string[];
}

/** One client: batches of new events, each retried until a 2xx (or the deadline), in a loop until stopped. */
async function runClient(index: number, target: () => string, key: string, stopping: () => boolean): Promise<ClientStats> {
  const stats: ClientStats = { batches: 0, attempts: 0, statuses: new Map(), acked: [], unexpected: [] };
  const count = (status: string) => stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
  let sequence = 0;
  while (!stopping()) {
    const events = Array.from({ length: BATCH }, () => {
      const n = sequence++;
      return {
        id: `drill-${index}-${n}`,
        // Spread over a few hours so rollups of several hours and two days are exercised.
        timestamp: new Date(Date.UTC(2026, 10, 30, 22) + ((n * 7919 + index * 104_729) % (4 * HOUR_MS))).toISOString(),
        provider: "openai",
        model: "gpt-4o-mini",
        usage: { input_tokens: 1000 + (n % 17), output_tokens: 100 + (n % 5), cache_read_input_tokens: n % 3 === 0 ? 200 : 0 },
        attempt: n % 11 === 0 ? 2 : 1,
        // An extra tag on most events, so the tag rollups are exercised (and checked) too.
        tags: { team: `drill-team-${n % 3}`, feature: `drill-feature-${index}`, ...(n % 4 === 0 ? {} : { lane: `lane-${n % 2}` }) },
      };
    });
    stats.batches++;
    const started = Date.now();
    for (;;) {
      stats.attempts++;
      let retryMs = 200;
      try {
        const response = await fetch(`${target()}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ events }),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        count(String(response.status));
        if (response.status === 200) {
          const body = JSON.parse(text) as { accepted: number; duplicates: number; rejected: number };
          if (body.accepted + body.duplicates !== BATCH || body.rejected !== 0) stats.unexpected.push(`200 with ${text}`);
          stats.acked.push(...events.map((e) => e.id));
          break;
        }
        if (response.status === 503 || response.status === 429) {
          retryMs = Math.min(1_000, Number(response.headers.get("retry-after") ?? 1) * 1_000);
        } else {
          stats.unexpected.push(`${response.status} ${text.slice(0, 300)}`);
          break;
        }
      } catch (error) {
        // The app is down (killed, restarting): the connection is refused or reset.
        count(`connection error (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`);
      }
      if (Date.now() - started > FINISH_DEADLINE_MS) {
        stats.unexpected.push(`batch ${index}/${stats.batches} not acknowledged within ${FINISH_DEADLINE_MS} ms`);
        break;
      }
      await sleep(retryMs);
    }
  }
  return stats;
}

function cli(env: NodeJS.ProcessEnv, args: string[]): string {
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", ...args], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`burnrate ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout.trimEnd().split("\n").at(-1) ?? "";
}

async function main(): Promise<void> {
  rmSync(ROOT, { recursive: true, force: true });
  let database: EmbeddedServer = await startEmbeddedPostgres({ dataDir: path.join(ROOT, "db"), attachToRunning: false });
  const port = database.port;
  const url = database.url();
  const appEnv = {
    DATABASE_URL: url,
    BURNRATE_DATA_DIR: path.join(ROOT, "app"),
    BURNRATE_DEMO: "0",
    // Low enough that the clients, sharing one key, are refused with 429 now and then.
    BURNRATE_RATE_LIMIT_PER_SECOND: "40",
    BURNRATE_RATE_LIMIT_BURST: "20",
  };
  let app: AppProcess = await startApp(appEnv);
  const key = cli({ ...process.env, ...appEnv }, ["key", "create", "--name", "drill", "--scope", "ingest"]);
  const timeline: string[] = [];
  const t0 = Date.now();
  const mark = (what: string) => {
    timeline.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
    say(what);
  };

  let stopping = false;
  const clients = Array.from({ length: CLIENTS }, (_, i) => runClient(i, () => app.baseUrl, key, () => stopping));
  try {
    for (const round of [1, 2]) {
      await sleep(PHASE_MS);
      mark(`PostgreSQL stopped (${round} of 2)`);
      await database.stop();
      await sleep(PHASE_MS);
      database = await startEmbeddedPostgres({ dataDir: path.join(ROOT, "db"), port, attachToRunning: false });
      if (database.port !== port) throw new Error(`PostgreSQL came back on port ${database.port}, not ${port}`);
      mark(`PostgreSQL started again (${round} of 2)`);
    }
    await sleep(PHASE_MS);
    mark("app killed with SIGKILL");
    app.child.kill("SIGKILL");
    await app.stop();
    app = await startApp(appEnv);
    mark("app started again");
    await sleep(PHASE_MS);
    mark("clients stopping (finishing their batches)");
  } finally {
    stopping = true;
  }
  const results = await Promise.all(clients);
  mark("clients done");

  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const failures: string[] = [];
  try {
    const acked = results.flatMap((r) => r.acked);
    const statuses = new Map<string, number>();
    for (const r of results) for (const [status, n] of r.statuses) statuses.set(status, (statuses.get(status) ?? 0) + n);
    for (const r of results) failures.push(...r.unexpected);
    for (const status of statuses.keys()) {
      if (!["200", "429", "503"].includes(status) && !status.startsWith("connection error")) failures.push(`a client saw ${status}`);
    }

    const stored = await pool.query<{ stored: string; distinct_ids: string; acked_stored: string; ids_rows: string }>(
      `SELECT count(*)::text AS stored, count(DISTINCT id)::text AS distinct_ids,
              count(*) FILTER (WHERE id = ANY($1))::text AS acked_stored,
              (SELECT count(*) FROM usage_event_ids WHERE id LIKE 'drill-%')::text AS ids_rows
       FROM usage_events WHERE id LIKE 'drill-%'`,
      [acked],
    );
    const row = stored.rows[0];
    const storedCount = Number(row?.stored);
    const ackedStored = Number(row?.acked_stored);
    const duplicates = storedCount - Number(row?.distinct_ids);
    const lost = new Set(acked).size - ackedStored;
    const storedNotAcked = storedCount - ackedStored;
    if (lost !== 0) failures.push(`${lost} acknowledged events are not stored`);
    if (duplicates !== 0) failures.push(`${duplicates} events are stored more than once`);
    if (Number(row?.ids_rows) !== storedCount) failures.push(`usage_event_ids holds ${row?.ids_rows} drill ids for ${storedCount} events`);
    if (acked.length !== new Set(acked).size) failures.push("a client acknowledged an id twice");

    const hourlyMismatches = await compareRollupsWithEvents(pool);
    if (hourlyMismatches.length > 0) failures.push(`${hourlyMismatches.length} hourly rollup rows differ from a recount of the events`);
    await foldRollups(pool);
    const daily = await pool.query<{ days: string; differing: string }>(
      `WITH hourly AS (
         SELECT date_trunc('day', hour, 'UTC') AS day, sum(requests) AS requests, sum(cost_usd) AS cost_usd,
                sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
         FROM usage_rollup_hourly_all GROUP BY 1),
       daily AS (
         SELECT hour AS day, sum(requests) AS requests, sum(cost_usd) AS cost_usd, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens
         FROM usage_rollup_daily_all GROUP BY 1)
       SELECT count(*)::text AS days,
              count(*) FILTER (WHERE h.requests IS DISTINCT FROM d.requests OR h.cost_usd IS DISTINCT FROM d.cost_usd
                               OR h.input_tokens IS DISTINCT FROM d.input_tokens OR h.output_tokens IS DISTINCT FROM d.output_tokens)::text AS differing
       FROM hourly h FULL JOIN daily d USING (day)`,
    );
    if (daily.rows[0]?.differing !== "0") failures.push(`${daily.rows[0]?.differing} days of daily rollups differ from the hourly ones`);
    const tagMismatches = await compareTagRollupsWithEvents(pool);
    if (tagMismatches.length > 0) failures.push(`${tagMismatches.length} tag rollup rows differ from a recount of the events' extra tags`);
    const tagDays = await pool.query<{ differing: string }>(
      `WITH hourly AS (
         SELECT date_trunc('day', hour, 'UTC') AS day, tag_key, tag_value, sum(requests) AS requests, sum(cost_usd) AS cost_usd
         FROM usage_rollup_tag_hourly_all GROUP BY 1, 2, 3),
       daily AS (
         SELECT hour AS day, tag_key, tag_value, sum(requests) AS requests, sum(cost_usd) AS cost_usd
         FROM usage_rollup_tag_daily_all GROUP BY 1, 2, 3 HAVING sum(requests) <> 0)
       SELECT count(*) FILTER (WHERE h.requests IS DISTINCT FROM d.requests OR h.cost_usd IS DISTINCT FROM d.cost_usd)::text AS differing
       FROM hourly h FULL JOIN daily d USING (day, tag_key, tag_value)`,
    );
    if (tagDays.rows[0]?.differing !== "0") failures.push(`${tagDays.rows[0]?.differing} tag days differ from their hours`);

    const batches = results.reduce((a, r) => a + r.batches, 0);
    const attempts = results.reduce((a, r) => a + r.attempts, 0);
    const statusText = [...statuses].sort().map(([s, n]) => `${s}: ${formatCount(n)}`).join(", ");
    say(`batches ${formatCount(batches)}, attempts ${formatCount(attempts)}; answers ${statusText}`);
    say(`acknowledged ${formatCount(acked.length)}, stored ${formatCount(storedCount)} (of them acknowledged ${formatCount(ackedStored)}), lost ${lost}, duplicates ${duplicates}, stored but never acknowledged ${storedNotAcked}`);
    say(`hourly rollup rows differing from a recount: ${hourlyMismatches.length}; days of daily rollups differing from hourly: ${daily.rows[0]?.differing} of ${daily.rows[0]?.days}`);
    say(`tag rollup rows differing from a recount: ${tagMismatches.length}; tag days differing from their hours: ${tagDays.rows[0]?.differing}`);

    if (values.record && failures.length === 0) {
      const machine = await describeMachine(pool);
      writeBenchmarkSection(
          "drill",
          `## Reliability drill (\`npm run drill\`)

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}. ${CLIENTS} clients post batches of ${BATCH} new events to
\`npm start\`'s server (its own PostgreSQL, so the drill can stop it) as fast as they are answered, sharing
one ingest key limited to 40 requests/s (so 429s happen), and retry a batch on 503, 429 or a connection
error until it is answered 2xx. Timeline:

${timeline.map((line) => `- ${line}`).join("\n")}

| | count |
|---|---:|
| batches | ${formatCount(batches)} |
| requests (with retries) | ${formatCount(attempts)} |
${[...statuses].sort().map(([s, n]) => `| answered ${s} | ${formatCount(n)} |`).join("\n")}
| events acknowledged (in 2xx-answered batches) | ${formatCount(acked.length)} |
| events stored | ${formatCount(storedCount)} |
| acknowledged but not stored (lost) | ${lost} |
| stored more than once | ${duplicates} |
| stored but never acknowledged | ${storedNotAcked} |
| hourly rollup rows differing from a recount of the raw events | ${hourlyMismatches.length} |
| days whose daily rollups differ from the hourly ones | ${daily.rows[0]?.differing} of ${daily.rows[0]?.days} |

No client saw a 500: while PostgreSQL was down every request was answered 503 with \`Retry-After\`,
and while the app was down the connection was refused.`,
      );
    }
  } finally {
    await pool.end();
    await app.stop("SIGTERM");
    await database.stop();
  }
  if (failures.length > 0) {
    for (const failure of failures.slice(0, 20)) say(`FAIL: ${failure}`);
    process.exitCode = 1;
  } else {
    say("PASS: every acknowledged event stored exactly once; rollups equal a recount");
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[drill] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
