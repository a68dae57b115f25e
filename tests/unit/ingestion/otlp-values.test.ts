import { describe, expect, it } from "vitest";
import { parseId, parseInt64, parseUnixNano } from "@/lib/ingestion/otlp-values";
import { decodeTraceRequest, encodeTraceRequest } from "@/lib/ingestion/otlp-protobuf";

// The protobuf decoder leaves 64-bit integers as protobufjs Long values and ids as bytes;
// otlp-values reads both exactly, and JSON cannot pass anything for either.

function decodedSpan(span: Record<string, unknown>): Record<string, unknown> {
  const request = decodeTraceRequest(encodeTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }));
  const resourceSpans = request.resourceSpans as { scopeSpans: { spans: Record<string, unknown>[] }[] }[];
  return resourceSpans[0]?.scopeSpans[0]?.spans[0] as Record<string, unknown>;
}

describe("64-bit integers from the protobuf decoder", () => {
  it("reads fixed64 timestamps and int64 attributes exactly at the edges of their ranges", () => {
    const span = decodedSpan({
      traceId: "0102030405060708090a0b0c0d0e0f10",
      spanId: "00000000000000ff",
      startTimeUnixNano: "18446744073709551615",
      endTimeUnixNano: "1764000000123456789",
      attributes: [
        { key: "min", value: { intValue: "-9223372036854775808" } },
        { key: "max", value: { intValue: "9223372036854775807" } },
        { key: "minus-one", value: { intValue: "-1" } },
      ],
    });
    expect(typeof span.startTimeUnixNano).toBe("object");
    expect(parseUnixNano(span.startTimeUnixNano)).toBe(18446744073709551615n);
    expect(parseUnixNano(span.endTimeUnixNano)).toBe(1764000000123456789n);
    const values = (span.attributes as { value: { intValue: unknown } }[]).map((a) => parseInt64(a.value.intValue));
    expect(values).toEqual([-9223372036854775808n, 9223372036854775807n, -1n]);
  });

  it("reads ids from their bytes: lowercase hex, leading zeros kept, all-zero refused", () => {
    const span = decodedSpan({ traceId: "0102030405060708090A0B0C0D0E0F10", spanId: "00000000000000ff" });
    expect(span.traceId).toBeInstanceOf(Uint8Array);
    expect(parseId(span.traceId, 16)).toBe("0102030405060708090a0b0c0d0e0f10");
    expect(parseId(span.spanId, 8)).toBe("00000000000000ff");
    expect(parseId(span.spanId, 16)).toBeNull();
    expect(parseId(new Uint8Array(8), 8)).toBeNull();
  });

  it("takes nothing Long-like or byte-like from JSON", () => {
    const fromJson = JSON.parse('{"intValue":{"__isLong__":true,"low":5,"high":0,"unsigned":true},"traceId":{"0":1,"length":16}}') as Record<string, unknown>;
    expect(parseInt64(fromJson.intValue)).toBeNull();
    expect(parseUnixNano(fromJson.intValue)).toBeNull();
    expect(parseId(fromJson.traceId, 16)).toBeNull();
  });
});
