// Decoding of OTLP/JSON primitives: AnyValue attributes, int64/fixed64 numbers, trace and span ids,
// and nanosecond timestamps. Pure functions; nothing here throws on any input.
//
// Encoding rules (opentelemetry-proto docs/specification.md, "JSON Protobuf Encoding"):
// - proto3 JSON mapping, keys in lowerCamelCase;
// - traceId / spanId are hex strings (case-insensitive), not base64;
// - 64-bit integers are written as decimal strings, and decoders accept strings or numbers;
// - enums are integers.
// AnyValue (opentelemetry/proto/common/v1/common.proto) is a oneof of stringValue, boolValue,
// intValue (int64), doubleValue, arrayValue {values}, kvlistValue {values: KeyValue[]}, bytesValue.
// The protobuf decoder (otlp-protobuf.ts) gives the same shape, but leaves 64-bit integers as
// protobufjs Long values and bytes as Uint8Array: both are read here too, exactly. Neither can
// come from JSON (JSON.parse makes only plain objects, arrays and primitives).

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A repeated field: an array, or absent (undefined / null, the proto3 default). Anything else is malformed. */
export function repeatedField(value: unknown): unknown[] | null | "malformed" {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value : "malformed";
}

/** Attribute list (repeated KeyValue) → map of key → AnyValue object. First occurrence of a key wins. */
export function attributeMap(attributes: unknown): Map<string, JsonObject> {
  const map = new Map<string, JsonObject>();
  if (!Array.isArray(attributes)) return map;
  for (const kv of attributes) {
    if (!isObject(kv) || typeof kv.key !== "string" || map.has(kv.key)) continue;
    map.set(kv.key, isObject(kv.value) ? kv.value : {});
  }
  return map;
}

const INT64_STRING = /^-?\d+$/;

/**
 * An int64 / uint64 value as a BigInt, else null: from JSON a decimal string or an integral
 * number, from the protobuf decoder a Long.
 */
export function parseInt64(value: unknown): bigint | null {
  if (typeof value === "string") {
    return INT64_STRING.test(value) ? BigInt(value) : null;
  }
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (isDecodedLong(value)) {
    const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return value.unsigned ? bits : BigInt.asIntN(64, bits);
  }
  return null;
}

/** A 64-bit integer as protobufjs decodes it (a `long` Long: two 32-bit halves and its signedness). */
interface DecodedLong {
  low: number;
  high: number;
  unsigned: boolean;
}

function isDecodedLong(value: unknown): value is DecodedLong {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) === Object.prototype) return false;
  const long = value as Partial<DecodedLong> & { __isLong__?: unknown };
  return long.__isLong__ === true && Number.isInteger(long.low) && Number.isInteger(long.high) && typeof long.unsigned === "boolean";
}

export type IntResult = { ok: true; value: number } | { ok: false; message: string } | null;

/**
 * An attribute meant to hold an integer (a token count, an attempt number).
 * null: absent. Accepts intValue (string or number), an integral doubleValue, and a stringValue holding
 * a decimal integer. Values outside the safe-integer range cannot be represented exactly and are refused.
 */
export function attributeInteger(any: JsonObject | undefined): IntResult {
  if (any === undefined) return null;
  let big: bigint | null = null;
  if ("intValue" in any) big = parseInt64(any.intValue);
  else if ("doubleValue" in any) {
    big = typeof any.doubleValue === "number" && Number.isInteger(any.doubleValue) ? BigInt(any.doubleValue) : null;
  } else if ("stringValue" in any) {
    big = typeof any.stringValue === "string" ? parseInt64(any.stringValue.trim()) : null;
  }
  if (big === null) return { ok: false, message: "must be an integer" };
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
    return { ok: false, message: "is out of range" };
  }
  return { ok: true, value: Number(big) };
}

/** stringValue of an attribute, else null. */
export function attributeString(any: JsonObject | undefined): string | null {
  return any !== undefined && typeof any.stringValue === "string" ? any.stringValue : null;
}

/** A scalar attribute rendered as a tag string; arrays, kvlists, bytes and empty values give null. */
export function attributeScalarText(any: JsonObject): string | null {
  if (typeof any.stringValue === "string") return any.stringValue;
  if (typeof any.boolValue === "boolean") return any.boolValue ? "true" : "false";
  if ("intValue" in any) {
    const big = parseInt64(any.intValue);
    return big === null ? null : big.toString();
  }
  if (typeof any.doubleValue === "number" && Number.isFinite(any.doubleValue)) return String(any.doubleValue);
  return null;
}

/** boolValue, or a stringValue "true"/"false". */
export function attributeBoolean(any: JsonObject | undefined): boolean | null {
  if (any === undefined) return null;
  if (typeof any.boolValue === "boolean") return any.boolValue;
  if (typeof any.stringValue === "string") {
    const text = any.stringValue.trim().toLowerCase();
    if (text === "true") return true;
    if (text === "false") return false;
  }
  return null;
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * A trace id (16 bytes) or span id (8 bytes) as lowercase hex, or null when missing or invalid.
 * OTLP/JSON uses hex; an all-zero id is invalid (trace.proto). Some forwarders use the plain protobuf
 * JSON mapping (base64) instead; a base64 string of exactly the right byte length is accepted too.
 * From the protobuf decoder the id is its bytes.
 */
export function parseId(value: unknown, bytes: 16 | 8): string | null {
  if (value instanceof Uint8Array) return value.length === bytes ? nonZeroHex(value) : null;
  if (typeof value !== "string") return null;
  let hex: string | null = null;
  if (value.length === bytes * 2 && HEX.test(value)) hex = value.toLowerCase();
  else if (value.length === Math.ceil(bytes / 3) * 4 && BASE64.test(value)) hex = base64ToHex(value, bytes);
  if (hex === null || /^0+$/.test(hex)) return null;
  return hex;
}

/** Decoded id bytes as lowercase hex; null when all zero (an invalid id). */
function nonZeroHex(id: Uint8Array): string | null {
  let hex = "";
  let any = 0;
  for (let i = 0; i < id.length; i++) {
    const byte = id[i] as number;
    any |= byte;
    hex += HEX_BYTE[byte];
  }
  return any === 0 ? null : hex;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

function base64ToHex(value: string, bytes: number): string | null {
  let binary: string;
  try {
    binary = atob(value);
  } catch {
    return null;
  }
  if (binary.length !== bytes) return null;
  let hex = "";
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, "0");
  return hex;
}

const UINT64_MAX = (1n << 64n) - 1n;
const NANOS_PER_MS = 1_000_000n;

/** A fixed64 nanosecond timestamp; null when absent, zero (unset), negative, beyond uint64 or not an integer. */
export function parseUnixNano(value: unknown): bigint | null {
  const nanos = parseInt64(value);
  if (nanos === null || nanos <= 0n || nanos > UINT64_MAX) return null;
  return nanos;
}

/**
 * Nanoseconds since the epoch → RFC 3339 UTC with millisecond precision ("2025-11-24T16:00:00.123Z").
 * Sub-millisecond digits are truncated (BigInt division), never rounded through a float.
 * Every uint64 value lands before the year 2555, inside the Date range and four-digit years.
 */
export function unixNanoToRfc3339(nanos: bigint): string {
  return new Date(Number(nanos / NANOS_PER_MS)).toISOString();
}

/** Whole milliseconds between two nanosecond timestamps, rounded half up; null when end precedes start. */
export function latencyMs(start: bigint, end: bigint): number | null {
  const diff = end - start;
  if (diff < 0n) return null;
  return Number((diff + NANOS_PER_MS / 2n) / NANOS_PER_MS);
}
