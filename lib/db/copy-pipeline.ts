import type pg from "pg";

/**
 * One simple-protocol query whose `COPY … FROM STDIN` statements take their rows from `copies`,
 * in order, all sent in the same write as the query: no round trip waits for each COPY's
 * CopyInResponse (pg-copy-streams waits for it, and sends each COPY as a query of its own).
 *
 * The protocol allows it: PostgreSQL runs a query string's statements in turn, and a COPY FROM
 * STDIN reads the next CopyData messages on the connection up to its CopyDone. When a statement
 * fails, the rest of the string is skipped and the backend ignores the CopyData and CopyDone
 * messages it then meets (postgres.c, "Accept but ignore these messages, per protocol spec"):
 * the connection is ready for the next query (the caller's ROLLBACK). So `copies` must hold one
 * text for each COPY FROM STDIN in `sql`, in order; nothing else in `sql` may read from STDIN.
 *
 * Answers each statement's command tag ("COPY 1000", "INSERT 0 1", …) in order; rejects with
 * PostgreSQL's error (its `code` as pg gives it) when one fails.
 *
 * Two things not to combine it with: node-postgres's `pipeline: true` client option (it refuses
 * custom query objects such as this one), and its `query_timeout` (a timeout rejects while
 * PostgreSQL may still commit what was sent; a 2xx is never sent then, but a batch reported as
 * failed may be stored, and its resend is counted as duplicates). `statement_timeout`, which
 * PostgreSQL enforces, is fine.
 */
export function queryWithCopies(client: pg.ClientBase, sql: string, copies: readonly string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    void client.query(new CopiesQuery(sql, copies, resolve, reject) as unknown as pg.QueryConfig);
  });
}

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]); // 'c', length 4

interface Connection {
  stream: { writable: boolean; cork(): void; uncork(): void; write(chunk: Buffer | string, encoding?: BufferEncoding): boolean };
  query(text: string): void;
}

/** A pg "submittable": pg hands it the connection and then each backend message of its query. */
class CopiesQuery {
  private readonly tags: string[] = [];
  private settled = false;

  constructor(
    private readonly sql: string,
    private readonly copies: readonly string[],
    private readonly resolve: (tags: string[]) => void,
    private readonly reject: (error: Error) => void,
  ) {}

  // pg replaces this with its timeout's when query_timeout is set; it is called when the query ends.
  callback(): void {}

  // An Error returned here is handed to handleError by pg (a connection already closing).
  submit(connection: Connection): Error | undefined {
    const stream = connection.stream;
    if (!stream.writable) return new Error("the database connection is closed");
    stream.cork();
    try {
      connection.query(this.sql);
      for (const text of this.copies) {
        const header = Buffer.allocUnsafe(5);
        header[0] = COPY_DATA;
        header.writeUInt32BE(Buffer.byteLength(text) + 4, 1);
        stream.write(header);
        if (text !== "") stream.write(text, "utf8");
        stream.write(COPY_DONE);
      }
    } finally {
      stream.uncork();
    }
    return undefined;
  }

  handleCommandComplete(message: { text?: string }): void {
    this.tags.push(message.text ?? "");
  }

  handleError(error: Error): void {
    this.settle(() => this.reject(error));
  }

  handleReadyForQuery(): void {
    this.settle(() => this.resolve(this.tags));
  }

  // Every COPY's rows were sent with the query.
  handleCopyInResponse(): void {}

  // No statement here returns rows; pg calls these only if one did.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}

  private settle(answer: () => void): void {
    if (this.settled) return;
    this.settled = true;
    this.callback();
    answer();
  }
}
