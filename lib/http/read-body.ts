import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from "node:zlib";
import { ApiError } from "@/lib/http/errors";

/**
 * Request bodies as bytes, with the size cap applied to what the handler will see.
 *
 * `Content-Encoding: gzip` (or `deflate`) is inflated as a stream and the cap counts the
 * inflated bytes: the moment it is passed the inflater is destroyed and the answer is a 413,
 * so a small body that inflates to gigabytes costs milliseconds, never memory. The OTel
 * Collector, the Python exporter and the Java agent all compress by default.
 *
 * Every consumer sees plain bytes; a consumer that can work on chunks (the LiteLLM scanner)
 * passes `onChunk` and the bytes are not kept at all.
 */
export interface ReadBodyOptions {
  /** Most bytes after inflating (and before, when the body is not compressed). */
  maxBytes: number;
  /** Receives each (inflated) chunk instead of collecting them; the result is then empty. */
  onChunk?: (chunk: Buffer) => void;
}

type Decoder = Gunzip | Inflate | InflateRaw;

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `The body exceeds ${maxBytes.toLocaleString("en-US")} bytes.`);
}

/** The Content-Encoding header's coding, lower-cased; null for none/identity. 415 for what we cannot decode. */
export function contentCoding(request: Request): "gzip" | "deflate" | null {
  const header = request.headers.get("content-encoding")?.trim().toLowerCase() ?? "";
  if (header === "" || header === "identity") return null;
  if (header === "gzip" || header === "x-gzip") return "gzip";
  if (header === "deflate") return "deflate";
  throw new ApiError("unsupported_media_type", `Content-Encoding "${header.slice(0, 40)}" is not supported; send gzip, deflate or none.`, {
    details: [{ path: "content-encoding", message: "must be gzip, deflate or absent" }],
  });
}

export async function readBodyBytes(request: Request, options: ReadBodyOptions): Promise<Buffer> {
  const { maxBytes } = options;
  const coding = contentCoding(request);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  // A compressed body is never larger than what it inflates to by more than a few bytes per block.
  const declaredCap = coding === null ? maxBytes : maxBytes + Math.ceil(maxBytes / 100) + 1024;
  if (Number.isFinite(declared) && declared > declaredCap) throw tooLarge(maxBytes);
  if (!request.body) throw new ApiError("invalid_request", "The body is empty.");

  const chunks: Buffer[] = [];
  let size = 0;
  const accept = (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    if (options.onChunk) options.onChunk(chunk);
    else chunks.push(chunk);
  };

  const reader = request.body.getReader();
  try {
    if (coding === null) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        accept(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    } else {
      await inflateInto(reader, coding, accept);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  return options.onChunk ? Buffer.alloc(0) : Buffer.concat(chunks, size);
}

/** Pumps the request stream through an inflater; the first error (ours or zlib's) ends it. */
async function inflateInto(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  coding: "gzip" | "deflate",
  accept: (chunk: Buffer) => void,
): Promise<void> {
  let decoder: Decoder | null = null;
  let failure: unknown = null;
  let finished = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    wake?.();
    wake = null;
  };
  const waitForDecoder = () => new Promise<void>((resolve) => (wake = resolve));

  const start = (first: Buffer) => {
    decoder = coding === "gzip" ? createGunzip() : looksLikeZlib(first) ? createInflate() : createInflateRaw();
    decoder.on("data", (chunk: Buffer) => {
      if (failure !== null) return;
      try {
        accept(chunk);
      } catch (error) {
        failure = error;
        decoder?.destroy();
        signal();
      }
    });
    decoder.on("error", (error) => {
      failure ??= new ApiError("invalid_request", `The ${coding} body cannot be decompressed: ${error.message}.`);
      signal();
    });
    decoder.on("end", () => {
      finished = true;
      signal();
    });
    decoder.on("drain", signal);
  };

  for (;;) {
    const { done, value } = await reader.read();
    if (failure !== null) throw failure;
    if (done) break;
    const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (chunk.byteLength === 0) continue;
    if (decoder === null) start(chunk);
    const d = decoder as unknown as Decoder;
    if (!d.write(chunk)) {
      // Back-pressure: the inflater's output is consumed synchronously by `accept`, so it drains
      // as fast as zlib runs; waiting here is what keeps a bomb from queueing input.
      while (failure === null && d.writableNeedDrain) await waitForDecoder();
    }
    if (failure !== null) throw failure;
  }
  if (decoder === null) throw new ApiError("invalid_request", "The body is empty.");
  const d = decoder as unknown as Decoder;
  d.end();
  while (failure === null && !finished) await waitForDecoder();
  if (failure !== null) throw failure;
}

/** RFC 1950 header check: "deflate" is zlib-wrapped by the standard, raw from some clients. */
function looksLikeZlib(first: Buffer): boolean {
  if (first.byteLength < 2) return true;
  const cmf = first[0] ?? 0;
  const flg = first[1] ?? 0;
  return (cmf & 0x0f) === 8 && (cmf * 256 + flg) % 31 === 0;
}
