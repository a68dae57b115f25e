import "server-only";
import pg from "pg";
import type { Principal } from "@/lib/auth/permissions";
import { prepareEvent, type EventError, type PreparedEvent } from "@/lib/ingestion/prepare-event";
import { ensurePartitionsFor, forgetKnownMonths, isMissingPartition, monthKey, retentionCutoff, unknownMonths } from "@/lib/db/partitions";
import { withTransaction } from "@/lib/db/sql";
import { readEnv } from "@/lib/env";
import { discoverTeams, insertEvents, rememberTeams, StoredIdMet, type ClaimMode } from "@/lib/ingestion/write-events";
import type { PricedEvent } from "@/lib/ingestion/prepare-event";
import { batchBeginSql, pricerFromBegin } from "@/lib/ingestion/price-batch";
import { recordIngest, rejectReason, secondsSince, type IngestTally, type RejectReason } from "@/lib/ops/metrics";
import { dbOf, type Ctx } from "@/lib/context";

const { escapeLiteral } = pg;

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: EventError[];
}

/**
 * Validates each event on its own, then stores the valid ones in one transaction:
 * priced at the rate in effect at each event's time, deduplicated by id (within the
 * batch here, against everything stored by the primary key), rollups updated with
 * exactly the new rows. Returns only after COMMIT: a 2xx means the data is durable.
 */
export interface IngestOptions {
  /** The team of a team-bound API key: untagged events get it, other teams' events are refused. */
  boundTeam?: string | null;
  /** Which receiver took the batch (the Connect page shows each one's last arrival); default "events". */
  source?: IngestSource;
  /**
   * The id space of a team-bound key: its ids are stored as `<namespace>/<id>`, so deduplication can
   * neither tell it that another team's id exists nor let it claim an id before another team does.
   */
  idNamespace?: string | null;
}

/** How a principal's batches are held: a team-bound key to its team and to its own id space. */
export function ingestScope(principal: Principal): Pick<IngestOptions, "boundTeam" | "idNamespace"> {
  if (principal.kind !== "key" || principal.team === null) return { boundTeam: null, idNamespace: null };
  return { boundTeam: principal.team.slug, idNamespace: `team:${principal.team.id}` };
}

/** The stored id of an item: the client's id, in its key's id space when it has one. */
export function scopedItemId(id: string, idNamespace: string | null | undefined): string {
  return idNamespace ? `${idNamespace}/${id}` : id;
}

export const INGEST_SOURCES = ["events", "otlp", "litellm"] as const;
export type IngestSource = (typeof INGEST_SOURCES)[number];

/** POST /api/v1/events: a batch stored as the caller's key holds it (ingestScope). */
export async function ingestEvents(ctx: Ctx, input: { events: readonly unknown[] }): Promise<IngestResult> {
  const started = process.hrtime.bigint();
  const { result, tally } = await storeEventBatch(dbOf(ctx), input.events, ingestScope(ctx.principal));
  recordIngest("usage", tally, secondsSince(started));
  return result;
}

/** ingestEvents without recording metrics, plus what they are made of: OTLP records its chunks as one request of its own kind. */
export async function storeEventBatch(
  pool: pg.Pool,
  rawEvents: readonly unknown[],
  options: IngestOptions = {},
): Promise<{ result: IngestResult; tally: IngestTally }> {
  const errors: EventError[] = [];
  const rejections: RejectReason[] = [];
  const unique: PreparedEvent[] = [];
  // Where each of `unique` came from: its index in the batch and the id as its sender wrote it.
  const origins: EventOrigin[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const retentionMonths = readEnv().BURNRATE_RETENTION_MONTHS;
  const keptFrom = retentionMonths > 0 ? retentionCutoff(new Date(), retentionMonths) : null;
  rawEvents.forEach((raw, index) => {
    const prepared = prepareEvent(raw, index);
    if (!prepared.ok) {
      errors.push(...prepared.errors);
      if (prepared.errors[0]) rejections.push(rejectReason(prepared.errors[0]));
      return;
    }
    const teamProblem = applyBoundTeam(prepared.event, options.boundTeam, index);
    if (teamProblem) {
      errors.push(teamProblem);
      rejections.push("team_not_allowed");
      return;
    }
    const clientId = prepared.event.id;
    prepared.event.id = scopedItemId(clientId, options.idNamespace);
    if (keptFrom && prepared.event.occurredAt < keptFrom) {
      // Its month is dropped (or about to be) with its dedupe ids: stored now, it would be counted twice.
      errors.push({
        index,
        id: clientId,
        path: "timestamp",
        message: `is before ${keptFrom.toISOString()}: raw events older than the retention (BURNRATE_RETENTION_MONTHS) are not kept`,
      });
      rejections.push("invalid_timestamp");
      return;
    }
    if (seen.has(prepared.event.id)) {
      duplicates++;
      return;
    }
    seen.add(prepared.event.id);
    unique.push(prepared.event);
    origins.push({ index, id: clientId });
  });
  capNewMonths(unique, origins, errors, rejections);
  const rejected = new Set(errors.map((error) => error.index)).size;
  if (unique.length === 0) return { result: { accepted: 0, duplicates, rejected, errors }, tally: { accepted: 0, duplicates, unpriced: 0, rejections } };

  // Before the transaction: a missing monthly partition is created on its own connection.
  await ensurePartitionsFor(pool, unique.map((event) => event.occurredAt));
  let written: { inserted: Set<string>; priced: PricedEvent[] };
  try {
    written = await writeBatch(pool, unique, options.source ?? "events");
  } catch (error) {
    if (!isMissingPartition(error)) throw error;
    // A month this process knew was dropped meanwhile (the retention, maybe on another instance).
    forgetKnownMonths();
    await ensurePartitionsFor(pool, unique.map((event) => event.occurredAt));
    written = await writeBatch(pool, unique, options.source ?? "events");
  }
  const { inserted, priced } = written;
  const result = { accepted: inserted.size, duplicates: duplicates + (unique.length - inserted.size), rejected, errors };
  const unpriced = priced.filter((event) => event.costUsd === null && inserted.has(event.id)).length;
  return { result, tally: { accepted: result.accepted, duplicates: result.duplicates, unpriced, rejections } };
}

/**
 * A batch may open at most this many months this process has no partition for: each is DDL on
 * its own connection, and a batch spread over years of backfill is better sent month by month.
 */
export const MAX_NEW_MONTHS_PER_BATCH = 24;

/** Where a stored event came from: its index in the batch and the id as its sender wrote it. */
interface EventOrigin {
  index: number;
  id: string;
}

/** Moves the events of months past the cap from `unique` to the rejected, each with its reason. */
function capNewMonths(unique: PreparedEvent[], origins: EventOrigin[], errors: EventError[], rejections: RejectReason[]): void {
  const months = unknownMonths(unique.map((event) => event.occurredAt));
  if (months.length <= MAX_NEW_MONTHS_PER_BATCH) return;
  const refused = new Set(months.slice(MAX_NEW_MONTHS_PER_BATCH));
  const kept = unique.filter((event, i) => {
    if (!refused.has(monthKey(event.occurredAt))) return true;
    const origin = origins[i] as EventOrigin;
    errors.push({
      index: origin.index,
      id: origin.id,
      path: "timestamp",
      message: `this batch reaches into more than ${MAX_NEW_MONTHS_PER_BATCH} months without stored events; send older months in batches of their own`,
    });
    rejections.push("invalid_timestamp");
    return false;
  });
  unique.splice(0, unique.length, ...kept);
}

/** Prices and stores the batch in one transaction; returns the ids that were new. */
async function writeBatch(
  pool: pg.Pool,
  unique: PreparedEvent[],
  source: IngestSource,
): Promise<{ inserted: Set<string>; priced: PricedEvent[] }> {
  try {
    return await writeBatchOnce(pool, unique, source, "copy");
  } catch (error) {
    // An id was already stored (a resent batch): rolled back; once more, skipping the stored ids.
    if (error instanceof StoredIdMet) return await writeBatchOnce(pool, unique, source, "skip-stored");
    throw error;
  }
}

async function writeBatchOnce(
  pool: pg.Pool,
  unique: PreparedEvent[],
  source: IngestSource,
  claim: ClaimMode,
): Promise<{ inserted: Set<string>; priced: PricedEvent[] }> {
  // Two round trips in all. The first: BEGIN, the shared pricing lock and the batch's prices
  // (batchBeginSql). The second: the COPYs, the Connect page's receipt and COMMIT.
  const written = await withTransaction(
    pool,
    async (client, began) => {
      const priced: PricedEvent[] = pricerFromBegin(began).priceAll(unique);
      const teams = priced.flatMap((event) => (event.team ? [event.team] : []));
      await discoverTeams(client, teams);
      const inserted = await insertEvents(client, priced, { claim, commitWith: (events) => ingestReceiptSql(source, events) });
      return { inserted, priced, teams };
    },
    { beginWith: batchBeginSql(unique), fnCommits: true },
  );
  rememberTeams(written.teams);
  return { inserted: written.inserted, priced: written.priced };
}

/** The Connect page's receipt of a stored batch (lib/ingestion/ingest-receipts.ts reads them); null when nothing was new. */
export function ingestReceiptSql(source: IngestSource, events: number): string | null {
  return events > 0 ? `INSERT INTO ingest_receipts (source, events) VALUES (${escapeLiteral(source)}, ${events})` : null;
}

/** Holds a team-bound key to its team; returns the error for an event of another team. */
export function applyBoundTeam(
  item: { id: string; team: string | null },
  boundTeam: string | null | undefined,
  index: number,
): EventError | null {
  if (!boundTeam) return null;
  if (item.team === null) {
    item.team = boundTeam;
    return null;
  }
  if (item.team === boundTeam) return null;
  return { index, id: item.id, path: "tags.team", message: `this API key may only send data for team "${boundTeam}"` };
}
