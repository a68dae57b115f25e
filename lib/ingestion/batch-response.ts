import type { IngestResult } from "@/lib/ingestion/ingest-events";

/**
 * The contract's statuses for a valid envelope: 200 when every item was stored or a
 * duplicate, 207 when some were rejected and others not, 400 when none was valid. The
 * 400 also carries the standard error object so generic clients read it too.
 */
export function batchResponseBody(result: IngestResult, noun: "event" | "outcome" | "payload"): { status: number; body: object } {
  const body = { accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected, errors: result.errors };
  if (result.rejected === 0) return { status: 200, body };
  if (result.accepted + result.duplicates > 0) return { status: 207, body };
  return {
    status: 400,
    body: {
      ...body,
      error: {
        code: "invalid_request",
        message: `No ${noun} in the batch was valid.`,
        details: result.errors.map((e) => ({ path: `${noun}s.${e.index}${e.path ? `.${e.path}` : ""}`, message: e.message })),
      },
    },
  };
}
