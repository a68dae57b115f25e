/**
 * Writes COPY rows straight into a Buffer, one byte at a time. Building each row as a
 * JS string (template literals, number-to-string, then UTF-8 encoding) allocates a few
 * KB of short-lived garbage per row; at millions of rows the garbage collector became
 * the seeder's biggest cost. Everything written here is ASCII.
 */

const TAB = 9;
const NEWLINE = 10;
const ZERO = 48;

export class LineBuffer {
  private buf: Buffer;
  private pos = 0;

  /** `chunkBytes`: how full the buffer gets before `full` says to take it. */
  constructor(private readonly chunkBytes = 1 << 20) {
    this.buf = Buffer.allocUnsafe(chunkBytes + 64 * 1024);
  }

  get length(): number {
    return this.pos;
  }

  get full(): boolean {
    return this.pos >= this.chunkBytes;
  }

  /** The bytes written so far; the buffer starts over (the returned chunk stays valid). */
  take(): Buffer {
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.chunkBytes + 64 * 1024);
    this.pos = 0;
    return chunk;
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** An ASCII string, as is (the caller guarantees no tab, newline or backslash). */
  ascii(value: string): this {
    const n = value.length;
    this.room(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = value.charCodeAt(i);
    this.pos = p;
    return this;
  }

  /** A non-negative safe integer in decimal. */
  uint(value: number): this {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    return this.digits(value, digits);
  }

  /** A non-negative integer, zero-padded to `width` digits (more when it has more). */
  padded(value: number, width: number): this {
    let digits = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
    return this.digits(value, Math.max(width, digits));
  }

  private digits(value: number, width: number): this {
    this.room(width);
    const buf = this.buf;
    let p = this.pos + width;
    let v = value;
    for (let i = 0; i < width; i++) {
      const q = Math.floor(v / 10);
      buf[--p] = ZERO + (v - q * 10);
      v = q;
    }
    this.pos += width;
    return this;
  }

  char(code: number): this {
    this.room(1);
    this.buf[this.pos++] = code;
    return this;
  }

  tab(): this {
    return this.char(TAB);
  }

  newline(): this {
    return this.char(NEWLINE);
  }

  /** The text so far, for tests and debugging. */
  toString(): string {
    return this.buf.toString("latin1", 0, this.pos);
  }
}
