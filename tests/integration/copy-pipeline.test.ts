import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { getPool } from "@/lib/db";
import { queryWithCopies } from "@/lib/db/copy-pipeline";
import { insertEvents } from "@/lib/ingestion/write-events";

/**
 * lib/db/copy-pipeline.ts against a real PostgreSQL: several COPY FROM STDIN statements and
 * other SQL in one query, their rows sent in the same write, and the connection left usable
 * whichever statement fails.
 */

let client: pg.PoolClient;

beforeAll(async () => {
  await getPool().query(`
    CREATE TABLE pipe_ids (id text PRIMARY KEY);
    CREATE TABLE pipe_rows (id text NOT NULL, n int NOT NULL, note text);
    CREATE TABLE pipe_marks (label text NOT NULL)`);
  client = await getPool().connect();
});

afterAll(() => client.release());

async function table<T>(sql: string): Promise<T[]> {
  return (await getPool().query(sql)).rows as T[];
}

const BOTH = "COPY pipe_ids (id) FROM STDIN; COPY pipe_rows (id, n, note) FROM STDIN";

describe("queryWithCopies", () => {
  it("runs every statement in order, each COPY taking its own rows, and answers the command tags", async () => {
    const tags = await queryWithCopies(
      client,
      `BEGIN; ${BOTH}; INSERT INTO pipe_marks (label) VALUES ('first'); COMMIT`,
      ["a1\na2\n", "a1\t1\t\\N\na2\t2\tsecond\\tline\n"],
    );
    expect(tags).toEqual(["BEGIN", "COPY 2", "COPY 2", "INSERT 0 1", "COMMIT"]);
    expect(await table("SELECT id, n, note FROM pipe_rows WHERE id LIKE 'a%' ORDER BY id")).toEqual([
      { id: "a1", n: 1, note: null },
      { id: "a2", n: 2, note: "second\tline" },
    ]);
    expect(await table("SELECT label FROM pipe_marks")).toEqual([{ label: "first" }]);
  });

  it("frames each COPY by its bytes, not its characters (multi-byte text)", async () => {
    const text = "b1\t1\tcafé ☕ 𝄞 ünïcödé\nb2\t2\t日本語\n";
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length);
    await queryWithCopies(client, "COPY pipe_rows (id, n, note) FROM STDIN; COPY pipe_ids (id) FROM STDIN", [text, "b1\nb2\n"]);
    expect(await table("SELECT id, note FROM pipe_rows WHERE id LIKE 'b%' ORDER BY id")).toEqual([
      { id: "b1", note: "café ☕ 𝄞 ünïcödé" },
      { id: "b2", note: "日本語" },
    ]);
    expect(await table("SELECT id FROM pipe_ids WHERE id LIKE 'b%' ORDER BY id")).toEqual([{ id: "b1" }, { id: "b2" }]);
  });

  it("takes an empty COPY as no rows", async () => {
    expect(await queryWithCopies(client, BOTH, ["", "c1\t1\t\\N\n"])).toEqual(["COPY 0", "COPY 1"]);
  });

  it("rejects with PostgreSQL's error when the first COPY meets a stored key; the rest never runs and the connection stays usable", async () => {
    await getPool().query("INSERT INTO pipe_ids (id) VALUES ('dup')");
    const failure = queryWithCopies(client, `BEGIN; ${BOTH}; INSERT INTO pipe_marks (label) VALUES ('after-dup'); COMMIT`, [
      "d1\ndup\n",
      "d1\t1\t\\N\n",
    ]);
    await expect(failure).rejects.toMatchObject({ code: "23505", constraint: "pipe_ids_pkey" });
    // The second COPY's rows were on the wire: the backend skipped them and waits in the failed transaction.
    expect((await client.query("ROLLBACK")).command).toBe("ROLLBACK");
    expect((await client.query<{ ok: number }>("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    expect(await table("SELECT id FROM pipe_rows WHERE id = 'd1'")).toEqual([]);
    expect(await table("SELECT id FROM pipe_ids WHERE id = 'd1'")).toEqual([]);
    expect(await table("SELECT label FROM pipe_marks WHERE label = 'after-dup'")).toEqual([]);
  });

  it("rejects when a later COPY's rows are malformed, rolling back the earlier COPY with the transaction", async () => {
    const failure = queryWithCopies(client, `BEGIN; ${BOTH}; COMMIT`, ["e1\n", "e1\tnot-a-number\t\\N\n"]);
    await expect(failure).rejects.toMatchObject({ code: "22P02" });
    await client.query("ROLLBACK");
    expect(await table("SELECT id FROM pipe_ids WHERE id = 'e1'")).toEqual([]);
    // And the next pipelined query on the same connection works.
    expect(await queryWithCopies(client, "COPY pipe_ids (id) FROM STDIN", ["e2\n"])).toEqual(["COPY 1"]);
  });

  it("rejects when a statement after the COPYs fails, nothing of the transaction kept", async () => {
    const failure = queryWithCopies(client, `BEGIN; ${BOTH}; INSERT INTO pipe_marks (label) VALUES (NULL); COMMIT`, ["f1\n", "f1\t1\t\\N\n"]);
    await expect(failure).rejects.toMatchObject({ code: "23502" });
    await client.query("ROLLBACK");
    expect(await table("SELECT id FROM pipe_ids WHERE id = 'f1'")).toEqual([]);
    expect(await table("SELECT id FROM pipe_rows WHERE id = 'f1'")).toEqual([]);
  });

  it("rejects a statement that fails before any COPY, and the connection takes the next query", async () => {
    await expect(queryWithCopies(client, `SELECT no_such_column FROM pipe_ids; ${BOTH}`, ["g1\n", "g1\t1\t\\N\n"])).rejects.toMatchObject({
      code: "42703",
    });
    expect(await table("SELECT id FROM pipe_ids WHERE id = 'g1'")).toEqual([]);
    expect((await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pipe_rows WHERE id = 'g1'")).rows).toEqual([{ n: 0 }]);
  });

  it("refuses at once a connection whose socket is already gone, writing nothing to it", async () => {
    const lone = new pg.Client({ connectionString: (getPool() as unknown as { options: { connectionString: string } }).options.connectionString });
    lone.on("error", () => {});
    await lone.connect();
    (lone as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    await expect(queryWithCopies(lone, "COPY pipe_ids (id) FROM STDIN", ["z1\n"])).rejects.toThrow("the database connection is closed");
    expect(await table("SELECT id FROM pipe_ids WHERE id = 'z1'")).toEqual([]);
  });

  it("carries a COPY of several megabytes in one message", async () => {
    let text = "";
    for (let i = 0; i < 50_000; i++) text += `h${i}\t${i}\t${"x".repeat(100)}\n`;
    expect(await queryWithCopies(client, "COPY pipe_rows (id, n, note) FROM STDIN", [text])).toEqual(["COPY 50000"]);
    expect(await table("SELECT count(*)::int AS n, sum(n)::bigint::text AS total FROM pipe_rows WHERE id LIKE 'h%'")).toEqual([
      { n: 50_000, total: String((49_999 * 50_000) / 2) },
    ]);
  });
});

describe("insertEvents ending the caller's transaction (commitWith)", () => {
  it("never takes PostgreSQL's ROLLBACK answer to COMMIT, in a failed transaction, for a commit", async () => {
    await client.query("BEGIN");
    await expect(client.query("SELECT 1 / 0")).rejects.toMatchObject({ code: "22012" });
    // Nothing new to store: only the commit is sent, and PostgreSQL answers it "ROLLBACK".
    await expect(insertEvents(client, [], { claim: "skip-stored", commitWith: () => null })).rejects.toThrow("did not commit (PostgreSQL answered ROLLBACK)");
    expect(client.getTransactionStatus()).toBe("I");
  });
});
