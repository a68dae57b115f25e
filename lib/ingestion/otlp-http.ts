import "server-only";
import { ApiError } from "@/lib/http/errors";
import { jsonResponse } from "@/lib/http/with-route";
import { decodeTraceRequest, encodeStatus, encodeTraceResponse, ProtobufDecodeError } from "@/lib/ingestion/otlp-protobuf";
import type { OtlpExportTraceResponse } from "@/lib/ingestion/otlp";

/**
 * OTLP/HTTP's two encodings on one path (contract): the request's Content-Type picks the decoder,
 * and every answer — success, partial success and errors alike — goes back in that encoding,
 * because an OTLP client parses the body it gets in the encoding it sent.
 */
export type OtlpEncoding = "protobuf" | "json";

/** At most this many bytes after inflating (contract). */
export const OTLP_MAX_BODY_BYTES = 20_000_000;

const PROTOBUF_TYPE = "application/x-protobuf";
const JSON_TYPE = "application/json";

function mediaType(request: Request): string {
  return mediaTypeOf(request.headers.get("content-type"));
}

function mediaTypeOf(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** The encoding a request declares; 415 for anything else. */
export function otlpEncoding(request: Request): OtlpEncoding {
  return otlpEncodingOf(request.headers.get("content-type"));
}

/** The encoding a Content-Type header declares; 415 for anything else. */
export function otlpEncodingOf(contentType: string | null): OtlpEncoding {
  const type = mediaTypeOf(contentType);
  if (type === PROTOBUF_TYPE) return "protobuf";
  if (type === JSON_TYPE) return "json";
  throw new ApiError(
    "unsupported_media_type",
    `OTLP/HTTP takes Content-Type ${PROTOBUF_TYPE} or ${JSON_TYPE}${type ? `, not ${type.slice(0, 60)}` : ""}.`,
    { details: [{ path: "content-type", message: `must be ${PROTOBUF_TYPE} or ${JSON_TYPE}` }] },
  );
}

/** The body in its encoding → an ExportTraceServiceRequest in the OTLP/JSON shape; 400 when it is not one. */
export function decodeOtlpBody(body: Buffer, encoding: OtlpEncoding): unknown {
  if (encoding === "protobuf") {
    try {
      return decodeTraceRequest(body);
    } catch (error) {
      if (!(error instanceof ProtobufDecodeError)) throw error;
      throw new ApiError("invalid_request", `The body is not an OTLP ExportTraceServiceRequest in protobuf: ${error.message}.`);
    }
  }
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new ApiError("invalid_request", "The body is not valid JSON.");
  }
}

export function otlpSuccess(result: OtlpExportTraceResponse, encoding: OtlpEncoding): Response {
  if (encoding === "json") return jsonResponse(result);
  return new Response(Buffer.from(encodeTraceResponse(result.partialSuccess)), {
    status: 200,
    headers: { "content-type": PROTOBUF_TYPE, "cache-control": "no-store" },
  });
}

/** otlpSuccess's protobuf body, for the custom server's answer. */
export function otlpSuccessProtobuf(result: OtlpExportTraceResponse): Buffer {
  return Buffer.from(encodeTraceResponse(result.partialSuccess));
}

/** An error answer's body as the google.rpc.Status OTLP/HTTP prescribes for protobuf requests. */
export function otlpProtobufError(status: number, message: string): Buffer {
  return Buffer.from(encodeStatus(RPC_CODES[status] ?? 2, message));
}

export const OTLP_PROTOBUF_TYPE = PROTOBUF_TYPE;
/** Whether a Content-Type is OTLP's protobuf: errors then go back as google.rpc.Status. */
export function isProtobufType(contentType: string | null): boolean {
  return mediaTypeOf(contentType) === PROTOBUF_TYPE;
}

// google.rpc.Code for the HTTP statuses this route answers.
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 3, 415: 3, 429: 8, 500: 13, 503: 14 };

/**
 * Wraps the route: when the request was protobuf, an error answer (the contract's JSON error body,
 * from withRoute) is re-encoded as the google.rpc.Status OTLP/HTTP prescribes, keeping its status
 * and headers (Retry-After tells the exporter when to retry a 429 or 503).
 */
export function answerInRequestEncoding<A extends unknown[]>(
  handler: (request: Request, ...rest: A) => Promise<Response>,
): (request: Request, ...rest: A) => Promise<Response> {
  return async (request, ...rest) => {
    const response = await handler(request, ...rest);
    if (response.status < 400 || mediaType(request) !== PROTOBUF_TYPE) return response;
    let message = response.statusText;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      message = body.error?.message ?? message;
    } catch {
      // Not the contract's JSON body: the status alone says it.
    }
    const headers = new Headers(response.headers);
    headers.set("content-type", PROTOBUF_TYPE);
    headers.delete("content-length");
    return new Response(Buffer.from(encodeStatus(RPC_CODES[response.status] ?? 2, message)), { status: response.status, headers });
  };
}
