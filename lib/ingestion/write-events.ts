import type pg from "pg";
import { finished } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import type { PricedEvent } from "@/lib/ingestion/prepare-event";
import { copyLine } from "@/lib/db/copy-text";
import { rollupDeltas, TAG_DELTA_COLUMNS } from "@/lib/ingestion/rollup-deltas";

export type { PricedEvent } from "@/lib/ingestion/prepare-event";

// The write path, in the caller's transaction. First the ids are claimed in usage_event_ids,
// the permanent dedupe key (ids already stored are skipped, whatever timestamp they come with
// now). Then the events whose id was new are streamed with COPY into usage_events (routed to
// their monthly partitions), and the batch's rollup additions, summed in rollup-deltas.ts,
// are appended to usage_rollup_pending with one more COPY: plain
// inserts, so concurrent batches never wait on each other's rollup rows; lib/rollups/fold.ts
// moves them into the rollups. Every round trip counts: while one batch waits on its
// statement, the process serves the others.
// (bench:ingest-profile measured the former shape, one INSERT … SELECT from json_to_recordset
// upserting the rollups in CTEs, at 2.3x this one's database time per batch.)
const CLAIM_IDS_SQL = `
INSERT INTO usage_event_ids (id, occurred_at)
SELECT id, occurred_at FROM json_to_recordset($1::json) AS t(id text, occurred_at timestamptz)
ORDER BY id -- every batch claims in the same order: two batches sharing ids wait, never deadlock
ON CONFLICT (id) DO NOTHING
RETURNING id`;

const EVENT_COLUMNS = [
  "id", "occurred_at", "provider", "model", "operation", "service_tier", "input_tokens", "output_tokens",
  "cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation_1h_input_tokens", "reasoning_output_tokens",
  "latency_ms", "status", "response_cache_hit", "trace_id", "attempt", "team", "feature", "environment", "tenant",
  "end_user", "prompt_version", "extra_tags", "cost_usd", "pricing_state", "price_id", "priced_at", "provider_as_sent",
  "reported_cost_usd",
] as const;

const COPY_EVENTS_SQL = `COPY usage_events (${EVENT_COLUMNS.join(", ")}) FROM STDIN`;
const COPY_PENDING_SQL = `COPY usage_rollup_pending (${TAG_DELTA_COLUMNS.join(", ")}) FROM STDIN`;

/** One usage_events row in COPY text, EVENT_COLUMNS order. `pricedAt` is the batch's pricing instant. */
function eventLine(e: PricedEvent, pricedAt: string): string {
  const u = e.usage;
  return copyLine([
    e.id, e.occurredAt.toISOString(), e.provider, e.model, e.operation, e.serviceTier, u.inputTokens, u.outputTokens,
    u.cacheReadInputTokens, u.cacheCreationInputTokens, u.cacheCreation1hInputTokens ?? 0, u.reasoningOutputTokens,
    e.latencyMs, e.status, e.responseCacheHit, e.traceId, e.attempt, e.team, e.feature, e.environment, e.tenant,
    e.endUser, e.promptVersion, e.extraTags ? JSON.stringify(e.extraTags) : null,
    // Exact decimal text: numeric receives it as written (never a float).
    e.costUsd, e.costUsd === null ? "unpriced" : "priced", e.priceId, e.costUsd === null ? null : pricedAt,
    e.providerAsSent, e.reportedCostUsd,
  ]);
}

/** Streams `text` into `COPY … FROM STDIN` on the client (inside its transaction). */
async function copyIn(client: pg.ClientBase, sql: string, text: string): Promise<void> {
  if (text === "") return;
  const stream = client.query(copyFrom(sql));
  stream.end(text);
  await finished(stream);
}

/** The batch's hourly and tag rollup additions, in one COPY (an hourly row has no tag key and value). */
async function appendDeltas(client: pg.ClientBase, events: PricedEvent[]): Promise<void> {
  const deltas = rollupDeltas(events);
  let text = "";
  for (const row of deltas.hourly) text += `\\N\t\\N\t${copyLine(row)}`;
  for (const row of deltas.tags) text += copyLine(row);
  await copyIn(client, COPY_PENDING_SQL, text);
}

/** Claims the batch's ids; answers the events whose id was new. */
async function claimIds(client: pg.ClientBase, batch: PricedEvent[]): Promise<PricedEvent[]> {
  const claims = JSON.stringify(batch.map((e) => ({ id: e.id, occurred_at: e.occurredAt.toISOString() })));
  const claimed = await client.query<{ id: string }>(CLAIM_IDS_SQL, [claims]);
  if (claimed.rows.length === batch.length) return batch;
  const fresh = new Set(claimed.rows.map((row) => row.id));
  return batch.filter((e) => fresh.has(e.id));
}

/**
 * Inserts the events and their rollup additions in the caller's transaction; returns the ids that
 * were new.
 */
export async function insertEvents(client: pg.ClientBase, batch: PricedEvent[], options: { pricedAt?: Date } = {}): Promise<Set<string>> {
  if (batch.length === 0) return new Set();
  const events = await claimIds(client, batch);
  if (events.length === 0) return new Set();
  const at = (options.pricedAt ?? new Date()).toISOString();
  let text = "";
  for (const e of events) text += eventLine(e, at);
  await copyIn(client, COPY_EVENTS_SQL, text);
  await appendDeltas(client, events);
  return new Set(events.map((e) => e.id));
}

/**
 * insertEvents in timed steps, for bench:ingest-profile. Answers milliseconds: the id claim,
 * the events' COPY (rendering included), the rollup additions (summing included).
 */
export async function profileStatements(client: pg.ClientBase, batch: PricedEvent[]): Promise<Record<"claim" | "events" | "rollups", number>> {
  const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
  let t0 = process.hrtime.bigint();
  const events = await claimIds(client, batch);
  const claim = ms(t0);
  t0 = process.hrtime.bigint();
  const at = new Date().toISOString();
  let text = "";
  for (const e of events) text += eventLine(e, at);
  await copyIn(client, COPY_EVENTS_SQL, text);
  const copied = ms(t0);
  t0 = process.hrtime.bigint();
  await appendDeltas(client, events);
  return { claim, events: copied, rollups: ms(t0) };
}

// Slugs known to exist in this process: most batches name only known teams and skip the statement.
const knownTeams = new Set<string>();

/** Teams named by events but not set up yet become "discovered" teams (sorted: no lock-order deadlocks). */
export async function discoverTeams(client: pg.ClientBase, slugs: Iterable<string>): Promise<void> {
  const sorted = [...new Set(slugs)].filter((slug) => !knownTeams.has(slug)).sort();
  if (sorted.length === 0) return;
  await client.query(
    `INSERT INTO teams (id, slug, name, discovered, created_at, updated_at)
     SELECT gen_random_uuid(), slug, slug, true, now(), now() FROM unnest($1::text[]) AS slug
     ON CONFLICT (slug) DO NOTHING`,
    [sorted],
  );
  // Not remembered here: the transaction may still roll back. See rememberTeams.
}

/** Called after COMMIT: these slugs now exist for good. */
export function rememberTeams(slugs: Iterable<string>): void {
  for (const slug of slugs) knownTeams.add(slug);
}
