import "server-only";
import type pg from "pg";
import { prisma } from "@/lib/db";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { dbOf, ipOf, nowOf, type Ctx } from "@/lib/context";
import { aggregateSpend } from "@/lib/analytics/spend";
import { iso, rows, SqlParams, toCount, withTransaction, withTransactionIfUnlocked, type Queryable } from "@/lib/db/sql";
import { ApiError } from "@/lib/http/errors";
import { outboundUrlRefusal } from "@/lib/http/outbound";
import { logger } from "@/lib/log";
import {
  DEFAULT_BASE_URLS,
  RECONCILIATION_PROVIDERS,
  type ConnectionJson,
  type CreateConnectionInput,
  type ReconciliationProvider,
  type ReconciliationQuery,
  type ReconciliationReportJson,
  type RunReconciliationInput,
} from "@/lib/schemas/reconciliation";
import { DAY_MS, startOfUtcDay, utcDayKey } from "@/lib/time";
import { compareReconciliation, providerModelKey, pulledDayKey, type BurnrateRow, type Comparison, type ProviderRow } from "./compare";
import { keyHint, openAdminKey, sealAdminKey, sealedWithOlderSecret } from "./key-box";
import { pullProvider, type PullOptions, type ProviderDayRow } from "./pull";

/**
 * Reconciliation's services: connections to the providers' admin APIs, pulls that replace
 * the days they cover, and the comparison of what each provider reported with Burnrate's
 * own rollups (./compare.ts). The admin key is sealed before it is stored
 * (./key-box.ts), opened only to make a pull, and never answered, audited or logged.
 */


// ------------------------------------------------------------------ connections

interface ConnectionRow {
  id: string;
  provider: ReconciliationProvider;
  base_url: string;
  key_ciphertext: string;
  key_hint: string;
  created_at: Date;
  run_started_at: Date | null;
  run_finished_at: Date | null;
  run_status: "running" | "ok" | "failed" | null;
  run_error: string | null;
  run_from: Date | null;
  run_to: Date | null;
}

const CONNECTIONS_SQL = `
  SELECT c.id::text AS id, c.provider::text AS provider, c.base_url, c.key_ciphertext, c.key_hint, c.created_at,
         r.started_at AS run_started_at, r.finished_at AS run_finished_at, r.status AS run_status, r.error AS run_error,
         r.from_day AS run_from, r.to_day AS run_to
  FROM reconciliation_connections c
  LEFT JOIN LATERAL (
    SELECT * FROM reconciliation_runs r WHERE r.connection_id = c.id ORDER BY r.started_at DESC, r.id LIMIT 1
  ) r ON true`;

function connectionJson(row: ConnectionRow): ConnectionJson {
  return {
    id: row.id,
    provider: row.provider,
    base_url: row.base_url,
    key_hint: row.key_hint,
    created_at: row.created_at.toISOString(),
    last_run:
      row.run_started_at && row.run_status && row.run_from && row.run_to
        ? {
            started_at: row.run_started_at.toISOString(),
            finished_at: row.run_finished_at?.toISOString() ?? null,
            status: row.run_status,
            error: row.run_error,
            from: utcDayKey(row.run_from),
            to: utcDayKey(row.run_to),
          }
        : null,
  };
}

async function connectionRows(db: Queryable, id?: string): Promise<ConnectionRow[]> {
  const p = new SqlParams();
  const where = id === undefined ? "" : ` WHERE c.id = ${p.add(id, "uuid")}`;
  return rows<ConnectionRow & Record<string, unknown>>(db, `${CONNECTIONS_SQL}${where} ORDER BY c.created_at, c.id`, p);
}

/** GET /api/v1/reconciliation/connections: never the key, its last 4 characters only. */
export async function listConnections(ctx: Ctx): Promise<ConnectionJson[]> {
  return (await connectionRows(dbOf(ctx))).map(connectionJson);
}

/** POST /api/v1/reconciliation/connections: the base URL through the outbound guard (400 naming base_url). */
export async function createConnection(ctx: Ctx<AuditActor>, input: CreateConnectionInput): Promise<ConnectionJson> {
  const baseUrl = (input.base_url ?? DEFAULT_BASE_URLS[input.provider]).replace(/\/+$/, "");
  const refusal = await outboundUrlRefusal(baseUrl);
  if (refusal !== null) throw new ApiError("invalid_request", `The base URL is not allowed: ${refusal}.`, { details: [{ path: "base_url", message: refusal }] });
  const actor = ctx.principal;
  const created = await prisma.$transaction(async (tx) => {
    const row = await tx.reconciliationConnection.create({
      data: {
        provider: input.provider,
        baseUrl,
        keyCiphertext: sealAdminKey(input.admin_key),
        keyHint: keyHint(input.admin_key),
        createdById: actor.kind === "user" ? actor.userId : null,
        ...(ctx.now ? { createdAt: ctx.now } : {}),
      },
      select: { id: true, provider: true, baseUrl: true, keyHint: true },
    });
    await writeAudit(tx, actor, {
      action: "reconciliation.connection_create",
      targetType: "reconciliation_connection",
      targetId: row.id,
      after: { provider: row.provider, base_url: row.baseUrl, key_hint: row.keyHint },
      ip: ipOf(ctx),
    });
    return row;
  });
  const [row] = await connectionRows(dbOf(ctx), created.id);
  if (!row) throw new Error("connection missing after create");
  return connectionJson(row);
}

/** DELETE /api/v1/reconciliation/connections/{id}: its pulled days go with it. */
export async function deleteConnection(ctx: Ctx<AuditActor>, { id }: { id: string }): Promise<{ id: string; deleted: true }> {
  await prisma.$transaction(async (tx) => {
    const row = await tx.reconciliationConnection.findUnique({ where: { id }, select: { provider: true, baseUrl: true, keyHint: true } });
    if (!row) throw new ApiError("not_found", "No such connection.");
    await tx.reconciliationConnection.delete({ where: { id } });
    await writeAudit(tx, ctx.principal, {
      action: "reconciliation.connection_delete",
      targetType: "reconciliation_connection",
      targetId: id,
      before: { provider: row.provider, base_url: row.baseUrl, key_hint: row.keyHint },
      ip: ipOf(ctx),
    });
  });
  return { id, deleted: true };
}

// ------------------------------------------------------------------ pulls

export interface ConnectionRunResult {
  id: string;
  provider: ReconciliationProvider;
  status: "ok" | "failed";
  error: string | null;
  pages: number;
  rows: number;
}

export interface RunResult {
  from: string;
  to: string;
  connections: ConnectionRunResult[];
  /** Days pulled (per connection that succeeded). */
  days: number;
}

/** Serializes writes of one connection's days (two runs of the same range never interleave). */
const lockOf = (connectionId: string) => `burnrate_reconciliation:${connectionId}`;

async function storeDays(pool: pg.Pool, connection: ConnectionRow, window: { from: Date; to: Date }, pulled: readonly ProviderDayRow[], now: Date): Promise<void> {
  await withTransaction(
    pool,
    async (client) => {
      await client.query(
        `DELETE FROM reconciliation_days WHERE connection_id = $1::uuid AND day >= $2::date AND day < $3::date`,
        [connection.id, utcDayKey(window.from), utcDayKey(window.to)],
      );
      if (pulled.length === 0) return;
      const column = <K extends keyof ProviderDayRow>(key: K) => pulled.map((row) => row[key]);
      await client.query(
        `INSERT INTO reconciliation_days (connection_id, provider, day, model, requests, input_tokens, cache_read_tokens,
                                          cache_write_tokens, cache_write_1h_tokens, output_tokens, cost_usd, pulled_at)
         SELECT $1::uuid, $2::"ReconciliationProvider", d.day, d.model, d.requests, d.input, d.read, d.write, d.write_1h, d.output, d.cost, $3::timestamptz
         FROM unnest($4::date[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::numeric[])
              AS d(day, model, requests, input, read, write, write_1h, output, cost)`,
        [
          connection.id,
          connection.provider,
          iso(now),
          column("day"),
          column("model"),
          column("requests"),
          column("inputTokens"),
          column("cacheReadTokens"),
          column("cacheWriteTokens"),
          column("cacheWrite1hTokens"),
          column("outputTokens"),
          column("costUsd"),
        ],
      );
    },
    { advisoryLock: lockOf(connection.id) },
  );
}

/** One connection's pull of [from, to): recorded as a run, failed or not; the days replaced only when every page arrived. */
async function pullConnection(pool: pg.Pool, connection: ConnectionRow, window: { from: Date; to: Date }, now: Date, options: PullOptions): Promise<ConnectionRunResult> {
  const run = await pool.query<{ id: string }>(
    `INSERT INTO reconciliation_runs (id, connection_id, from_day, to_day, started_at, status)
     VALUES (gen_random_uuid(), $1::uuid, $2::date, $3::date, $4::timestamptz, 'running') RETURNING id::text`,
    [connection.id, utcDayKey(window.from), utcDayKey(window.to), iso(now)],
  );
  const runId = run.rows[0]?.id;
  const finish = (status: "ok" | "failed", error: string | null, pages: number) =>
    pool.query(`UPDATE reconciliation_runs SET status = $2, error = $3, pages = $4, finished_at = clock_timestamp() WHERE id = $1::uuid`, [runId, status, error, pages]);
  try {
    const adminKey = openAdminKey(connection.key_ciphertext);
    const result = await pullProvider({ provider: connection.provider, baseUrl: connection.base_url, adminKey }, window, options);
    await storeDays(pool, connection, window, result.rows, now);
    await finish("ok", null, result.pages);
    return { id: connection.id, provider: connection.provider, status: "ok", error: null, pages: result.pages, rows: result.rows.length };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await finish("failed", message.slice(0, 500), 0);
    logger().warn({ connection: connection.id, provider: connection.provider, error: message }, "reconciliation pull failed");
    return { id: connection.id, provider: connection.provider, status: "failed", error: message.slice(0, 500), pages: 0, rows: 0 };
  }
}

/** Every connection's pull of [from, to) (UTC days), one after the other. */
export async function pullAllConnections(pool: pg.Pool, window: { from: Date; to: Date }, now: Date, options: PullOptions = {}): Promise<RunResult> {
  const connections = await connectionRows(pool);
  const results: ConnectionRunResult[] = [];
  for (const connection of connections) results.push(await pullConnection(pool, connection, window, now, options));
  const days = Math.round((window.to.getTime() - window.from.getTime()) / DAY_MS);
  return { from: utcDayKey(window.from), to: utcDayKey(window.to), connections: results, days: days * results.filter((r) => r.status === "ok").length };
}

/** POST /api/v1/reconciliation/run: audited with what each connection answered. */
export async function runReconciliation(ctx: Ctx<AuditActor>, input: RunReconciliationInput, options: PullOptions = {}): Promise<RunResult> {
  const result = await pullAllConnections(dbOf(ctx), { from: input.from, to: input.to }, nowOf(ctx), options);
  await writeAudit(prisma, ctx.principal, {
    action: "reconciliation.run",
    targetType: "reconciliation",
    after: { from: result.from, to: result.to, connections: result.connections.map(({ id, provider, status, error }) => ({ id, provider, status, error })) },
    ip: ipOf(ctx),
  });
  return result;
}

/** The daily pull: the last 3 whole UTC days for every connection whose last run started over 20 hours ago; one instance does it. */
export const RECONCILE_DAYS = 3;
const DAILY_LOCK = "burnrate_reconciliation_daily";

export async function runDueReconciliation(pool: pg.Pool, now: Date, options: PullOptions = {}): Promise<RunResult | null> {
  const due = await pool.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM reconciliation_connections c
     WHERE NOT EXISTS (SELECT 1 FROM reconciliation_runs r WHERE r.connection_id = c.id AND r.started_at > $1::timestamptz)`,
    [iso(new Date(now.getTime() - 20 * 3_600_000))],
  );
  if (toCount(due.rows[0]?.n ?? "0") === 0) return null;
  const today = startOfUtcDay(now);
  const window = { from: new Date(today.getTime() - RECONCILE_DAYS * DAY_MS), to: today };
  const outcome = await withTransactionIfUnlocked(pool, DAILY_LOCK, () => pullAllConnections(pool, window, now, options));
  return outcome.ran ? outcome.value : null;
}

/** Reseals every admin key sealed with another secret (key-box.ts explains the rotation). */
export async function resealConnectionKeys(pool: pg.Pool): Promise<{ resealed: number; total: number }> {
  const stored = await pool.query<{ id: string; key_ciphertext: string }>(`SELECT id::text, key_ciphertext FROM reconciliation_connections ORDER BY id`);
  let resealed = 0;
  for (const row of stored.rows) {
    if (!sealedWithOlderSecret(row.key_ciphertext)) continue;
    const sealed = sealAdminKey(openAdminKey(row.key_ciphertext));
    await pool.query(`UPDATE reconciliation_connections SET key_ciphertext = $2 WHERE id = $1::uuid AND key_ciphertext = $3`, [row.id, sealed, row.key_ciphertext]);
    resealed++;
  }
  return { resealed, total: stored.rows.length };
}

// ------------------------------------------------------------------ the comparison

/** What the providers reported and what Burnrate counted over [from, to), compared (./compare.ts). */
export async function compareWindow(db: Queryable, window: { from: Date; to: Date }, provider?: ReconciliationProvider): Promise<Comparison> {
  const providers = provider ? [provider] : [...RECONCILIATION_PROVIDERS];
  const bounds = [utcDayKey(window.from), utcDayKey(window.to), providers];
  const [pulled, providerRows, burnrateRows, withoutWriteRate] = await Promise.all([
    db.query<{ provider: ReconciliationProvider; day: string }>(
      `SELECT DISTINCT c.provider::text AS provider, to_char(d, 'YYYY-MM-DD') AS day
       FROM reconciliation_runs r
       JOIN reconciliation_connections c ON c.id = r.connection_id,
            generate_series(r.from_day, r.to_day - 1, interval '1 day') AS d
       WHERE r.status = 'ok' AND d >= $1::date AND d < $2::date AND c.provider::text = ANY($3::text[])`,
      bounds,
    ),
    db.query<{ provider: ReconciliationProvider; day: string; model: string | null; requests: string | null; input: string | null; read: string | null; write: string | null; write_1h: string | null; output: string | null; cost: string | null }>(
      `SELECT provider::text AS provider, to_char(day, 'YYYY-MM-DD') AS day, model,
              sum(requests)::text AS requests, sum(input_tokens)::text AS input, sum(cache_read_tokens)::text AS read,
              sum(cache_write_tokens)::text AS write, sum(cache_write_1h_tokens)::text AS write_1h,
              sum(output_tokens)::text AS output, sum(cost_usd)::text AS cost
       FROM reconciliation_days
       WHERE day >= $1::date AND day < $2::date AND provider::text = ANY($3::text[])
       GROUP BY provider, day, model`,
      bounds,
    ),
    burnrateDays(db, window, providers),
    db.query<{ provider: string; model: string; no_write_rate: boolean; no_1h_rate: boolean }>(
      `SELECT provider, model, no_write_rate, no_1h_rate FROM (
         SELECT DISTINCT ON (provider, model) provider, model,
                cache_write_per_mtok = input_per_mtok AS no_write_rate, cache_write_1h_per_mtok IS NULL AS no_1h_rate
         FROM prices WHERE provider = ANY($1::text[]) AND service_tier = 'standard'
         ORDER BY provider, model, effective_from DESC
       ) latest WHERE no_write_rate OR no_1h_rate`,
      [providers],
    ),
  ]);
  const count = (text: string | null) => (text === null ? null : toCount(text));
  const provided: ProviderRow[] = providerRows.rows.map((row) => ({
    provider: row.provider,
    day: row.day,
    model: row.model,
    requests: count(row.requests),
    inputTokens: count(row.input),
    cacheReadTokens: count(row.read),
    cacheWriteTokens: count(row.write),
    cacheWrite1hTokens: count(row.write_1h),
    outputTokens: count(row.output),
    costUsd: row.cost,
  }));
  return compareReconciliation({
    provider: provided,
    burnrate: burnrateRows,
    pulledDays: new Set(pulled.rows.map((row) => pulledDayKey(row.provider, row.day))),
    modelsWithoutCacheWriteRate: new Set(withoutWriteRate.rows.filter((row) => row.no_write_rate).map((row) => providerModelKey(row.provider, row.model))),
    modelsWithout1hCacheWriteRate: new Set(withoutWriteRate.rows.filter((row) => row.no_1h_rate).map((row) => providerModelKey(row.provider, row.model))),
  });
}

/** Burnrate's side per provider, UTC day and model: the showback aggregate (lib/analytics/spend.ts), every team. */
async function burnrateDays(db: Queryable, window: { from: Date; to: Date }, providers: readonly ReconciliationProvider[]): Promise<BurnrateRow[]> {
  const filters = providers.length === 1 ? { provider: providers[0] } : {};
  const { rows } = await aggregateSpend(db, { ...window, groupBy: ["day", "provider", "model"], filters }, { kind: "all" }, { limit: null, order: "keys" });
  return rows
    .filter((row) => (providers as readonly string[]).includes(row.provider ?? ""))
    .map((row) => ({
      provider: row.provider as ReconciliationProvider,
      day: row.day as string,
      model: row.model as string,
      requests: row.requests,
      unpricedRequests: row.unpriced_requests,
      inputTokens: row.input_tokens,
      cacheReadTokens: row.cache_read_input_tokens,
      cacheWriteTokens: row.cache_creation_input_tokens,
      outputTokens: row.output_tokens,
      costUsd: row.cost_usd,
    }));
}

/** GET /api/v1/reconciliation: the rows per provider, day and model, each day's totals, the window's totals, the connections' last runs. */
export async function getReconciliation(ctx: Ctx, query: ReconciliationQuery): Promise<ReconciliationReportJson> {
  const db = dbOf(ctx);
  const [comparison, connections] = await Promise.all([compareWindow(db, { from: query.from, to: query.to }, query.provider), connectionRows(db)]);
  return {
    from: utcDayKey(query.from),
    to: utcDayKey(query.to),
    ...comparison,
    connections: connections.filter((c) => query.provider === undefined || c.provider === query.provider).map(connectionJson),
  };
}
