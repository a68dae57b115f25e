import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { getPool, prisma } from "@/lib/db";
import { listMigrations } from "@/lib/db/migrate";
import { backupDatabase } from "@/lib/ops/backup";
import { RestoreRefusedError } from "@/lib/ops/backup-format";
import { parsePostgresVersion } from "@/lib/ops/postgres-tools";
import { restoreDatabase, verifyBackupFile } from "@/lib/ops/restore";
import { foldRollups } from "@/lib/rollups/fold";
import { foldHourlyPending } from "@/lib/rollups/pending";
import { withTransaction } from "@/lib/db/sql";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createDatabase, databaseUrl, dropDatabase, withAdminClient } from "../setup/test-database";

// The source is this file's own database (migrated from the template), filled once through
// the real ingestion route and Prisma; every restore goes into a database of its own.
const serverUrl = inject("testServerUrl");
const sourceUrl = process.env.DATABASE_URL as string;
const workDir = mkdtempSync(path.join(os.tmpdir(), "burnrate-backup-"));
const createdDatabases: string[] = [];
const createdRoles: string[] = [];
const codeMigrations = listMigrations().migrationDirectories.map((directory) => directory.path);

const PROVIDER = "backupco";
/** What COPY has to escape: tab, newline, backslashes, a line holding only `\.`, quotes, non-ASCII, a control character. */
const AWKWARD_TEXT = 'tab\there\nnewline, backslash \\ and\n\\.\na lone backslash-dot line, "quoted", ünïcödé ✓, \u0001';
// Events of three months ago: a fresh database has partitions from the current month on
// only, so the restore must create the ones the backup's events need (prepareTablesForRestore).
const MONTH_START = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 3, 1));
const hoursIn = (hours: number) => new Date(MONTH_START.getTime() + hours * 3_600_000);

async function freshDatabase(template?: string): Promise<string> {
  const name = await createDatabase(serverUrl, "burnrate_test_bk", template);
  createdDatabases.push(name);
  return databaseUrl(serverUrl, name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

interface TableState {
  rows: number;
  digest: string | null;
}

/** Every table (but the migration history) with its row count and a digest of its sorted rows. */
async function tableStates(url: string): Promise<Record<string, TableState>> {
  const tables = await query<{ name: string }>(
    url,
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> '_prisma_migrations'
     ORDER BY 1`,
  );
  const states: Record<string, TableState> = {};
  for (const { name } of tables) {
    const [state] = await query<TableState>(
      url,
      `SELECT count(*)::int AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${name}" t`,
    );
    states[name] = state as TableState;
  }
  return states;
}

async function ingest(key: string, events: Record<string, unknown>[]): Promise<void> {
  const response = await postEvents(apiRequest("/api/v1/events", { key, body: { events } }));
  expect(response.status).toBe(200);
  expect(await response.json()).toMatchObject({ accepted: events.length, rejected: 0 });
}

function event(id: string, hours: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    timestamp: hoursIn(hours).toISOString(),
    provider: PROVIDER,
    model: "exact",
    usage: { input_tokens: 1000, output_tokens: 3 },
    tags: { team: "search", feature: "query-rewrite", environment: "production" },
    ...overrides,
  };
}

/** One or more rows in every table, exact decimals and NULLs included. */
async function fillSource(): Promise<void> {
  const team = await prisma.team.create({ data: { slug: "search", name: "Search" } });
  const ada = await prisma.user.create({ data: { email: "ada@example.com", name: "Ada", role: "admin", passwordHash: "scrypt$test" } });
  await prisma.user.create({ data: { email: "viewer@example.com", role: "viewer" } });
  await prisma.teamMembership.create({ data: { userId: ada.id, teamId: team.id, role: "lead" } });
  await prisma.account.create({ data: { userId: ada.id, type: "oidc", provider: "okta", providerAccountId: "ada-1", expiresAt: 1_767_225_600 } });
  await prisma.auditLog.create({ data: { actorLabel: "cli", action: "test.awkward", actorUserId: ada.id, after: { note: AWKWARD_TEXT } } });
  await prisma.auditLog.create({ data: { actorLabel: "system", action: "test.nulls" } });
  await prisma.price.create({
    data: {
      provider: PROVIDER,
      model: "exact",
      effectiveFrom: new Date("2020-01-01T00:00:00Z"),
      // One input token costs exactly $0.000001234567.
      inputPerMtok: "1.234567",
      outputPerMtok: "0",
      cacheReadPerMtok: "0",
      cacheWritePerMtok: "0",
      reasoningPerMtok: "0",
      source: "test",
      sourceDate: new Date("2026-11-30T00:00:00Z"),
    },
  });

  const key = await createTestKey(["ingest"]);
  await ingest(key, [
    event("evt-exact", 1, { usage: { input_tokens: 1, output_tokens: 0 }, trace_id: "trace-1", latency_ms: 420, tags: { team: "search", customer_tier: "gold" } }),
    event("evt-unpriced", 2, { model: "no-price", usage: { input_tokens: 10, output_tokens: 5 }, status: "error", attempt: 2, tags: {} }),
    ...Array.from({ length: 20 }, (_, i) => event(`evt-bulk-${i}`, 3 + (i % 5), { tags: { team: i % 2 ? "search" : "ads" } })),
  ]);
  // Folded days, then a later event: both usage_rollup_daily and its pending deltas hold rows.
  await foldRollups(getPool());
  await ingest(key, [event("evt-late", 30, { tags: { team: "ads", tenant: "acme" } })]);
  // Its pending rows into the hours (the fold's first step): their daily deltas are pending now.
  await withTransaction(getPool(), (client) => foldHourlyPending(client));
  // And a last event whose rows stay in ingest's pending tables.
  await ingest(key, [event("evt-last", 30, { tags: { team: "search", customer_tier: "silver" } })]);

  const budget = await prisma.budget.create({ data: { name: "Search monthly", team: "search", amountUsd: "100.000000000001", thresholds: [50, 80, 100] } });
  const channel = await prisma.alertChannel.create({ data: { name: "ops hook", type: "webhook", target: "http://127.0.0.1:9/hook", secret: "s3cret" } });
  const rule = await prisma.alertRule.create({
    data: { name: "Search budget", type: "budget_threshold", params: { thresholds: [80] }, budgetId: budget.id, channels: { connect: [{ id: channel.id }] } },
  });
  const alert = await prisma.alertEvent.create({
    data: {
      ruleId: rule.id,
      budgetId: budget.id,
      type: "budget_threshold",
      dedupeKey: "rule:search:80",
      state: "acknowledged",
      scope: { team: "search" },
      periodStart: MONTH_START,
      message: "80% of the budget",
      payload: { spent_usd: "80.000000000001" },
      acknowledgedAt: hoursIn(5),
      acknowledgedById: ada.id,
    },
  });
  await prisma.alertDelivery.create({ data: { alertEventId: alert.id, channelId: channel.id, status: "failed", attempts: 3, responseStatus: 500, lastError: AWKWARD_TEXT } });
  await prisma.quotaAllocation.create({ data: { teamId: team.id, unit: "usd", amount: "500.5", requestsPerMinute: 60 } });
  await prisma.burstRequest.create({
    data: { teamId: team.id, requestedById: ada.id, amount: "12.000000000001", startsAt: MONTH_START, endsAt: hoursIn(24 * 7), reason: "launch" },
  });
  await prisma.outcome.create({
    data: { id: "out-1", occurredAt: hoursIn(1), traceId: "trace-1", type: "ticket_resolved", success: true, value: "3.141593", extraTags: { channel: "chat" } },
  });
}

function burnrate(databaseUrlForCli: string, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrlForCli },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let backupFile: string;
let source: Record<string, TableState>;

beforeAll(async () => {
  await fillSource();
  source = await tableStates(sourceUrl);
  backupFile = path.join(workDir, "source.dump");
  await backupDatabase({ databaseUrl: sourceUrl, out: backupFile, backupDir: workDir, format: "burnrate" });
});

afterAll(async () => {
  for (const name of createdDatabases) await dropDatabase(serverUrl, name);
  for (const role of createdRoles) await withAdminClient(serverUrl, (client) => client.query(`DROP ROLE IF EXISTS "${role}"`));
  rmSync(workDir, { recursive: true, force: true });
});

describe("burnrate backup and restore (Burnrate format)", () => {
  it("has rows in every table of the source", () => {
    const tables = [
      "teams", "users", "team_memberships", "accounts", "api_keys", "audit_log", "usage_events",
      "usage_rollup_hourly", "usage_rollup_pending", "usage_rollup_daily",
      "usage_rollup_daily_pending", "outcomes", "prices", "budgets",
      "alert_rules", "alert_channels", "_AlertChannelToAlertRule", "alert_events", "alert_deliveries",
      "quota_allocations", "burst_requests",
    ];
    expect(tables.filter((table) => !(source[table]?.rows ?? 0))).toEqual([]);
    expect(source.usage_events?.rows).toBe(24);
  });

  it("writes a manifest of the snapshot and restores every table row for row into an empty database", async () => {
    const out = path.join(workDir, "full.dump");
    const progress: string[] = [];
    const result = await backupDatabase({ databaseUrl: sourceUrl, out, backupDir: workDir, format: "burnrate", onProgress: (line) => progress.push(line) });
    expect(result).toMatchObject({ path: out, format: "burnrate", bytes: statSync(out).size });
    expect(existsSync(`${out}.partial`)).toBe(false);
    expect(Object.fromEntries(result.tables.map((table) => [table.name, table.rows]))).toEqual(
      Object.fromEntries(Object.entries(source).map(([name, state]) => [name, state.rows])),
    );
    expect(progress).toContain("usage_events: 24 rows");

    const manifest = await verifyBackupFile(out);
    expect(manifest.migrations).toEqual(codeMigrations);
    expect(manifest.serverVersion).toBe((await query<{ server_version: string }>(sourceUrl, "SHOW server_version"))[0]?.server_version);
    const order = manifest.tables.map((table) => table.name);
    expect(order).not.toContain("_prisma_migrations");
    expect(order.indexOf("prices")).toBeLessThan(order.indexOf("usage_events"));
    expect(order.indexOf("alert_events")).toBeLessThan(order.indexOf("alert_deliveries"));
    expect(order.indexOf("alert_rules")).toBeLessThan(order.indexOf("_AlertChannelToAlertRule"));
    expect(manifest.tables.find((table) => table.name === "usage_events")?.occurredAt).toEqual({
      min: hoursIn(1).toISOString(),
      max: hoursIn(30).toISOString(),
    });

    const target = await freshDatabase();
    const restored = await restoreDatabase({ databaseUrl: target, file: out });
    expect(restored).toMatchObject({ format: "burnrate", migrationsApplied: codeMigrations, triggersOff: "replica" });
    expect(await tableStates(target)).toEqual(source);
    expect(await query(target, "SELECT migration_name FROM _prisma_migrations ORDER BY 1")).toEqual(
      codeMigrations.map((migration_name) => ({ migration_name })),
    );
  });

  it("keeps exact decimals, NULLs and awkward text, and does not let triggers double the daily deltas", async () => {
    const target = await freshDatabase();
    await restoreDatabase({ databaseUrl: target, file: backupFile });

    expect(await query(target, "SELECT id, cost_usd::text AS cost, pricing_state, team FROM usage_events WHERE id IN ('evt-exact', 'evt-unpriced') ORDER BY id")).toEqual([
      { id: "evt-exact", cost: "0.000001234567", pricing_state: "priced", team: "search" },
      { id: "evt-unpriced", cost: null, pricing_state: "unpriced", team: null },
    ]);
    expect(await query(target, "SELECT amount_usd::text AS amount, thresholds FROM budgets")).toEqual([{ amount: "100.000000000001", thresholds: [50, 80, 100] }]);
    expect(await query(target, "SELECT last_error FROM alert_deliveries")).toEqual([{ last_error: AWKWARD_TEXT }]);
    expect(await query(target, "SELECT after->>'note' AS note FROM audit_log WHERE action = 'test.awkward'")).toEqual([{ note: AWKWARD_TEXT }]);

    const pendingInSource = source.usage_rollup_daily_pending?.rows ?? 0;
    expect(pendingInSource).toBeGreaterThan(0);
    const pending = async () => Number((await query<{ n: string }>(target, "SELECT count(*) AS n FROM usage_rollup_daily_pending"))[0]?.n);
    expect(await pending()).toBe(pendingInSource);
    // The triggers are live again after the restore: one new hourly row, one new delta.
    await query(target, "INSERT INTO usage_rollup_hourly (hour, provider, model, service_tier, requests) VALUES ('2020-01-01T00:00:00Z', 'p', 'm', 'standard', 1)");
    expect(await pending()).toBe(pendingInSource + 1);
  });

  it("sets every sequence past the restored ids", async () => {
    const target = await freshDatabase();
    await restoreDatabase({ databaseUrl: target, file: backupFile });
    const maxId = async (table: string) => BigInt((await query<{ max: string }>(target, `SELECT max(id)::text AS max FROM ${table}`))[0]?.max ?? "0");

    const restoredAuditMax = await maxId("audit_log");
    expect(restoredAuditMax).toBeGreaterThan(0n);
    const [inserted] = await query<{ id: string }>(target, "INSERT INTO audit_log (actor_label, action) VALUES ('test', 'after.restore') RETURNING id::text AS id");
    expect(BigInt(inserted?.id ?? "0")).toBe(restoredAuditMax + 1n);

    for (const table of ["usage_rollup_hourly", "usage_rollup_daily", "usage_rollup_daily_pending"]) {
      const restoredMax = await maxId(table);
      const [next] = await query<{ id: string }>(target, `SELECT nextval(pg_get_serial_sequence('${table}', 'id'))::text AS id`);
      expect(BigInt(next?.id ?? "0"), table).toBe(restoredMax + 1n);
    }
  });

  it("through the CLI: prints the path last, refuses a database with data (exit 2), replaces it with --force", async () => {
    const out = path.join(workDir, "cli.dump");
    const backup = burnrate(sourceUrl, "backup", "--out", out, "--format", "burnrate");
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout.trimEnd().split("\n").at(-1)).toBe(out);
    expect(backup.stdout).toMatch(/^Backup written: [\d.]+ KB, Burnrate format, \d+ tables, [\d,]+ rows, in [\d.]+ s\.$/m);
    expect(backup.stderr).toContain("usage_events: 24 rows");

    // A migrated, empty database is a valid target too.
    const target = await freshDatabase(inject("templateDatabase"));
    const first = burnrate(target, "restore", out);
    expect(first.status, first.stderr).toBe(0);
    const rows = Object.values(source).reduce((sum, state) => sum + state.rows, 0);
    expect(first.stdout).toContain(`Restored ${Object.keys(source).length} tables, ${rows.toLocaleString("en-US")} rows (Burnrate format) from ${out}`);
    expect(await tableStates(target)).toEqual(source);

    await query(target, "UPDATE teams SET name = 'Changed' WHERE slug = 'search'");
    const refused = burnrate(target, "restore", out);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe(
      "burnrate: the database already holds data (_AlertChannelToAlertRule, accounts, alert_channels, alert_deliveries, alert_events, …); " +
        "a restore replaces everything: pass --force to drop it first",
    );
    expect(await query(target, "SELECT name FROM teams WHERE slug = 'search'")).toEqual([{ name: "Changed" }]);

    const forced = burnrate(target, "restore", out, "--force");
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toContain("Dropping the existing data (--force)");
    expect(await tableStates(target)).toEqual(source);

    const usage = burnrate(target, "restore");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("restore needs exactly one backup FILE");
  });

  it("refuses a backup made by a newer version, before touching the database", async () => {
    const contents = gunzipSync(readFileSync(backupFile));
    const firstNewline = contents.indexOf(0x0a);
    const secondNewline = contents.indexOf(0x0a, firstNewline + 1);
    const manifest = JSON.parse(contents.subarray(firstNewline + 1, secondNewline).toString("utf8")) as { migrations: string[] };
    manifest.migrations.push("29990101000000_from_the_future");
    const newer = path.join(workDir, "newer.dump");
    writeFileSync(newer, gzipSync(Buffer.concat([contents.subarray(0, firstNewline + 1), Buffer.from(JSON.stringify(manifest)), contents.subarray(secondNewline)])));

    const target = await freshDatabase();
    const attempt = restoreDatabase({ databaseUrl: target, file: newer });
    await expect(attempt).rejects.toThrow(RestoreRefusedError);
    await expect(attempt).rejects.toThrow(
      "the backup comes from a newer Burnrate: its migration 29990101000000_from_the_future is not in this version; upgrade Burnrate, then restore",
    );
    expect(await query(target, "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 0 }]);
  });

  it("rolls back a truncated backup, and with --force checks the whole file before dropping anything", async () => {
    const full = readFileSync(backupFile);
    const truncated = path.join(workDir, "truncated.dump");
    // Cut near the end: past the manifest (which grows with the schema), inside the tables' data.
    writeFileSync(truncated, full.subarray(0, full.length - 256));

    const target = await freshDatabase();
    await expect(restoreDatabase({ databaseUrl: target, file: truncated })).rejects.toThrow(/truncated/);
    const afterFailure = await tableStates(target);
    expect(Object.values(afterFailure).every((state) => state.rows === 0)).toBe(true);
    expect(Object.keys(afterFailure)).toEqual(Object.keys(source));

    await restoreDatabase({ databaseUrl: target, file: backupFile });
    await query(target, "UPDATE teams SET name = 'Kept' WHERE slug = 'search'");
    await expect(restoreDatabase({ databaseUrl: target, file: truncated, force: true })).rejects.toThrow(/truncated/);
    expect(await query(target, "SELECT name FROM teams WHERE slug = 'search'")).toEqual([{ name: "Kept" }]);
  });

  it("restores as a database owner without superuser rights, switching triggers off table by table", async () => {
    const suffix = randomBytes(5).toString("hex");
    const role = `burnrate_test_owner_${suffix}`;
    const password = randomBytes(12).toString("hex");
    const database = `burnrate_test_bk_owned_${suffix}`;
    createdRoles.push(role);
    createdDatabases.push(database);
    await withAdminClient(serverUrl, async (client) => {
      await client.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
      await client.query(`CREATE DATABASE "${database}" OWNER "${role}"`);
    });
    const url = new URL(databaseUrl(serverUrl, database));
    url.username = role;
    url.password = password;
    const target = url.toString();

    const restored = await restoreDatabase({ databaseUrl: target, file: backupFile });
    expect(restored.triggersOff).toBe("per-table");
    expect(await tableStates(target)).toEqual(source);
    expect(await query(target, "SELECT DISTINCT tgenabled FROM pg_trigger WHERE tgname LIKE 'usage_rollup_daily_%'")).toEqual([{ tgenabled: "O" }]);

    await query(target, "UPDATE teams SET name = 'Changed' WHERE slug = 'search'");
    const forced = await restoreDatabase({ databaseUrl: target, file: backupFile, force: true });
    expect(forced.triggersOff).toBe("per-table");
    expect(await tableStates(target)).toEqual(source);
  });
});

describe("burnrate backup and restore with pg_dump", () => {
  const systemPgDump = "/usr/bin/pg_dump";
  const systemPgRestore = "/usr/bin/pg_restore";
  const missing = !existsSync(systemPgDump) || !existsSync(systemPgRestore);
  const skipReason = missing ? " (skipped: /usr/bin/pg_dump or /usr/bin/pg_restore is not installed)" : "";

  async function versions() {
    const dump = parsePostgresVersion(execFileSync(systemPgDump, ["--version"], { encoding: "utf8" }));
    const restore = parsePostgresVersion(execFileSync(systemPgRestore, ["--version"], { encoding: "utf8" }));
    const server = parsePostgresVersion((await query<{ server_version: string }>(sourceUrl, "SHOW server_version"))[0]?.server_version ?? "");
    return { dump, restore, server };
  }

  it.skipIf(missing)(`--format pg_dump fails naming both versions when pg_dump is older than the server; auto falls back${skipReason}`, async (context) => {
    const { dump, server } = await versions();
    if (dump.major >= server.major) context.skip(`pg_dump ${dump.text} is as new as the server (${server.text}): nothing to refuse`);

    const out = path.join(workDir, "pg-dump.dump");
    const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", "backup", "--out", out, "--format", "pg_dump"], {
      env: { ...process.env, DATABASE_URL: sourceUrl, BURNRATE_PG_DUMP: systemPgDump },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `burnrate: --format pg_dump: pg_dump ${dump.text} (${systemPgDump}) is older than the PostgreSQL ${server.text} server. ` +
        `Install pg_dump ${server.major} or newer and set BURNRATE_PG_DUMP to it, or use --format burnrate (or auto).`,
    );
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const progress: string[] = [];
    const auto = await backupDatabase({
      databaseUrl: sourceUrl,
      out,
      backupDir: workDir,
      env: { ...process.env, BURNRATE_PG_DUMP: systemPgDump },
      onProgress: (line) => progress.push(line),
    });
    expect(auto.format).toBe("burnrate");
    expect(progress[0]).toBe(`Writing Burnrate's portable format: pg_dump ${dump.text} (${systemPgDump}) is older than the PostgreSQL ${server.text} server.`);
    expect((await verifyBackupFile(out)).tables.find((table) => table.name === "usage_events")?.rows).toBe(24);
  });

  it.skipIf(missing)(`restore of a pg_dump archive fails clearly when pg_restore is older than the server${skipReason}`, async (context) => {
    const { restore, server } = await versions();
    if (restore.major >= server.major) context.skip(`pg_restore ${restore.text} is as new as the server (${server.text})`);
    const archive = path.join(workDir, "fake.pgdump");
    writeFileSync(archive, Buffer.concat([Buffer.from("PGDMP"), randomBytes(64)]));
    const target = await freshDatabase();
    await expect(restoreDatabase({ databaseUrl: target, file: archive, env: { ...process.env, BURNRATE_PG_RESTORE: systemPgRestore } })).rejects.toThrow(
      `${archive} is a pg_dump archive, but pg_restore ${restore.text} (${systemPgRestore}) is older than the PostgreSQL ${server.text} server. ` +
        `Install pg_restore ${server.major} or newer and set BURNRATE_PG_RESTORE to it.`,
    );
  });

  it("refuses a file in neither format", async () => {
    const other = path.join(workDir, "plain.sql");
    writeFileSync(other, "--\n-- PostgreSQL database dump\n--\n");
    const target = await freshDatabase();
    await expect(restoreDatabase({ databaseUrl: target, file: other })).rejects.toThrow(
      `${other} is neither a Burnrate backup nor a pg_dump custom-format archive (a plain-SQL pg_dump is restored with psql)`,
    );
  });
});
