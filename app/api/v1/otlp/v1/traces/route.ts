import { getPool } from "@/lib/db";
import { ingestScope } from "@/lib/ingestion/ingest-events";
import { withRoute } from "@/lib/http/with-route";
import { ingestOtlpTraces } from "@/lib/ingestion/ingest-otlp";
import { answerInRequestEncoding, decodeOtlpBody, OTLP_MAX_BODY_BYTES, otlpEncoding, otlpSuccess } from "@/lib/ingestion/otlp-http";

export const dynamic = "force-dynamic";

/** OTLP/HTTP traces, protobuf or JSON, optionally gzip/deflate: spans of model calls become usage events (contract). */
export const POST = answerInRequestEncoding(
  withRoute({ permission: "usage:ingest", maxBodyBytes: OTLP_MAX_BODY_BYTES }, async ({ request, bytes, principal }) => {
    const encoding = otlpEncoding(request);
    const body = decodeOtlpBody(await bytes(), encoding);
    const result = await ingestOtlpTraces(getPool(), body, { ...ingestScope(principal), source: "otlp" });
    return otlpSuccess(result, encoding);
  }),
);
