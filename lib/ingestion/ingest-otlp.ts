import type pg from "pg";
import { ingestEvents, type IngestOptions } from "@/lib/ingestion/ingest-events";
import { convertOtlpTraces, otlpPartialSuccess, type OtlpExportTraceResponse } from "@/lib/ingestion/otlp";
import { MAX_BATCH_EVENTS } from "@/lib/schemas/event";
import { ApiError } from "@/lib/http/errors";

/**
 * Spans → contract events → the same ingestion as POST /api/v1/events, in batches of the
 * usual size. Spans without gen_ai attributes are ignored; unusable ones are reported as
 * rejected through OTLP's partialSuccess, as OTLP/HTTP prescribes.
 */
export async function ingestOtlpTraces(
  pool: pg.Pool,
  body: unknown,
  options: IngestOptions = {},
): Promise<OtlpExportTraceResponse> {
  const conversion = convertOtlpTraces(body);
  if (conversion.malformed.length > 0) {
    throw new ApiError("invalid_request", "The body is not an OTLP/HTTP JSON trace export.", {
      details: conversion.malformed,
    });
  }
  const messages = conversion.rejected.map((r) => `span ${r.span}: ${r.message}`);
  let rejected = conversion.rejected.length;
  for (let start = 0; start < conversion.events.length; start += MAX_BATCH_EVENTS) {
    const chunk = conversion.events.slice(start, start + MAX_BATCH_EVENTS);
    const result = await ingestEvents(pool, chunk, options);
    rejected += result.rejected;
    for (const error of result.errors) {
      const event = chunk[error.index];
      messages.push(`span ${event?.id ?? error.index}: ${error.path ? `${error.path} ` : ""}${error.message}`);
    }
  }
  return otlpPartialSuccess(rejected, messages.slice(0, 20).join("; "));
}
