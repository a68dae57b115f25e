import { once } from "node:events";
import { finished } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom, type CopyStreamQuery } from "pg-copy-streams";
import { LineBuffer } from "./line-buffer";

/**
 * One `COPY … FROM STDIN`. Rows are written into `out` and sent in ~1 MB chunks (one
 * CopyData message each); sending waits whenever PostgreSQL falls behind, so memory
 * stays flat however many rows go through.
 */

const CHUNK_BYTES = 1 << 20;

export class CopyWriter {
  private readonly stream: CopyStreamQuery;
  private readonly done: Promise<void>;
  private failure: unknown = null;
  readonly out = new LineBuffer(CHUNK_BYTES);

  constructor(client: pg.ClientBase, sql: string) {
    this.stream = client.query(copyFrom(sql, { highWaterMark: 4 * CHUNK_BYTES }));
    this.done = finished(this.stream);
    // Remembered so the next write fails with PostgreSQL's error instead of an unhandled rejection.
    this.done.catch((error: unknown) => {
      this.failure = error;
    });
  }

  /** Sends what `out` holds once it has a chunk's worth. */
  async flushIfFull(): Promise<void> {
    if (this.out.full) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out.length === 0) return;
    if (!this.stream.write(this.out.take())) await Promise.race([once(this.stream, "drain"), this.done]);
  }

  /** Sends the rest, waits until PostgreSQL has taken every row, returns the row count. */
  async end(): Promise<number> {
    await this.flush();
    this.stream.end();
    await this.done;
    return this.stream.rowCount;
  }

  /** Gives up: PostgreSQL rolls the COPY back. */
  async abort(): Promise<void> {
    this.stream.destroy(new Error("seeding aborted"));
    await this.done.catch(() => {});
  }
}
