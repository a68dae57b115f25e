import "server-only";
import { ingestScope, storeEventBatch, type IngestResult } from "@/lib/ingestion/ingest-events";
import { litellmPayloadToEvent } from "@/lib/ingestion/litellm";
import type { ScannedBody } from "@/lib/ingestion/litellm-body";
import type { EventError } from "@/lib/ingestion/prepare-event";
import { recordIngest, secondsSince, type RejectReason } from "@/lib/ops/metrics";
import { dbOf, type Ctx } from "@/lib/context";

const LITELLM_FIELD_REASONS = new Map<string, RejectReason>([
  ["", "not_an_object"],
  ["id", "invalid_id"],
  ["startTime", "invalid_timestamp"],
  ["custom_llm_provider", "invalid_provider"],
  ["model", "invalid_model"],
]);

/** An error of the LiteLLM receiver: the payload's position in the body, and its NDJSON line when it came as one. */
export type LitellmError = EventError & { line?: number };

export interface LitellmIngestResult extends IngestResult {
  errors: LitellmError[];
}

/**
 * A scanned LiteLLM body → usage events → the same ingestion as POST /api/v1/events (one
 * transaction, duplicates counted once). Each payload is mapped on its own: a bad one (or a bad
 * NDJSON line) is rejected by its index, the rest are stored.
 */
export async function ingestLitellmPayloads(ctx: Ctx, input: { body: ScannedBody }): Promise<LitellmIngestResult> {
  const body = input.body;
  const started = process.hrtime.bigint();
  const errors: LitellmError[] = [];
  const rejections: RejectReason[] = [];
  const events: unknown[] = [];
  // events[i] came from body.items[positions[i]]
  const positions: number[] = [];
  body.items.forEach((item, index) => {
    const where = item.line === undefined ? {} : { line: item.line };
    if (item.error !== undefined) {
      errors.push({ index, ...where, path: "", message: `line ${item.line ?? index + 1} is not valid JSON: ${item.error}` });
      rejections.push("invalid_json");
      return;
    }
    const mapped = litellmPayloadToEvent(item.value);
    if (!mapped.ok) {
      const id = typeof (item.value as { id?: unknown } | null)?.id === "string" ? { id: (item.value as { id: string }).id } : {};
      errors.push({ index, ...id, ...where, path: mapped.path, message: mapped.message });
      rejections.push(LITELLM_FIELD_REASONS.get(mapped.path.split(".")[0] ?? "") ?? "invalid_usage");
      return;
    }
    positions.push(index);
    events.push(mapped.event);
  });

  let stored: IngestResult = { accepted: 0, duplicates: 0, rejected: 0, errors: [] };
  let unpriced = 0;
  if (events.length > 0) {
    const batch = await storeEventBatch(dbOf(ctx), events, { ...ingestScope(ctx.principal), source: "litellm" });
    stored = batch.result;
    unpriced = batch.tally.unpriced;
    rejections.push(...batch.tally.rejections);
  }
  for (const error of stored.errors) {
    const index = positions[error.index] ?? error.index;
    const line = body.items[index]?.line;
    errors.push({ ...error, index, ...(line === undefined ? {} : { line }) });
  }
  errors.sort((a, b) => a.index - b.index);
  const result: LitellmIngestResult = {
    accepted: stored.accepted,
    duplicates: stored.duplicates,
    rejected: new Set(errors.map((error) => error.index)).size,
    errors,
  };
  recordIngest("litellm", { accepted: result.accepted, duplicates: result.duplicates, unpriced, rejections }, secondsSince(started));
  return result;
}
