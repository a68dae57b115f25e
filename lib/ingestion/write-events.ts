import type pg from "pg";
import type { PricedEvent } from "@/lib/ingestion/prepare-event";
import { COPY_NULL, copyText } from "@/lib/db/copy-text";
import { queryWithCopies } from "@/lib/db/copy-pipeline";
import { assertCommitted, commitStatements, resultsOf } from "@/lib/db/sql";
import { rollupDeltasCopyText, TAG_DELTA_COLUMNS } from "@/lib/ingestion/rollup-deltas";

export type { PricedEvent } from "@/lib/ingestion/prepare-event";

// The write path, in the caller's transaction. First the ids are claimed in usage_event_ids,
// the permanent dedupe key (ids already stored are skipped, whatever timestamp they come with
// now). Then the events whose id was new are streamed with COPY into usage_events (routed to
// their monthly partitions), and the batch's rollup additions, summed in rollup-deltas.ts,
// are appended to usage_rollup_pending with one more COPY: plain
// inserts, so concurrent batches never wait on each other's rollup rows; lib/rollups/fold.ts
// moves them into the rollups. Every round trip counts: each wakes the backend and the server
// once more, and on a busy machine a woken process waits for a core. So the three COPYs (and the
// caller's receipt and COMMIT) go in one write (lib/db/copy-pipeline.ts): back to back with one
// round trip per statement, that made bench:ingest 12–40% faster in five runs of six and cut PostgreSQL's CPU per
// batch by a fifth.
// (bench:ingest-profile measured the former shape, one INSERT … SELECT from json_to_recordset
// upserting the rollups in CTEs, at 2.3x this one's database time per batch.)

// The claim: the batch's ids streamed with COPY into usage_event_ids. Almost every batch holds
// new ids only, and a COPY is the cheapest insert PostgreSQL has (a third less time than
// INSERT … ON CONFLICT here, bench:ingest-profile). When an id is already stored the COPY fails,
// and with it the transaction: the caller stores the batch again claiming with
// `skip-stored`, which skips the stored ids and answers in one row (how many were new and, only
// then, which). Not a savepoint around the COPY: a subtransaction takes a transaction id of its
// own for every batch (twice the rate towards wraparound vacuums) and pg_subtrans lookups on
// replicas, to spare only the uncommon batch that resends ids.
// Both claim in one order, the ids sorted here: two batches sharing ids wait, never deadlock.
const CLAIM_COPY_SQL = "COPY usage_event_ids (id, occurred_at) FROM STDIN";
const CLAIM_IDS_SQL = `
WITH claimed AS (
  INSERT INTO usage_event_ids (id, occurred_at)
  SELECT id, occurred_at
  FROM ROWS FROM (json_to_recordset($1::json) AS (id text, occurred_at timestamptz)) WITH ORDINALITY AS t(id, occurred_at, n)
  ORDER BY n
  ON CONFLICT (id) DO NOTHING
  RETURNING id)
SELECT count(*)::int AS claimed, CASE WHEN count(*) < $2 THEN array_agg(id) END AS ids FROM claimed`;

/**
 * How the ids are claimed: `copy` (fastest; throws StoredIdMet, its transaction lost, when an id
 * is already stored) or `skip-stored` (always succeeds, skipping the stored ids).
 */
export type ClaimMode = "copy" | "skip-stored";

/** The claim's COPY met an id already stored: the transaction is aborted; store the batch again with `skip-stored`. */
export class StoredIdMet extends Error {
  constructor(cause: unknown) {
    super("an id of the batch is already stored", { cause });
  }
}

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = "23505";

const EVENT_COLUMNS = [
  "id", "occurred_at", "provider", "model", "operation", "service_tier", "input_tokens", "output_tokens",
  "cache_read_input_tokens", "cache_creation_input_tokens", "cache_creation_1h_input_tokens", "reasoning_output_tokens",
  "latency_ms", "status", "response_cache_hit", "trace_id", "attempt", "team", "feature", "environment", "tenant",
  "end_user", "prompt_version", "extra_tags", "cost_usd", "pricing_state", "price_id", "priced_at", "provider_as_sent",
  "reported_cost_usd",
] as const;

const COPY_EVENTS_SQL = `COPY usage_events (${EVENT_COLUMNS.join(", ")}) FROM STDIN`;
const COPY_PENDING_SQL = `COPY usage_rollup_pending (${TAG_DELTA_COLUMNS.join(", ")}) FROM STDIN`;

/**
 * One usage_events row in COPY text, EVENT_COLUMNS order, written out rather than through
 * copyLine: this runs 1,000 times per batch, and an array per row was a tenth of the server's
 * time (bench:ingest's profile). Numbers are validated integers; `pricedAt` is the batch's instant.
 */
function eventLine(e: PricedEvent, occurredAt: string, pricedAt: string): string {
  const u = e.usage;
  const priced = e.costUsd !== null;
  return `${copyText(e.id)}\t${occurredAt}\t${copyText(e.provider)}\t${copyText(e.model)}\t${copyText(e.operation)}\t${copyText(e.serviceTier)}\t${
    u.inputTokens}\t${u.outputTokens}\t${u.cacheReadInputTokens}\t${u.cacheCreationInputTokens}\t${u.cacheCreation1hInputTokens ?? 0}\t${
    u.reasoningOutputTokens}\t${e.latencyMs ?? COPY_NULL}\t${e.status}\t${e.responseCacheHit ? "t" : "f"}\t${copyText(e.traceId)}\t${
    e.attempt}\t${copyText(e.team)}\t${copyText(e.feature)}\t${copyText(e.environment)}\t${copyText(e.tenant)}\t${
    copyText(e.endUser)}\t${copyText(e.promptVersion)}\t${e.extraTags ? copyText(JSON.stringify(e.extraTags)) : COPY_NULL}\t${
    // Exact decimal text: numeric receives it as written (never a float).
    priced ? e.costUsd : COPY_NULL}\t${priced ? "priced" : "unpriced"}\t${copyText(e.priceId)}\t${priced ? pricedAt : COPY_NULL}\t${
    copyText(e.providerAsSent)}\t${copyText(e.reportedCostUsd)}\n`;
}

/**
 * Claims the batch's ids with `skip-stored` (`occurredAt[i]` is event i's timestamp as text);
 * answers the events whose id was new. (The `copy` claim is a COPY sent with the others: claimText.)
 */
async function claimSkippingStored(client: pg.ClientBase, batch: PricedEvent[], occurredAt: string[]): Promise<PricedEvent[]> {
  const order = claimOrder(batch);
  let claims = "[";
  for (const [k, i] of order.entries()) {
    claims += `${k === 0 ? "" : ","}{"id":${JSON.stringify((batch[i] as PricedEvent).id)},"occurred_at":"${occurredAt[i]}"}`;
  }
  claims += "]";
  const result = await client.query<{ claimed: number; ids: string[] | null }>(CLAIM_IDS_SQL, [claims, batch.length]);
  const row = result.rows[0];
  if (!row || row.claimed === batch.length) return batch;
  const fresh = new Set(row.ids ?? []);
  return batch.filter((e) => fresh.has(e.id));
}

/** The batch's indexes in the one order every claim takes its ids (sorted): batches sharing ids wait, never deadlock. */
function claimOrder(batch: PricedEvent[]): number[] {
  return batch.map((_, i) => i).sort((a, b) => {
    const x = (batch[a] as PricedEvent).id;
    const y = (batch[b] as PricedEvent).id;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** The claim's COPY text: the batch's ids in claimOrder, each with its timestamp. */
function claimText(batch: PricedEvent[], occurredAt: string[]): string {
  let rows = "";
  for (const i of claimOrder(batch)) rows += `${copyText((batch[i] as PricedEvent).id)}\t${occurredAt[i]}\n`;
  return rows;
}

/** The events' COPY text; `occurredAt[i]` is events[i]'s timestamp as text. */
function eventsText(events: PricedEvent[], occurredAt: string[], pricedAt: string): string {
  let out = "";
  for (let i = 0; i < events.length; i++) out += eventLine(events[i] as PricedEvent, occurredAt[i] as string, pricedAt);
  return out;
}

/** The claimed events' timestamps as text: the batch's own when every id was new (the usual case). */
function timestampsOf(events: PricedEvent[], batch: PricedEvent[], batchTimestamps: string[]): string[] {
  return events === batch ? batchTimestamps : events.map((e) => e.occurredAt.toISOString());
}

/** Runs one named step of a batch's write and answers its result (bench:ingest-profile times each). */
export type StepRunner = <T>(name: WriteStep, step: () => Promise<T>) => Promise<T>;

/**
 * A write's steps: the `skip-stored` claim (a statement of its own); the COPY texts rendered (the
 * rollup additions summed); then the COPYs and the commit sent, all in one write (`write`), or, for
 * the profile's sake (`separateCopies`), each as a statement of its own (`claim`, `events`,
 * `rollups`, `commit`).
 */
export type WriteStep = "claim" | "render" | "write" | "events" | "rollups" | "commit";

const runStep: StepRunner = (_name, step) => step();

export interface InsertOptions {
  pricedAt?: Date;
  claim?: ClaimMode;
  step?: StepRunner;
  /**
   * Ends the caller's transaction in the COPYs' own write, so the batch commits without a round
   * trip of its own: the parameterless SQL this answers for the number of new events (the
   * ingest's receipt; null: none), then COMMIT, checked to have committed.
   */
  commitWith?: (inserted: number) => string | null;
  /** The profile's: each COPY (and the commit) sent as a statement of its own, so each is timed apart. */
  separateCopies?: boolean;
}

/**
 * Inserts the events and their rollup additions in the caller's transaction; returns the ids that
 * were new. With `claim: "copy"` the ids' COPY goes first in the same write as the events', the
 * rollups' and the commit (lib/db/copy-pipeline.ts): one round trip for all, and a stored id throws
 * StoredIdMet and loses the transaction. With `skip-stored` the claim is answered first.
 */
export async function insertEvents(client: pg.ClientBase, batch: PricedEvent[], options: InsertOptions = {}): Promise<Set<string>> {
  const step = options.step ?? runStep;
  const occurredAt = batch.map((e) => e.occurredAt.toISOString());
  const copyClaim = (options.claim ?? "skip-stored") === "copy";
  const events = copyClaim || batch.length === 0 ? batch : await step("claim", () => claimSkippingStored(client, batch, occurredAt));
  const commit = options.commitWith ? commitStatements(options.commitWith(events.length)) : null;
  if (events.length === 0) {
    if (commit !== null) assertCommitted(commandTags(await client.query(commit)));
    return new Set();
  }
  const pricedAt = (options.pricedAt ?? new Date()).toISOString();
  const copies = await step("render", async () => {
    const list: CopyStatement[] = [];
    if (copyClaim) list.push({ step: "claim", sql: CLAIM_COPY_SQL, text: claimText(batch, occurredAt) });
    list.push({ step: "events", sql: COPY_EVENTS_SQL, text: eventsText(events, timestampsOf(events, batch, occurredAt), pricedAt) });
    list.push({ step: "rollups", sql: COPY_PENDING_SQL, text: rollupDeltasCopyText(events) });
    return list;
  });
  try {
    if (options.separateCopies) {
      for (const copy of copies) await step(copy.step, () => queryWithCopies(client, copy.sql, [copy.text]));
      if (commit !== null) assertCommitted(commandTags(await step("commit", () => client.query(commit))));
    } else {
      const sql = copies.map((copy) => copy.sql).join("; ") + (commit === null ? "" : `; ${commit}`);
      const tags = await step("write", () => queryWithCopies(client, sql, copies.map((copy) => copy.text)));
      if (commit !== null) assertCommitted(tags);
    }
  } catch (error) {
    throw copyClaim && isStoredIdConflict(error) ? new StoredIdMet(error) : error;
  }
  return new Set(events.map((e) => e.id));
}

function commandTags(result: pg.QueryResult | pg.QueryResult[]): string[] {
  return resultsOf(result).map((r) => r.command);
}

interface CopyStatement {
  step: "claim" | "events" | "rollups";
  sql: string;
  text: string;
}

/** A unique violation of usage_event_ids' key: the claim met an id already stored. */
function isStoredIdConflict(error: unknown): boolean {
  const pgError = error as { code?: unknown; constraint?: unknown } | null;
  return pgError?.code === UNIQUE_VIOLATION && pgError.constraint === "usage_event_ids_pkey";
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
