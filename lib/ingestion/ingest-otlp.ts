import "server-only";
import { ingestScope, storeEventBatch, type IngestOptions } from "@/lib/ingestion/ingest-events";
import { convertOtlpTraces, otlpPartialSuccess, type OtlpExportTraceResponse } from "@/lib/ingestion/otlp";
import { MAX_BATCH_EVENTS } from "@/lib/schemas/event";
import { ApiError } from "@/lib/http/errors";
import { recordIngest, secondsSince, type IngestTally, type RejectReason } from "@/lib/ops/metrics";
import { dbOf, type Ctx } from "@/lib/context";

/**
 * Spans → contract events → the same ingestion as POST /api/v1/events, in batches of the
 * usual size. Spans without gen_ai attributes are ignored; unusable ones are reported as
 * rejected through OTLP's partialSuccess, as OTLP/HTTP prescribes.
 */
export async function ingestOtlpTraces(ctx: Ctx, input: { body: unknown }): Promise<OtlpExportTraceResponse> {
  const pool = dbOf(ctx);
  const options: IngestOptions = { ...ingestScope(ctx.principal), source: "otlp" };
  const body = input.body;
  const started = process.hrtime.bigint();
  const conversion = convertOtlpTraces(body);
  if (conversion.malformed.length > 0) {
    throw new ApiError("invalid_request", "The body is not an OTLP/HTTP JSON trace export.", {
      details: conversion.malformed,
    });
  }
  const messages = conversion.rejected.map((r) => `span ${r.span}: ${r.message}`);
  let rejected = conversion.rejected.length;
  const tally: IngestTally & { rejections: RejectReason[] } = {
    accepted: 0,
    duplicates: 0,
    unpriced: 0,
    rejections: conversion.rejected.map((): RejectReason => "invalid_span"),
  };
  for (let start = 0; start < conversion.events.length; start += MAX_BATCH_EVENTS) {
    const chunk = conversion.events.slice(start, start + MAX_BATCH_EVENTS);
    const { result, tally: stored } = await storeEventBatch(pool, chunk, options);
    tally.accepted += stored.accepted;
    tally.duplicates += stored.duplicates;
    tally.unpriced += stored.unpriced;
    tally.rejections.push(...stored.rejections);
    rejected += result.rejected;
    for (const error of result.errors) {
      const event = chunk[error.index];
      messages.push(`span ${event?.id ?? error.index}: ${error.path ? `${error.path} ` : ""}${error.message}`);
    }
  }
  recordIngest("otlp", tally, secondsSince(started));
  return otlpPartialSuccess(rejected, messages.slice(0, 20).join("; "));
}
