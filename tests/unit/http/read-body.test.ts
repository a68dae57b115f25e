import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ApiError } from "@/lib/http/errors";
import { readBodyBytes } from "@/lib/http/read-body";

function request(body: Uint8Array, encoding?: string): Request {
  return new Request("http://localhost/x", { method: "POST", body: Buffer.from(body), headers: encoding ? { "content-encoding": encoding } : {} });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("readBodyBytes", () => {
  const text = Buffer.from("x".repeat(100_000));

  it("inflates gzip, zlib deflate and raw deflate to the same bytes", async () => {
    for (const [body, encoding] of [
      [gzipSync(text), "gzip"],
      [gzipSync(text), "x-gzip"],
      [deflateSync(text), "deflate"],
      [deflateRawSync(text), "deflate"],
      [text, undefined],
      [text, "identity"],
    ] as const) {
      expect((await readBodyBytes(request(body, encoding), { maxBytes: 200_000 })).equals(text)).toBe(true);
    }
  });

  it("counts the inflated bytes against the cap and stops at once", async () => {
    const member = gzipSync(Buffer.alloc(1_000_000));
    const bomb = Buffer.concat(Array.from({ length: 200 }, () => member)); // 200 MB inflated
    const error = await failure(readBodyBytes(request(bomb, "gzip"), { maxBytes: 5_000_000 }));
    expect(error.code).toBe("payload_too_large");
    expect((await failure(readBodyBytes(request(text), { maxBytes: 99_999 }))).code).toBe("payload_too_large");
  });

  it("refuses truncated or corrupt compressed bodies with 400 and unknown codings with 415", async () => {
    const gz = gzipSync(text);
    expect((await failure(readBodyBytes(request(gz.subarray(0, gz.length - 8), "gzip"), { maxBytes: 1e6 }))).code).toBe("invalid_request");
    expect((await failure(readBodyBytes(request(Buffer.from("not gzip at all"), "gzip"), { maxBytes: 1e6 }))).code).toBe("invalid_request");
    expect((await failure(readBodyBytes(request(text, "br"), { maxBytes: 1e6 }))).code).toBe("unsupported_media_type");
  });

  it("streams inflated chunks to onChunk without keeping them", async () => {
    let seen = 0;
    const kept = await readBodyBytes(request(gzipSync(text), "gzip"), { maxBytes: 1e6, onChunk: (chunk) => (seen += chunk.length) });
    expect(seen).toBe(text.length);
    expect(kept.length).toBe(0);
  });
});
