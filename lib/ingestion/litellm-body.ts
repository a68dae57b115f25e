// Streaming scanner for the bodies LiteLLM's proxy posts to us: batches of StandardLoggingPayload objects.
//
// Why a hand-written byte scanner instead of JSON.parse on the whole body: a batch can be 50 MB, almost all
// of it chat transcripts (`messages`, `response`, `model_parameters`) that we must never hold, store or log.
// The scanner drops those values while the body arrives and copies everything else (a few KB per payload)
// to an output buffer that JSON.parse reads at the end. So memory follows the kept part, not the body.
//
// Division of labour: the scanner checks the structure of the whole body (brackets, commas, colons, keys,
// string termination, depth), including the values it drops; JSON.parse then checks what the scanner
// leaves to it in the kept part (escapes, control characters, number and literal spelling). Dropped
// strings are only checked for termination and dropped numbers/literals only for their alphabet, so a
// `NaN` written by Python's json.dumps inside `model_parameters` does not cost us the payload.
//
// No recursion on input depth anywhere: containers live on a fixed Uint8Array stack bounded by maxDepth,
// which also keeps the later JSON.parse and any recursive consumer of the values safe.

export const DROPPED_PAYLOAD_KEYS: ReadonlySet<string> = new Set(["messages", "response", "model_parameters"]);

export type LitellmBodyForm = "json_array" | "ndjson" | "object";

/** A problem with the body as a whole: the request should be refused with 400. */
export class LitellmBodyError extends Error {
  /** NDJSON line the problem was found on, when that is known. */
  readonly line?: number;
  /** Byte offset in the body, when that is known. */
  readonly offset?: number;

  constructor(message: string, where: { line?: number; offset?: number } = {}) {
    super(message);
    this.name = "LitellmBodyError";
    if (where.line !== undefined) this.line = where.line;
    if (where.offset !== undefined) this.offset = where.offset;
  }
}

export interface ScannedBody {
  form: LitellmBodyForm;
  /** json_array / object: one entry per payload, with `value`. ndjson: one entry per non-blank line,
   * with `value` or `error`. */
  items: Array<{ line?: number; value?: unknown; error?: string }>;
  /** Bytes of JSON text kept after dropping; lets callers see (and tests prove) what was held in memory. */
  keptBytes: number;
}

export interface PayloadScanner {
  write(chunk: Uint8Array): void;
  end(): ScannedBody;
}

export interface PayloadScannerOptions {
  /** Treat a body starting with `{` as NDJSON even when it holds a single line. */
  ndjson?: boolean;
  /** Most payloads (array elements or NDJSON lines) accepted; default 1000. */
  maxItems?: number;
  /** Deepest nesting of arrays and objects accepted, the outer array included; default 64. */
  maxDepth?: number;
}

/**
 * Creates a scanner; feed it the body with `write` (chunks may split anywhere) and call `end` once.
 * `write` and `end` throw only LitellmBodyError; after one is thrown, every later call throws it again.
 */
export function createPayloadScanner(options: PayloadScannerOptions = {}): PayloadScanner {
  const maxItems = options.maxItems ?? 1000;
  const maxDepth = options.maxDepth ?? 64;
  // Programming errors, not body errors: they must not turn into a 400 for the sender.
  if (!Number.isSafeInteger(maxItems) || maxItems < 1) throw new RangeError("maxItems must be a positive integer");
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > 10_000) {
    throw new RangeError("maxDepth must be an integer from 1 to 10000");
  }
  return new Scanner(options.ndjson === true, maxItems, maxDepth);
}

// ---------------------------------------------------------------------------------------------------------

const DROPPED_KEY_BYTES: readonly Uint8Array[] = [...DROPPED_PAYLOAD_KEYS].map((k) => Buffer.from(k, "utf8"));
const MAX_KEY_LENGTH = Math.max(...DROPPED_KEY_BYTES.map((k) => k.length));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const NULL_TEXT = Buffer.from("null", "latin1");

// Bytes a number or literal may be made of. Deliberately wider than JSON: exact spelling is JSON.parse's
// job for kept values, and dropped ones only need to be delimited correctly.
const SCALAR = new Uint8Array(256);
for (const c of "+-.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") SCALAR[c.charCodeAt(0)] = 1;

const OBJ = 1;
const ARR = 2;

// What the grammar allows next.
const X_TOP = 0; // a top-level value (body, or NDJSON line)
const X_TOP_DONE = 1; // only whitespace
const X_VALUE = 2; // after ':' or after ',' in an array
const X_VALUE_OR_CLOSE = 3; // after '['
const X_KEY = 4; // after ',' in an object
const X_KEY_OR_CLOSE = 5; // after '{'
const X_COLON = 6;
const X_COMMA_OR_CLOSE = 7;

// F_START and F_UNDECIDED split the input at raw newlines like F_NDJSON does, because until the second
// top-level value shows up we cannot know whether a newline ends a record or is just whitespace.
const F_START = 0; // nothing but whitespace so far
const F_UNDECIDED = 1; // a `{` body: one object, or NDJSON once a second value follows a newline
const F_ARRAY = 2;
const F_OBJECT = 3;
const F_NDJSON = 4;

const MALFORMED_TEXT = "malformed string, number or literal";

/** A structural error at a byte offset; becomes a line error in NDJSON, else a LitellmBodyError. */
class ScanFault extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

type LineEntry = { line: number; start: number; end: number } | { line: number; error: string };

function describeByte(b: number): string {
  return b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, "0")}`;
}

function asBuffer(chunk: Uint8Array): Buffer {
  // A view, not a copy: Buffer#indexOf is a memchr, much faster than TypedArray#indexOf.
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

class Scanner implements PayloadScanner {
  private readonly ndjsonOption: boolean;
  private readonly maxItems: number;
  private readonly maxDepth: number;

  private form = F_START;
  private payloadDepth = 1; // container depth whose direct keys are checked against DROPPED_PAYLOAD_KEYS

  // Grammar state; all of it survives between chunks.
  private readonly stack: Uint8Array;
  private depth = 0;
  private expect = X_TOP;
  private inString = false;
  private stringIsKey = false;
  private escape = false; // the previous string byte was a backslash
  private inScalar = false;
  private skipping = false;
  private skipBase = 0; // depth at which the dropped value started
  private dropState = 0; // 1: a dropped key was read, 2: and its colon
  private keyLen = -1; // bytes of the current payload-level key so far; -1 when it cannot be a dropped key
  private readonly keyBytes = new Uint8Array(MAX_KEY_LENGTH);

  private out = new Uint8Array(1 << 16);
  private outLen = 0;

  private base = 0; // body offset of the current chunk's first byte
  // Next quote / backslash at or after the scan position in the current chunk, so each indexOf scans a
  // stretch of the chunk once however many strings it contains.
  private quotePos = -1;
  private backslashPos = -1;

  private itemCount = 0;
  private lineNo = 1;
  private firstLine = 1;
  private newlineAfterFirst = false;
  private lineBroken = false;
  private lineStart = 0; // outLen when the current NDJSON line began
  private readonly lines: LineEntry[] = [];

  private failure: LitellmBodyError | null = null;
  private ended = false;

  constructor(ndjsonOption: boolean, maxItems: number, maxDepth: number) {
    this.ndjsonOption = ndjsonOption;
    this.maxItems = maxItems;
    this.maxDepth = maxDepth;
    this.stack = new Uint8Array(maxDepth);
  }

  write(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw this.fail(new LitellmBodyError("write after end"));
    try {
      this.consume(asBuffer(chunk));
    } catch (err) {
      throw this.fail(err);
    }
  }

  end(): ScannedBody {
    if (this.failure) throw this.failure;
    if (this.ended) throw this.fail(new LitellmBodyError("end called twice"));
    this.ended = true;
    try {
      return this.finish();
    } catch (err) {
      throw this.fail(err);
    }
  }

  private fail(err: unknown): LitellmBodyError {
    let error: LitellmBodyError;
    if (err instanceof LitellmBodyError) error = err;
    else if (err instanceof ScanFault) {
      error = new LitellmBodyError(`${err.message} at byte ${err.offset}`, { offset: err.offset });
    }
    // Anything else (say, an allocation failure) still has to reach the caller as a body error.
    else error = new LitellmBodyError(err instanceof Error ? err.message : "unreadable body");
    this.failure = error;
    this.out = new Uint8Array(0);
    return error;
  }

  // --- chunk level ---------------------------------------------------------------------------------------

  private consume(buf: Buffer): void {
    this.quotePos = -1;
    this.backslashPos = -1;
    const len = buf.length;
    let pos = 0;
    while (pos < len) {
      if (this.form === F_ARRAY || this.form === F_OBJECT) {
        this.scan(buf, pos, len);
        break;
      }
      const nl = buf.indexOf(NEWLINE, pos);
      this.scanLine(buf, pos, nl < 0 ? len : nl);
      if (nl < 0) break;
      pos = this.newline(nl);
    }
    this.base += len;
  }

  private scanLine(buf: Buffer, start: number, end: number): void {
    if (this.form === F_NDJSON && this.lineBroken) return;
    try {
      this.scan(buf, start, end);
    } catch (err) {
      // Checked after the scan: the form can turn into NDJSON in the middle of this segment.
      if (this.form === F_NDJSON && err instanceof ScanFault) this.breakLine(`${err.message} at byte ${err.offset}`);
      else throw err;
    }
  }

  /** Handles the raw newline at `nl`; returns where scanning resumes. */
  private newline(nl: number): number {
    switch (this.form) {
      case F_ARRAY:
      case F_OBJECT:
        return nl; // the form was decided inside this segment; the newline is ordinary input for it
      case F_UNDECIDED:
        if (this.expect !== X_TOP_DONE) {
          // A newline inside the first value: a pretty-printed single object, not NDJSON.
          this.form = F_OBJECT;
          return nl;
        }
        this.newlineAfterFirst = true;
        break;
      case F_NDJSON:
        this.endLine(this.base + nl, "line ends inside a string", "line ends inside an unclosed object or array");
        break;
    }
    this.lineNo++;
    return nl + 1;
  }

  // --- NDJSON lines -------------------------------------------------------------------------------------

  private addLine(entry: LineEntry): void {
    if (++this.itemCount > this.maxItems) {
      throw new LitellmBodyError(`at most ${this.maxItems} payloads`, { line: entry.line });
    }
    this.lines.push(entry);
  }

  private breakLine(error: string): void {
    this.outLen = this.lineStart;
    this.lineBroken = true;
    this.addLine({ line: this.lineNo, error });
  }

  private endLine(offset: number, inStringMessage: string, openMessage: string): void {
    if (!this.lineBroken && this.expect !== X_TOP) {
      if (this.inScalar && this.depth === 0) {
        this.inScalar = false;
        this.valueDone();
      }
      if (this.expect === X_TOP_DONE) {
        this.addLine({ line: this.lineNo, start: this.lineStart, end: this.outLen });
      } else {
        this.breakLine(`${this.inString ? inStringMessage : openMessage} at byte ${offset}`);
      }
    }
    this.resetValue();
    this.lineBroken = false;
    this.lineStart = this.outLen;
  }

  private resetValue(): void {
    this.depth = 0;
    this.expect = X_TOP;
    this.inString = false;
    this.stringIsKey = false;
    this.escape = false;
    this.inScalar = false;
    this.skipping = false;
    this.dropState = 0;
    this.keyLen = -1;
  }

  // --- byte level ---------------------------------------------------------------------------------------

  private scan(buf: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end) {
      if (this.inString) {
        i = this.scanString(buf, i, end);
        continue;
      }
      if (this.inScalar) {
        const s = i;
        while (i < end && SCALAR[buf[i]!] === 1) i++;
        if (!this.skipping) this.append(buf, s, i);
        if (i === end) return; // the token may go on in the next chunk
        this.inScalar = false;
        this.valueDone();
        continue; // the delimiter is structural: look at it again
      }
      const b = buf[i]!;
      switch (b) {
        case 0x20:
        case 0x09:
        case 0x0a:
        case 0x0d:
          break; // whitespace is not kept: the grammar is checked here, so JSON.parse does not need it
        case 0x7b: // {
        case 0x5b: {
          // [
          this.beginValue(b, i);
          if (this.depth === this.maxDepth) throw this.fault(`nesting deeper than ${this.maxDepth}`, i);
          const isObject = b === 0x7b;
          this.stack[this.depth++] = isObject ? OBJ : ARR;
          this.expect = isObject ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE;
          if (!this.skipping) this.appendByte(b);
          break;
        }
        case 0x7d: // }
        case 0x5d: {
          // ]
          const kind = b === 0x7d ? OBJ : ARR;
          if (this.depth === 0) throw this.fault(`unexpected ${describeByte(b)}`, i);
          if (this.stack[this.depth - 1] !== kind) throw this.fault(`mismatched ${describeByte(b)}`, i);
          const x = this.expect;
          if (x !== X_COMMA_OR_CLOSE && x !== (kind === OBJ ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE)) {
            throw this.fault(`unexpected ${describeByte(b)}`, i);
          }
          if (!this.skipping) this.appendByte(b);
          this.depth--;
          this.valueDone();
          break;
        }
        case 0x2c: // ,
          if (this.expect !== X_COMMA_OR_CLOSE) throw this.fault("unexpected ','", i);
          this.expect = this.stack[this.depth - 1] === OBJ ? X_KEY : X_VALUE;
          if (!this.skipping) this.appendByte(b);
          break;
        case 0x3a: // :
          if (this.expect !== X_COLON) throw this.fault("unexpected ':'", i);
          this.expect = X_VALUE;
          if (this.dropState === 1) this.dropState = 2;
          if (!this.skipping) this.appendByte(b);
          break;
        case QUOTE:
          if (this.expect === X_KEY || this.expect === X_KEY_OR_CLOSE) {
            this.stringIsKey = true;
            this.keyLen = !this.skipping && this.depth === this.payloadDepth ? 0 : -1;
          } else {
            this.beginValue(b, i);
            this.stringIsKey = false;
          }
          this.inString = true;
          if (!this.skipping) this.appendByte(b);
          break;
        default:
          if (SCALAR[b] !== 1) throw this.fault(`unexpected ${describeByte(b)}`, i);
          this.beginValue(b, i);
          this.inScalar = true;
          continue; // the scalar branch consumes it
      }
      i++;
    }
  }

  /** The rest of a string from `i`; returns where the scan goes on. */
  private scanString(buf: Buffer, i: number, end: number): number {
    if (this.escape) {
      // Only the byte after the backslash matters for termination; `\u` digits are ordinary bytes.
      this.escape = false;
      if (!this.skipping) this.appendByte(buf[i]!);
      return i + 1;
    }
    let q = this.quotePos;
    if (q < i) {
      q = buf.indexOf(QUOTE, i);
      if (q < 0) q = buf.length;
      this.quotePos = q;
    }
    let bs = this.backslashPos;
    if (bs < i) {
      bs = buf.indexOf(BACKSLASH, i);
      if (bs < 0) bs = buf.length;
      this.backslashPos = bs;
    }
    let stop = q < bs ? q : bs;
    if (stop > end) stop = end;
    if (stop > i) {
      if (!this.skipping) {
        this.append(buf, i, stop);
        if (this.keyLen >= 0) this.appendKey(buf, i, stop);
      }
      i = stop;
    }
    if (i === end) return i;
    if (i === q) {
      if (!this.skipping) this.appendByte(QUOTE);
      this.inString = false;
      if (this.stringIsKey) {
        this.expect = X_COLON;
        if (this.keyLen >= 0 && this.isDroppedKey()) this.dropState = 1;
        this.keyLen = -1;
      } else {
        this.valueDone();
      }
      return i + 1;
    }
    if (!this.skipping) this.appendByte(BACKSLASH);
    this.keyLen = -1; // an escaped key is never a dropped key: we match raw bytes only
    this.escape = true;
    return i + 1;
  }

  private beginValue(b: number, i: number): void {
    const x = this.expect;
    if (x === X_VALUE || x === X_VALUE_OR_CLOSE) {
      if (this.dropState === 2) {
        this.dropState = 0;
        this.appendBytes(NULL_TEXT);
        this.skipping = true;
        this.skipBase = this.depth;
      } else if (this.depth === 1 && this.form === F_ARRAY && ++this.itemCount > this.maxItems) {
        throw new LitellmBodyError(`at most ${this.maxItems} payloads`, { offset: this.base + i });
      }
      return;
    }
    if (x === X_TOP_DONE) {
      if (this.form === F_UNDECIDED && this.newlineAfterFirst) {
        this.switchToNdjson();
      } else {
        const message =
          this.form === F_NDJSON ? "a second JSON value on the line" : "unexpected data after the JSON value";
        throw this.fault(message, i);
      }
    } else if (x !== X_TOP) {
      throw this.fault(`unexpected ${describeByte(b)}`, i);
    }
    if (this.form === F_START) {
      if (b === 0x5b) {
        this.form = F_ARRAY;
        this.payloadDepth = 2;
      } else if (b === 0x7b) {
        this.form = this.ndjsonOption ? F_NDJSON : F_UNDECIDED;
        this.firstLine = this.lineNo;
      } else {
        throw new LitellmBodyError("the body must be a JSON array, a JSON object or NDJSON", { offset: this.base + i });
      }
    }
  }

  private fault(message: string, i: number): ScanFault {
    // After the first object and a newline, anything at top level is a second NDJSON record, even a bad one.
    if (this.form === F_UNDECIDED && this.newlineAfterFirst && this.expect === X_TOP_DONE) this.switchToNdjson();
    return new ScanFault(message, this.base + i);
  }

  private switchToNdjson(): void {
    this.form = F_NDJSON;
    this.addLine({ line: this.firstLine, start: 0, end: this.outLen });
    this.resetValue();
    this.lineStart = this.outLen;
  }

  private valueDone(): void {
    if (this.skipping && this.depth === this.skipBase) this.skipping = false;
    this.expect = this.depth === 0 ? X_TOP_DONE : X_COMMA_OR_CLOSE;
  }

  private appendKey(buf: Buffer, start: number, end: number): void {
    if (this.keyLen + end - start > MAX_KEY_LENGTH) {
      this.keyLen = -1;
      return;
    }
    for (let j = start; j < end; j++) this.keyBytes[this.keyLen++] = buf[j]!;
  }

  private isDroppedKey(): boolean {
    const n = this.keyLen;
    outer: for (const key of DROPPED_KEY_BYTES) {
      if (key.length !== n) continue;
      for (let j = 0; j < n; j++) if (key[j] !== this.keyBytes[j]) continue outer;
      return true;
    }
    return false;
  }

  // --- output -------------------------------------------------------------------------------------------

  private reserve(extra: number): void {
    const needed = this.outLen + extra;
    if (needed <= this.out.length) return;
    let size = this.out.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.out.subarray(0, this.outLen));
    this.out = next;
  }

  private appendByte(b: number): void {
    if (this.outLen === this.out.length) this.reserve(1);
    this.out[this.outLen++] = b;
  }

  private appendBytes(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.out.set(bytes, this.outLen);
    this.outLen += bytes.length;
  }

  private append(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.reserve(end - start);
    this.out.set(buf.subarray(start, end), this.outLen);
    this.outLen += end - start;
  }

  // --- end of body --------------------------------------------------------------------------------------

  private finish(): ScannedBody {
    // Bytes are decoded here and only here, so a UTF-8 sequence split across chunks is never corrupted.
    const text = Buffer.from(this.out.buffer, this.out.byteOffset, this.outLen);
    switch (this.form) {
      case F_START:
        throw new LitellmBodyError("empty body");
      case F_NDJSON: {
        this.endLine(this.base, "body ends inside a string", "body ends inside an unclosed object or array");
        const items = this.lines.map((entry) => {
          if ("error" in entry) return { line: entry.line, error: entry.error };
          try {
            return { line: entry.line, value: JSON.parse(text.toString("utf8", entry.start, entry.end)) as unknown };
          } catch {
            return { line: entry.line, error: MALFORMED_TEXT };
          }
        });
        return { form: "ndjson", items, keptBytes: this.outLen };
      }
      default: {
        if (this.expect !== X_TOP_DONE) {
          const where = this.inString ? "inside a string" : "inside an unclosed object or array";
          throw new LitellmBodyError(`body ends ${where} (truncated?)`, { offset: this.base });
        }
        let value: unknown;
        try {
          value = JSON.parse(text.toString("utf8"));
        } catch {
          throw new LitellmBodyError(MALFORMED_TEXT);
        }
        if (this.form === F_ARRAY) {
          return { form: "json_array", items: (value as unknown[]).map((v) => ({ value: v })), keptBytes: this.outLen };
        }
        return { form: "object", items: [{ value }], keptBytes: this.outLen };
      }
    }
  }
}
