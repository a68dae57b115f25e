import type pg from "pg";
import type { QueryResult, QueryResultRow } from "pg";
import type { TeamScope } from "@/lib/auth/permissions";

/**
 * The one way lib/ writes SQL by hand: a connection that can query (`Queryable`), one
 * parameter builder that numbers its own placeholders (`SqlParams`), typed rows (`rows`),
 * and one transaction helper (`withTransaction`, `withTransactionIfUnlocked`; `inTransaction`
 * for a connection the caller holds). Values are always bound, never interpolated; only
 * column names chosen by the code are. SQL over the rollup tables is ./rollup-sql.ts.
 */

/** A pg Pool, PoolClient or Client, or a Prisma transaction through txRows (lib/quotas/records.ts). */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * The parameters of one statement. `add` appends a value and answers its placeholder
 * ("$3", or "$3::uuid" with a cast), so fragments can be built in any order and combined
 * without anyone counting: pass the same SqlParams to every helper of the statement.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ""}`;
  }

  /** ` AND <column> = ANY($n::text[])` for a principal limited to some teams; "" for one who sees all. */
  teamScope(scope: TeamScope, column = "team"): string {
    if (scope.kind === "all") return "";
    return ` AND ${column} = ANY(${this.add(scope.slugs, "text[]")})`;
  }
}

/** The rows of a statement built with SqlParams. */
export async function rows<R extends QueryResultRow>(db: Queryable, text: string, params?: SqlParams): Promise<R[]> {
  return (await db.query<R>(text, params?.values ?? [])).rows;
}

/**
 * A bigint count sent as text (pg's default for int8). Counts stay far below 2^53,
 * but a silent precision loss would be worse than failing loudly.
 */
export function toCount(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`count out of range: ${text}`);
  return value;
}

/** Timestamps go over the wire as ISO strings so the session time zone never matters. */
export function iso(at: Date): string {
  return at.toISOString();
}

/**
 * A transaction-level advisory lock: a number, or a name whose hashtext() is the key
 * (`pg_advisory_xact_lock(hashtext('burnrate_event_retention'))`, as the older jobs wrote it).
 */
export type AdvisoryLock = number | string;

function lockKeySql(lock: AdvisoryLock): string {
  return typeof lock === "number" ? "$1::bigint" : "hashtext($1::text)";
}

export interface TransactionOptions {
  /** Held until commit or rollback (pg_advisory_xact_lock): callers with the same key run one at a time. */
  advisoryLock?: AdvisoryLock;
  /**
   * Parameterless SQL sent with BEGIN in one round trip (the simple protocol takes both): a hot
   * path's first statement, such as a shared lock, without a wait of its own.
   */
  beginWith?: string;
  /** Parameterless SQL sent with COMMIT in one round trip, asked for once `fn` has resolved (null: none). */
  commitWith?: () => string | null;
  /**
   * `fn` sends the COMMIT itself, as the last statement of its last write (a hot path's round
   * trip saved): nothing is sent after it resolves; when it throws, ROLLBACK as always.
   */
  fnCommits?: boolean;
}

/** What BEGIN and `beginWith` answered, one result per statement (BEGIN's first). */
export type BeginResults = readonly pg.QueryResult[];

/** A query's results, one per statement (pg answers a single statement's result bare). */
export function resultsOf(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult[] {
  return Array.isArray(result) ? result : [result];
}

/** The statements that end a transaction: `sql` (parameterless, if any), then COMMIT, in one round trip. */
export function commitStatements(sql: string | null): string {
  return sql === null ? "COMMIT" : `${sql}; COMMIT`;
}

/**
 * Throws unless the last command tag is COMMIT's. PostgreSQL answers COMMIT in a failed
 * transaction with "ROLLBACK", without an error: never take that for a commit.
 */
export function assertCommitted(tags: readonly string[]): void {
  const last = tags.at(-1) ?? "";
  if (!/^COMMIT\b/.test(last)) throw new Error(`the transaction did not commit (PostgreSQL answered ${last || "nothing"})`);
}

/**
 * Runs `fn` in a transaction on a connection the caller holds (a dedicated pg.Client, or a
 * PoolClient it keeps for several transactions): committed when `fn` resolves, rolled back
 * when it throws (the error is rethrown). The connection is neither opened nor released.
 */
export async function inTransaction<T, C extends pg.ClientBase>(
  client: C,
  fn: (client: C, began: BeginResults) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  try {
    const began = await client.query(options.beginWith ? `BEGIN; ${options.beginWith}` : "BEGIN");
    if (options.advisoryLock !== undefined) {
      await client.query(`SELECT pg_advisory_xact_lock(${lockKeySql(options.advisoryLock)})`, [options.advisoryLock]);
    }
    const result = await fn(client, resultsOf(began));
    if (options.fnCommits) {
      // Never hand back (to a pool) a connection still inside this transaction.
      if (client.getTransactionStatus() !== "I") throw new Error("fnCommits: fn resolved without ending its transaction");
      return result;
    }
    await client.query(commitStatements(options.commitWith?.() ?? null));
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  }
}

/**
 * Runs `fn` in a transaction on a client of its own: committed when `fn` resolves, rolled
 * back when it throws (the error is rethrown), the client released either way.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient, began: BeginResults) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, fn, options);
  } finally {
    client.release();
  }
}

/**
 * Like withTransaction, but only when the advisory lock is free right now
 * (pg_try_advisory_xact_lock): the single-runner steps (alert evaluation, deliveries,
 * folding, retention) of several app instances. `{ran: false}` when another session holds it.
 */
export async function withTransactionIfUnlocked<T>(
  pool: pg.Pool,
  lock: AdvisoryLock,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const locked = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${lockKeySql(lock)}) AS locked`, [lock]);
    if (!locked.rows[0]?.locked) {
      await client.query("ROLLBACK");
      return { ran: false };
    }
    const value = await fn(client);
    await client.query("COMMIT");
    return { ran: true, value };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
