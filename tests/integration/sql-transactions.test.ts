import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { getPool } from "@/lib/db";
import { inTransaction, withTransaction, withTransactionIfUnlocked } from "@/lib/db/sql";
import { waitUntil } from "../setup/wait-until";

/** lib/db/sql.ts's transactions: commit, rollback on throw, the client released, advisory locks. */

const pool = () => getPool();
const LOCK = 7_499_001;

beforeAll(async () => {
  await pool().query("CREATE TABLE tx_probe (label text NOT NULL)");
});

async function labels(): Promise<string[]> {
  return (await pool().query<{ label: string }>("SELECT label FROM tx_probe ORDER BY label")).rows.map((row) => row.label);
}

/** A promise and the function that resolves it: holds a transaction open until the test lets go. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/** Sessions of this database waiting for advisory lock `key` right now (pg_locks; a bigint key's low half is objid). */
async function waitingFor(key: number): Promise<number> {
  const result = await pool().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_locks
     WHERE locktype = 'advisory' AND NOT granted AND objid::bigint = $1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [key],
  );
  return result.rows[0]?.n ?? 0;
}

const inUse = () => pool().totalCount - pool().idleCount;

describe("withTransaction's first and last statements (one round trip each)", () => {
  it("runs beginWith inside the transaction and commitWith with its commit", async () => {
    const held = await withTransaction(
      pool(),
      async (client) => {
        // The lock beginWith took is this transaction's: held now, by this backend.
        const locks = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND objid::bigint = $1",
          [LOCK + 7],
        );
        await client.query("INSERT INTO tx_probe (label) VALUES ('with-begin')");
        return locks.rows[0]?.n;
      },
      { beginWith: `SELECT pg_advisory_xact_lock_shared(${LOCK + 7})`, commitWith: () => "INSERT INTO tx_probe (label) VALUES ('with-commit')" },
    );
    expect(held).toBe(1);
    expect(await labels()).toEqual(expect.arrayContaining(["with-begin", "with-commit"]));
    // Released at commit: an exclusive try-lock succeeds now.
    expect((await pool().query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK + 7}) AS ok`)).rows[0]?.ok).toBe(true);
    await pool().query(`SELECT pg_advisory_unlock(${LOCK + 7})`);
  });

  it("neither asks for nor runs commitWith when fn throws, and rolls back what beginWith did", async () => {
    let asked = false;
    await expect(
      withTransaction(
        pool(),
        async () => {
          throw new Error("refused");
        },
        { beginWith: "INSERT INTO tx_probe (label) VALUES ('begin-rolled-back')", commitWith: () => ((asked = true), "INSERT INTO tx_probe (label) VALUES ('never')") },
      ),
    ).rejects.toThrow("refused");
    expect(asked).toBe(false);
    expect(await labels()).not.toEqual(expect.arrayContaining(["begin-rolled-back"]));
    expect(await labels()).not.toEqual(expect.arrayContaining(["never"]));
  });

  it("commits without extra SQL when commitWith answers null", async () => {
    await withTransaction(pool(), (client) => client.query("INSERT INTO tx_probe (label) VALUES ('plain-commit')"), { commitWith: () => null });
    expect(await labels()).toEqual(expect.arrayContaining(["plain-commit"]));
  });

  it("hands fn what BEGIN and each beginWith statement answered, in order", async () => {
    const began = await withTransaction(
      pool(),
      async (_client, results) => results.map((result) => ({ command: result.command, rows: result.rows })),
      { beginWith: "SELECT 1 AS one; SELECT label FROM (VALUES ('b'), ('a')) AS v(label) ORDER BY label" },
    );
    expect(began).toEqual([
      { command: "BEGIN", rows: [] },
      { command: "SELECT", rows: [{ one: 1 }] },
      { command: "SELECT", rows: [{ label: "a" }, { label: "b" }] },
    ]);
    // Without beginWith: BEGIN's own result alone.
    expect(await withTransaction(pool(), async (_client, results) => results.map((result) => result.command))).toEqual(["BEGIN"]);
  });

  it("with fnCommits sends nothing after fn: fn's own COMMIT ends the transaction", async () => {
    const sent: string[] = [];
    await withTransaction(
      pool(),
      async (client) => {
        const query = client.query.bind(client);
        // Every later statement on this connection is seen (only this test's fn's client).
        (client as unknown as { query: (text: string) => unknown }).query = (text: string) => (sent.push(text), query(text));
        await client.query("INSERT INTO tx_probe (label) VALUES ('fn-commits'); COMMIT");
        (client as unknown as { query: unknown }).query = query;
      },
      { fnCommits: true, commitWith: () => "INSERT INTO tx_probe (label) VALUES ('not-with-fn-commits')" },
    );
    expect(sent).toEqual(["INSERT INTO tx_probe (label) VALUES ('fn-commits'); COMMIT"]);
    expect(await labels()).toEqual(expect.arrayContaining(["fn-commits"]));
    expect(await labels()).not.toEqual(expect.arrayContaining(["not-with-fn-commits"]));
    // The connection went back to the pool outside any transaction: another transaction on it commits.
    await withTransaction(pool(), (client) => client.query("INSERT INTO tx_probe (label) VALUES ('after-fn-commits')"));
    expect(await labels()).toEqual(expect.arrayContaining(["after-fn-commits"]));
  });

  it("with fnCommits refuses an fn that resolved without its COMMIT: rolled back, the connection clean", async () => {
    await expect(
      withTransaction(pool(), (client) => client.query("INSERT INTO tx_probe (label) VALUES ('fn-forgot-commit')"), { fnCommits: true }),
    ).rejects.toThrow("without ending its transaction");
    expect(await labels()).not.toEqual(expect.arrayContaining(["fn-forgot-commit"]));
    // Every pooled connection is outside a transaction again.
    const clients = await Promise.all(Array.from({ length: pool().totalCount }, () => pool().connect()));
    try {
      expect(clients.map((client) => client.getTransactionStatus())).toEqual(clients.map(() => "I"));
    } finally {
      for (const client of clients) client.release();
    }
  });

  it("with fnCommits still rolls back when fn throws before its COMMIT", async () => {
    await expect(
      withTransaction(
        pool(),
        async (client) => {
          await client.query("INSERT INTO tx_probe (label) VALUES ('fn-commits-threw')");
          throw new Error("refused before commit");
        },
        { fnCommits: true },
      ),
    ).rejects.toThrow("refused before commit");
    expect(await labels()).not.toEqual(expect.arrayContaining(["fn-commits-threw"]));
  });
});

describe("withTransaction", () => {
  it("commits what fn wrote and answers its value", async () => {
    const value = await withTransaction(pool(), async (client) => {
      await client.query("INSERT INTO tx_probe (label) VALUES ('committed')");
      return 42;
    });
    expect(value).toBe(42);
    expect(await labels()).toContain("committed");
    expect(inUse()).toBe(0);
  });

  it("rolls back when fn throws, rethrows the error, and releases the client", async () => {
    const failure = new Error("boom");
    await expect(
      withTransaction(pool(), async (client) => {
        await client.query("INSERT INTO tx_probe (label) VALUES ('rolled back')");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await labels()).not.toContain("rolled back");
    expect(inUse()).toBe(0);
  });

  it("rolls back after a failed statement too (the transaction was aborted)", async () => {
    await expect(
      withTransaction(pool(), async (client) => {
        await client.query("INSERT INTO tx_probe (label) VALUES ('before the error')");
        await client.query("SELECT 1 / 0");
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await labels()).not.toContain("before the error");
    // The connection went back clean: the next transaction on the pool works.
    await withTransaction(pool(), (client) => client.query("SELECT 1"));
  });

  it("serializes callers holding the same advisory lock until commit", async () => {
    const order: string[] = [];
    const hold = gate();
    const first = withTransaction(
      pool(),
      async () => {
        order.push("first in");
        await hold.wait;
        order.push("first out");
      },
      { advisoryLock: LOCK },
    );
    await waitUntil(() => order.includes("first in"), { what: "the first transaction to hold the lock" });
    const second = withTransaction(pool(), async () => void order.push("second in"), { advisoryLock: LOCK });
    await waitUntil(async () => (await waitingFor(LOCK)) === 1, { what: "the second transaction to wait for the lock" });
    expect(order).toEqual(["first in"]);
    hold.open();
    await Promise.all([first, second]);
    expect(order).toEqual(["first in", "first out", "second in"]);
  });

  it("takes a named lock as hashtext(name), the key the older jobs used", async () => {
    const hold = gate();
    let holding = false;
    const first = withTransaction(
      pool(),
      async () => {
        holding = true;
        await hold.wait;
      },
      { advisoryLock: "burnrate:test-lock" },
    );
    await waitUntil(() => holding, { what: "the named lock to be held" });
    const probe = await pool().query<{ free: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtext('burnrate:test-lock')) AS free",
    );
    expect(probe.rows[0]?.free).toBe(false);
    hold.open();
    await first;
  });
});

describe("withTransactionIfUnlocked", () => {
  it("runs fn and commits when the lock is free", async () => {
    const result = await withTransactionIfUnlocked(pool(), LOCK, async (client) => {
      await client.query("INSERT INTO tx_probe (label) VALUES ('unlocked run')");
      return "done";
    });
    expect(result).toEqual({ ran: true, value: "done" });
    expect(await labels()).toContain("unlocked run");
    expect(inUse()).toBe(0);
  });

  it("skips without calling fn while another transaction holds the lock", async () => {
    const hold = gate();
    let holding = false;
    const holder = withTransaction(
      pool(),
      async () => {
        holding = true;
        await hold.wait;
      },
      { advisoryLock: LOCK },
    );
    await waitUntil(() => holding, { what: "the lock to be held" });
    let called = false;
    const skipped = await withTransactionIfUnlocked(pool(), LOCK, async () => {
      called = true;
    });
    expect(skipped).toEqual({ ran: false });
    expect(called).toBe(false);
    hold.open();
    await holder;
    expect(await withTransactionIfUnlocked(pool(), LOCK, async () => "after")).toEqual({ ran: true, value: "after" });
    expect(inUse()).toBe(0);
  });

  it("rolls back and rethrows when fn throws", async () => {
    await expect(
      withTransactionIfUnlocked(pool(), LOCK, async (client) => {
        await client.query("INSERT INTO tx_probe (label) VALUES ('unlocked failure')");
        throw new Error("nope");
      }),
    ).rejects.toThrow("nope");
    expect(await labels()).not.toContain("unlocked failure");
    expect(inUse()).toBe(0);
  });
});

describe("inTransaction", () => {
  it("runs on the caller's connection, commits or rolls back, and leaves the connection open", async () => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await inTransaction(client, (c) => c.query("INSERT INTO tx_probe (label) VALUES ('dedicated')"));
      await expect(
        inTransaction(client, async (c) => {
          await c.query("INSERT INTO tx_probe (label) VALUES ('dedicated, rolled back')");
          throw new Error("undo");
        }),
      ).rejects.toThrow("undo");
      expect((await client.query<{ n: number }>("SELECT 1 AS n")).rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
    const stored = await labels();
    expect(stored).toContain("dedicated");
    expect(stored).not.toContain("dedicated, rolled back");
  });
});
