/**
 * What both reliability drills (scripts/drill.ts, scripts/drill-cluster.ts) share: the client
 * that sends batches of new events and retries each one (same ids) until it is acknowledged,
 * and the exact checks afterwards — every acknowledged event stored once, the rollups equal to a
 * recount, the days equal to their hours.
 */
import type pg from "pg";
import { compareRollupsWithEvents } from "@/lib/rollups/rebuild";
import { compareTagRollupsWithEvents } from "@/lib/rollups/tag-rollups";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ClientStats {
  batches: number;
  attempts: number;
  statuses: Map<string, number>;
  acked: string[];
  /** When each batch was acknowledged, for the throughput. */
  ackTimes: number[];
  unexpected: string[];
}

export interface DrillClient {
  index: number;
  /** Event ids are `<prefix>-<index>-<n>`; the checks find the drill's events by the prefix. */
  prefix: string;
  batch: number;
  /** The base URL to send to (read before each attempt: the app may have moved). */
  target: () => string;
  key: string;
  stopping: () => boolean;
  /** The instant of event n (ISO). */
  timestampOf: (n: number) => string;
  /** A batch not acknowledged by then is reported unexpected. */
  deadlineMs: number;
  /** Statuses retried at once (a proxy's 502: the next request goes to another instance), with the pause. */
  retryAtOnce?: Record<number, number>;
}

/** One client: batches of new events, each retried until a 200 (or the deadline), in a loop until stopped. */
export async function runDrillClient(c: DrillClient): Promise<ClientStats> {
  const stats: ClientStats = { batches: 0, attempts: 0, statuses: new Map(), acked: [], ackTimes: [], unexpected: [] };
  const count = (status: string) => stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
  let sequence = 0;
  while (!c.stopping()) {
    const events = Array.from({ length: c.batch }, () => {
      const n = sequence++;
      return {
        id: `${c.prefix}-${c.index}-${n}`,
        timestamp: c.timestampOf(n),
        provider: "openai",
        model: "gpt-4o-mini",
        usage: { input_tokens: 1000 + (n % 17), output_tokens: 100 + (n % 5), cache_read_input_tokens: n % 3 === 0 ? 200 : 0 },
        attempt: n % 11 === 0 ? 2 : 1,
        // An extra tag on most events, so the tag rollups are exercised (and checked) too.
        tags: { team: `${c.prefix}-team-${n % 3}`, feature: `${c.prefix}-feature-${c.index}`, ...(n % 4 === 0 ? {} : { lane: `lane-${n % 2}` }) },
      };
    });
    const body = JSON.stringify({ events });
    stats.batches++;
    const started = Date.now();
    for (;;) {
      stats.attempts++;
      let retryMs = 200;
      try {
        const response = await fetch(`${c.target()}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${c.key}`, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        count(String(response.status));
        if (response.status === 200) {
          const answer = JSON.parse(text) as { accepted: number; duplicates: number; rejected: number };
          if (answer.accepted + answer.duplicates !== c.batch || answer.rejected !== 0) stats.unexpected.push(`200 with ${text}`);
          stats.acked.push(...events.map((e) => e.id));
          stats.ackTimes.push(Date.now());
          break;
        }
        const atOnce = c.retryAtOnce?.[response.status];
        if (atOnce !== undefined) {
          retryMs = atOnce;
        } else if (response.status === 503 || response.status === 429) {
          retryMs = Math.min(1_000, Number(response.headers.get("retry-after") ?? 1) * 1_000);
        } else {
          stats.unexpected.push(`${response.status} ${text.slice(0, 300)}`);
          break;
        }
      } catch (error) {
        // The app is down (killed, restarting) or dropped the connection mid-request.
        count(`connection error (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`);
      }
      if (Date.now() - started > c.deadlineMs) {
        stats.unexpected.push(`batch ${c.index}/${stats.batches} not acknowledged within ${c.deadlineMs} ms`);
        break;
      }
      await sleep(retryMs);
    }
  }
  return stats;
}

export interface DrillCounts {
  acked: number;
  stored: number;
  ackedStored: number;
  lost: number;
  duplicates: number;
  storedNotAcked: number;
  statuses: Map<string, number>;
  hourlyMismatches: number;
  days: string;
  differingDays: string;
  tagMismatches: number;
  differingTagDays: string;
}

/**
 * The exact checks, after the clients stopped and the rollups were folded: answers the counts
 * and pushes a sentence onto `failures` for each check that fails. `allowed` are the statuses a
 * client may have seen besides connection errors.
 */
export async function verifyDrill(pool: pg.Pool, results: ClientStats[], prefix: string, allowed: string[], failures: string[]): Promise<DrillCounts> {
  const acked = results.flatMap((r) => r.acked);
  const statuses = new Map<string, number>();
  for (const r of results) for (const [status, n] of r.statuses) statuses.set(status, (statuses.get(status) ?? 0) + n);
  for (const r of results) failures.push(...r.unexpected);
  for (const status of statuses.keys()) {
    if (!allowed.includes(status) && !status.startsWith("connection error")) failures.push(`a client saw ${status}`);
  }
  const like = `${prefix}-%`;
  const stored = await pool.query<{ stored: string; distinct_ids: string; acked_stored: string; ids_rows: string }>(
    `SELECT count(*)::text AS stored, count(DISTINCT id)::text AS distinct_ids,
            count(*) FILTER (WHERE id = ANY($1))::text AS acked_stored,
            (SELECT count(*) FROM usage_event_ids WHERE id LIKE $2)::text AS ids_rows
     FROM usage_events WHERE id LIKE $2`,
    [acked, like],
  );
  const row = stored.rows[0];
  const storedCount = Number(row?.stored);
  const ackedStored = Number(row?.acked_stored);
  const duplicates = storedCount - Number(row?.distinct_ids);
  const lost = new Set(acked).size - ackedStored;
  if (lost !== 0) failures.push(`${lost} acknowledged events are not stored`);
  if (duplicates !== 0) failures.push(`${duplicates} events are stored more than once`);
  if (Number(row?.ids_rows) !== storedCount) failures.push(`usage_event_ids holds ${row?.ids_rows} ${prefix} ids for ${storedCount} events`);
  if (acked.length !== new Set(acked).size) failures.push("a client acknowledged an id twice");

  const hourlyMismatches = await compareRollupsWithEvents(pool);
  if (hourlyMismatches.length > 0) failures.push(`${hourlyMismatches.length} hourly rollup rows differ from a recount of the events`);
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
  return {
    acked: acked.length,
    stored: storedCount,
    ackedStored,
    lost,
    duplicates,
    storedNotAcked: storedCount - ackedStored,
    statuses,
    hourlyMismatches: hourlyMismatches.length,
    days: daily.rows[0]?.days ?? "0",
    differingDays: daily.rows[0]?.differing ?? "?",
    tagMismatches: tagMismatches.length,
    differingTagDays: tagDays.rows[0]?.differing ?? "?",
  };
}
