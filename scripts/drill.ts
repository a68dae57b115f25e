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
import { foldRollups } from "@/lib/rollups/fold";
import { formatCount } from "@/lib/format";
import { HOUR_MS } from "@/lib/time";
import { startApp, type AppProcess } from "../tests/setup/app-process";
import { describeMachine, writeBenchmarkSection } from "./bench/machine";
import { runDrillClient, verifyDrill } from "./drill-support";

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
  const clients = Array.from({ length: CLIENTS }, (_, index) =>
    runDrillClient({
      index,
      prefix: "drill",
      batch: BATCH,
      target: () => app.baseUrl,
      key,
      stopping: () => stopping,
      // Spread over a few hours so rollups of several hours and two days are exercised.
      timestampOf: (n) => new Date(Date.UTC(2026, 10, 30, 22) + ((n * 7919 + index * 104_729) % (4 * HOUR_MS))).toISOString(),
      deadlineMs: FINISH_DEADLINE_MS,
    }),
  );
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
    await foldRollups(pool);
    const counts = await verifyDrill(pool, results, "drill", ["200", "429", "503"], failures);
    const { statuses, stored: storedCount, ackedStored, lost, duplicates, storedNotAcked } = counts;
    const batches = results.reduce((a, r) => a + r.batches, 0);
    const attempts = results.reduce((a, r) => a + r.attempts, 0);
    const statusText = [...statuses].sort().map(([s, n]) => `${s}: ${formatCount(n)}`).join(", ");
    say(`batches ${formatCount(batches)}, attempts ${formatCount(attempts)}; answers ${statusText}`);
    say(`acknowledged ${formatCount(counts.acked)}, stored ${formatCount(storedCount)} (of them acknowledged ${formatCount(ackedStored)}), lost ${lost}, duplicates ${duplicates}, stored but never acknowledged ${storedNotAcked}`);
    say(`hourly rollup rows differing from a recount: ${counts.hourlyMismatches}; days of daily rollups differing from hourly: ${counts.differingDays} of ${counts.days}`);
    say(`tag rollup rows differing from a recount: ${counts.tagMismatches}; tag days differing from their hours: ${counts.differingTagDays}`);

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
| events acknowledged (in 2xx-answered batches) | ${formatCount(counts.acked)} |
| events stored | ${formatCount(storedCount)} |
| acknowledged but not stored (lost) | ${lost} |
| stored more than once | ${duplicates} |
| stored but never acknowledged | ${storedNotAcked} |
| hourly rollup rows differing from a recount of the raw events | ${counts.hourlyMismatches} |
| days whose daily rollups differ from the hourly ones | ${counts.differingDays} of ${counts.days} |

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
