import { withRoute } from "@/lib/http/with-route";
import { ingestOtlpTraces } from "@/lib/ingestion/ingest-otlp";
import { answerInRequestEncoding, decodeOtlpBody, OTLP_MAX_BODY_BYTES, otlpEncoding, otlpSuccess } from "@/lib/ingestion/otlp-http";

export const dynamic = "force-dynamic";

/** OTLP/HTTP traces, protobuf or JSON, optionally gzip/deflate: spans of model calls become usage events (contract). */
export const POST = answerInRequestEncoding(
  withRoute({ permission: "usage:ingest", maxBodyBytes: OTLP_MAX_BODY_BYTES }, async (route) => {
    const encoding = otlpEncoding(route.request);
    const body = decodeOtlpBody(await route.bytes(), encoding);
    const result = await ingestOtlpTraces(route, { body });
    return otlpSuccess(result, encoding);
  }),
);
