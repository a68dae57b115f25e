import { createRequire } from "node:module";

/**
 * OTLP/HTTP's binary encoding. The messages come from the official opentelemetry-proto
 * definitions as OpenTelemetry JS compiled them with protobufjs (`otlp-proto-definitions` is
 * `@opentelemetry/otlp-transformer@0.216.0`, the last release that ships the generated
 * module; decoding is protobufjs's own). Nothing here is hand-written wire format except the
 * two-field google.rpc.Status of an error answer, which those definitions do not include.
 *
 * A decoded request is turned into the OTLP/JSON shape (proto3 JSON mapping: lowerCamelCase,
 * int64 as decimal strings, enums as numbers, bytes as base64) so that one converter
 * (lib/ingestion/otlp.ts) serves both encodings and they cannot drift apart.
 */

interface ProtobufWriter {
  uint32(value: number): ProtobufWriter;
  int32(value: number): ProtobufWriter;
  string(value: string): ProtobufWriter;
  finish(): Uint8Array;
}

interface MessageType {
  decode(reader: Uint8Array): unknown;
  encode(message: unknown): ProtobufWriter;
  fromObject(object: unknown): unknown;
  toObject(message: unknown, options: Record<string, unknown>): Record<string, unknown>;
}

interface GeneratedRoot {
  opentelemetry: {
    proto: { collector: { trace: { v1: { ExportTraceServiceRequest: MessageType; ExportTraceServiceResponse: MessageType } } } };
  };
}

// A CommonJS module without usable typings (its root.d.ts declares only a Root), loaded at run
// time: it is a server external package (next.config.ts), so route bundles and the custom
// server share one copy.
const require = createRequire(import.meta.url);
const generated = require("otlp-proto-definitions/build/src/generated/root.js") as GeneratedRoot;
const { ExportTraceServiceRequest, ExportTraceServiceResponse } = generated.opentelemetry.proto.collector.trace.v1;
const { Writer } = require("protobufjs/minimal") as { Writer: { create(): ProtobufWriter } };

// proto3 JSON mapping, as OTLP/JSON writes it, except two kinds of value otlp-values.ts reads
// exactly as the decoder leaves them: 64-bit integers stay protobufjs Long values (rendering
// each as a decimal string, to parse it back, was a tenth of the server's CPU per export under
// bench:ingest) and bytes stay Uint8Array (trace and span ids, instead of a base64 detour).
const TO_JSON_SHAPE = { enums: Number, defaults: false, arrays: false, json: true };

export class ProtobufDecodeError extends Error {}

/** An ExportTraceServiceRequest in protobuf → the same request in the OTLP/JSON shape. */
export function decodeTraceRequest(bytes: Uint8Array): Record<string, unknown> {
  let message: unknown;
  try {
    message = ExportTraceServiceRequest.decode(bytes);
  } catch (error) {
    // Truncated messages, wrong wire types, absurd lengths, and a stack overflow on nesting.
    throw new ProtobufDecodeError(error instanceof Error ? error.message : String(error));
  }
  return ExportTraceServiceRequest.toObject(message, TO_JSON_SHAPE);
}

/** An ExportTraceServiceResponse in protobuf: empty on full success, else its partial_success. */
export function encodeTraceResponse(partialSuccess?: { rejectedSpans: string; errorMessage?: string }): Uint8Array {
  const message = ExportTraceServiceResponse.fromObject(partialSuccess ? { partialSuccess } : {});
  return ExportTraceServiceResponse.encode(message).finish();
}

/** OTLP/HTTP error bodies are a google.rpc.Status: code (1, int32) and message (2, string). */
export function encodeStatus(code: number, message: string): Uint8Array {
  const writer = Writer.create();
  if (code !== 0) writer.uint32((1 << 3) | 0).int32(code);
  if (message !== "") writer.uint32((2 << 3) | 2).string(message);
  return writer.finish();
}

const ID_FIELDS = new Set(["traceId", "spanId", "parentSpanId"]);

/**
 * The inverse of decodeTraceRequest, for tests and benchmarks that send recorded OTLP/JSON
 * fixtures as protobuf: ids are hex in OTLP/JSON but base64 in protobufjs's object form.
 */
export function encodeTraceRequest(json: unknown): Uint8Array {
  const withBinaryIds = JSON.parse(JSON.stringify(json), (key, value: unknown) =>
    ID_FIELDS.has(key) && typeof value === "string" && /^[0-9a-f]*$/i.test(value) ? Buffer.from(value, "hex") : value,
  ) as unknown;
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(withBinaryIds)).finish();
}

/** An ExportTraceServiceResponse read back in the OTLP/JSON shape (tests): rejectedSpans as a decimal string. */
export function decodeTraceResponse(bytes: Uint8Array): Record<string, unknown> {
  return ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { ...TO_JSON_SHAPE, longs: String });
}
