import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransactionIfUnlocked } from "@/lib/db/sql";
import {
  debianPostgresAvailable,
  startDebianPrimary,
  startDebianReplica,
  startPgBouncer,
  type DebianPostgres,
  type PgBouncer,
} from "../../scripts/cluster/debian-postgres";
import { waitUntil } from "../setup/wait-until";

// The several-instances topology of docs/SCALING.md from Debian's packages (scripts/cluster/debian-postgres.ts):
// a primary, a streaming replica made by pg_basebackup, and PgBouncer in transaction pooling mode.
// No skip when the binaries are missing: CI installs them (.ci/run), and a silent skip would hide a broken setup.

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  return client;
}

async function one<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T | undefined> {
  const client = await connect(url);
  try {
    return (await client.query<T>(sql, values)).rows[0];
  } finally {
    await client.end();
  }
}

describe("Debian PostgreSQL, a pg_basebackup replica and PgBouncer in transaction mode", () => {
  let root = "";
  let primary: DebianPostgres | undefined;
  let replica: DebianPostgres | undefined;
  let bouncer: PgBouncer | undefined;
  const open: pg.Client[] = [];
  const client = async (url: string) => {
    const c = await connect(url);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    const available = debianPostgresAvailable();
    if (!available.ok) throw new Error(available.reason);
    root = mkdtempSync(path.join(os.tmpdir(), "burnrate-debian-pg-"));
    chmodSync(root, 0o755); // the servers run as `postgres`, which must reach their directories
    primary = await startDebianPrimary({ dir: path.join(root, "primary") });
    replica = await startDebianReplica(primary, { dir: path.join(root, "replica") });
    bouncer = await startPgBouncer(primary, { dir: path.join(root, "bouncer"), poolMode: "transaction", poolSize: 4 });
  });

  afterAll(async () => {
    for (const c of open) await c.end().catch(() => {});
    await bouncer?.stop();
    await replica?.stop();
    await primary?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("starts the primary with wal_level=replica, and the app's role owns its database without being a superuser", async () => {
    const row = await one<{ user: string; db: string; wal_level: string; senders: string; superuser: boolean; owner: string }>(
      primary!.url,
      `SELECT current_user AS user, current_database() AS db, current_setting('wal_level') AS wal_level,
              current_setting('max_wal_senders') AS senders, r.rolsuper AS superuser,
              pg_get_userbyid(d.datdba) AS owner
       FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()`,
    );
    expect(row).toEqual({ user: "burnrate", db: "burnrate", wal_level: "replica", senders: "10", superuser: false, owner: "burnrate" });
  });

  it("streams a row written on the primary to the replica within a few seconds", async () => {
    const writer = await client(primary!.url);
    const reader = await client(replica!.url);
    await writer.query("CREATE TABLE replication_probe (token text PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())");
    await waitUntil(async () => (await reader.query("SELECT to_regclass('replication_probe') IS NOT NULL AS there")).rows[0]?.there === true, {
      timeoutMs: 5_000,
      what: "the table on the replica",
    });
    const token = `probe-${Date.now()}`;
    await writer.query("INSERT INTO replication_probe (token) VALUES ($1)", [token]);
    const written = Date.now();
    await waitUntil(async () => (await reader.query("SELECT 1 FROM replication_probe WHERE token = $1", [token])).rowCount === 1, {
      timeoutMs: 5_000,
      what: "the row on the replica",
    });
    expect(Date.now() - written).toBeLessThan(5_000);

    expect((await reader.query("SELECT pg_is_in_recovery() AS standby")).rows[0]).toEqual({ standby: true });
    await expect(reader.query("INSERT INTO replication_probe (token) VALUES ('refused')")).rejects.toMatchObject({ code: "25006" });
    const sender = await one<{ state: string }>(primary!.adminUrl, "SELECT state FROM pg_stat_replication");
    expect(sender).toEqual({ state: "streaming" });
  });

  it("answers a query through PgBouncer in transaction pooling mode", async () => {
    const c = await client(bouncer!.url);
    expect((await c.query("SELECT current_user AS user, current_database() AS db, $1::int + 1 AS two", [1])).rows[0]).toEqual({
      user: "burnrate",
      db: "burnrate",
      two: 2,
    });
    const admin = await client(bouncer!.adminUrl);
    const config = (await admin.query<{ key: string; value: string }>("SHOW CONFIG")).rows;
    expect(config.find((row) => row.key === "pool_mode")?.value).toBe("transaction");
  });

  it("excludes a second connection through PgBouncer from pg_advisory_xact_lock while a transaction holds it, and frees it at commit", async () => {
    const lock = 771_019;
    const a = await client(bouncer!.url);
    const b = await client(bouncer!.url);

    await a.query("BEGIN");
    expect((await a.query("SELECT pg_try_advisory_xact_lock($1::bigint) AS locked", [lock])).rows[0]).toEqual({ locked: true });
    const holder = (await a.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;

    // b's statements run on another server connection (a's is pinned to its open transaction).
    await b.query("BEGIN");
    expect((await b.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid).not.toBe(holder);
    expect((await b.query("SELECT pg_try_advisory_xact_lock($1::bigint) AS locked", [lock])).rows[0]).toEqual({ locked: false });
    // The waiting form blocks: with a lock timeout it is refused (55P03) instead of granted.
    await b.query("SET LOCAL lock_timeout = '300ms'");
    await expect(b.query("SELECT pg_advisory_xact_lock($1::bigint)", [lock])).rejects.toMatchObject({ code: "55P03" });
    await b.query("ROLLBACK");

    // The app's own single-runner helper, on a pool through PgBouncer, skips while the lock is held.
    const pool = new pg.Pool({ connectionString: bouncer!.url, max: 2 });
    try {
      expect(await withTransactionIfUnlocked(pool, lock, async () => "ran")).toEqual({ ran: false });
      await a.query("COMMIT");
      // Released with a's transaction: the next taker, on any server connection, gets it.
      expect(await withTransactionIfUnlocked(pool, lock, async () => "ran")).toEqual({ ran: true, value: "ran" });
    } finally {
      await pool.end();
    }
    const left = await one<{ n: string }>(primary!.adminUrl, "SELECT count(*)::text AS n FROM pg_locks WHERE locktype = 'advisory'");
    expect(left).toEqual({ n: "0" });
  });

  it("lets exactly one of two instances' pools run a single-runner step per round through PgBouncer", async () => {
    const lock = 771_020;
    const instances = [new pg.Pool({ connectionString: bouncer!.url, max: 2 }), new pg.Pool({ connectionString: bouncer!.url, max: 2 })];
    try {
      for (let round = 0; round < 5; round++) {
        const outcomes = await Promise.all(
          instances.map((pool) =>
            withTransactionIfUnlocked(pool, lock, async (c) => {
              await c.query("SELECT pg_sleep(0.2)");
              return true;
            }),
          ),
        );
        expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
      }
    } finally {
      for (const pool of instances) await pool.end();
    }
  });

  it("keeps a session-level pg_advisory_lock on PgBouncer's server connection after its client has gone (why lib takes only transaction-level locks)", async () => {
    const lock = 771_021;
    const c = await connect(bouncer!.url);
    await c.query("SELECT pg_advisory_lock($1::bigint)", [lock]);
    await c.end();
    // The server connection went back to the pool with the lock: nobody releases it.
    await waitUntil(
      async () => (await one<{ n: string }>(primary!.adminUrl, "SELECT count(*)::text AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", [lock]))?.n === "1",
      { timeoutMs: 2_000, what: "the leaked lock in pg_locks" },
    );
    const other = await client(primary!.url);
    expect((await other.query("SELECT pg_try_advisory_lock($1::bigint) AS locked", [lock])).rows[0]).toEqual({ locked: false });
  });
});
