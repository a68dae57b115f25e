import { createGunzip, createInflate, createInflateRaw, type Gunzip, type Inflate, type InflateRaw } from "node:zlib";
import { ApiError } from "@/lib/http/errors";
import { formatCount } from "@/lib/format";

/**
 * Request bodies as bytes, with the size cap applied to what the handler will see.
 *
 * `Content-Encoding: gzip` (or `deflate`) is inflated as a stream and the cap counts the
 * inflated bytes: the moment it is passed the inflater is destroyed and the answer is a 413,
 * so a small body that inflates to gigabytes costs milliseconds, never memory. The OTel
 * Collector, the Python exporter and the Java agent all compress by default.
 *
 * Every consumer sees plain bytes; a consumer that can work on chunks (the LiteLLM scanner)
 * passes `onChunk` and the bytes are not kept at all. The same reader serves a Web Request
 * (route handlers) and a node:http IncomingMessage (the custom server's fast paths): both are
 * async iterables of byte chunks.
 */
export interface ReadBodyOptions {
  /** Most bytes after inflating (and before, when the body is not compressed). */
  maxBytes: number;
  /** Receives each (inflated) chunk instead of collecting them; the result is then empty. */
  onChunk?: (chunk: Buffer) => void;
}

export interface BodySource {
  /** The Content-Encoding header, if any. */
  contentEncoding: string | null;
  /** The Content-Length header, if any. */
  contentLength: string | null;
  chunks: AsyncIterable<Uint8Array> | null;
  /** Stops the source early (a refused body is not read to its end). */
  cancel: () => Promise<void> | void;
}

type Decoder = Gunzip | Inflate | InflateRaw;

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError("payload_too_large", `The body exceeds ${formatCount(maxBytes)} bytes.`);
}

/** A Content-Encoding header's coding, lower-cased; null for none/identity. 415 for what we cannot decode. */
export function contentCoding(header: string | null): "gzip" | "deflate" | null {
  const value = header?.trim().toLowerCase() ?? "";
  if (value === "" || value === "identity") return null;
  if (value === "gzip" || value === "x-gzip") return "gzip";
  if (value === "deflate") return "deflate";
  throw new ApiError("unsupported_media_type", `Content-Encoding "${value.slice(0, 40)}" is not supported; send gzip, deflate or none.`, {
    details: [{ path: "content-encoding", message: "must be gzip, deflate or absent" }],
  });
}

/** A route handler's Request as a body source. */
export function requestBodySource(request: Request): BodySource {
  const body = request.body;
  return {
    contentEncoding: request.headers.get("content-encoding"),
    contentLength: request.headers.get("content-length"),
    chunks: body as AsyncIterable<Uint8Array> | null,
    cancel: () => body?.cancel().catch(() => {}),
  };
}

export function readBodyBytes(request: Request, options: ReadBodyOptions): Promise<Buffer> {
  return readBody(requestBodySource(request), options);
}

export async function readBody(source: BodySource, options: ReadBodyOptions): Promise<Buffer> {
  const { maxBytes } = options;
  const coding = contentCoding(source.contentEncoding);
  const declared = Number(source.contentLength ?? Number.NaN);
  // A compressed body is never larger than what it inflates to by more than a few bytes per block.
  const declaredCap = coding === null ? maxBytes : maxBytes + Math.ceil(maxBytes / 100) + 1024;
  if (Number.isFinite(declared) && declared > declaredCap) throw tooLarge(maxBytes);
  if (!source.chunks) throw new ApiError("invalid_request", "The body is empty.");

  const chunks: Buffer[] = [];
  let size = 0;
  const accept = (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    if (options.onChunk) options.onChunk(chunk);
    else chunks.push(chunk);
  };

  try {
    if (coding === null) {
      for await (const value of source.chunks) accept(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    } else {
      await inflateInto(source.chunks, coding, accept);
    }
  } catch (error) {
    await source.cancel();
    throw error;
  }
  return options.onChunk ? Buffer.alloc(0) : Buffer.concat(chunks, size);
}

/** Pumps the body through an inflater; the first error (ours or zlib's) ends it. */
async function inflateInto(source: AsyncIterable<Uint8Array>, coding: "gzip" | "deflate", accept: (chunk: Buffer) => void): Promise<void> {
  let decoder: Decoder | null = null;
  let failure: unknown = null;
  let finished = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    wake?.();
    wake = null;
  };
  const waitForDecoder = () => new Promise<void>((resolve) => (wake = resolve));

  const start = (first: Buffer): Decoder => {
    const created = coding === "gzip" ? createGunzip() : looksLikeZlib(first) ? createInflate() : createInflateRaw();
    created.on("data", (chunk: Buffer) => {
      if (failure !== null) return;
      try {
        accept(chunk);
      } catch (error) {
        failure = error;
        created.destroy();
        signal();
      }
    });
    created.on("error", (error) => {
      failure ??= new ApiError("invalid_request", `The ${coding} body cannot be decompressed: ${error.message}.`);
      signal();
    });
    created.on("end", () => {
      finished = true;
      signal();
    });
    created.on("drain", signal);
    return created;
  };

  for await (const value of source) {
    if (failure !== null) throw failure;
    const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (chunk.byteLength === 0) continue;
    decoder ??= start(chunk);
    if (!decoder.write(chunk)) {
      // Back-pressure: the inflater's output is consumed synchronously by `accept`, so it drains
      // as fast as zlib runs; waiting here is what keeps a bomb from queueing input.
      while (failure === null && decoder.writableNeedDrain) await waitForDecoder();
    }
    if (failure !== null) throw failure;
  }
  if (decoder === null) throw new ApiError("invalid_request", "The body is empty.");
  decoder.end();
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
