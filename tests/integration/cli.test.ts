import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { hashApiKey, isWellFormedApiKey } from "@/lib/auth/api-key-format";
import { verifyPassword } from "@/lib/auth/password";
import { getSecret } from "@/lib/secrets";

const LITELLM_SAMPLE = "tests/unit/pricing/fixtures/litellm-sample.json";

// The contract's CLI: `npm run -s burnrate -- key create …` against the app's database.
function burnrate(...args: string[]) {
  return burnrateWithInput(undefined, ...args);
}

/** The CLI with `input` on its standard input (closed at once when undefined). */
function burnrateWithInput(input: string | undefined, ...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", ...args], {
    env: { ...process.env },
    encoding: "utf8",
    input: input ?? "",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function lastLine(stdout: string): string {
  return stdout.trimEnd().split("\n").at(-1) ?? "";
}

/** `key create`, returning the printed secret and the stored row. */
async function createKey(name: string, ...extra: string[]) {
  const result = burnrate("key", "create", "--name", name, "--scope", "ingest", ...extra);
  expect(result.status, result.stderr).toBe(0);
  const secret = lastLine(result.stdout);
  expect(isWellFormedApiKey(secret)).toBe(true);
  const stored = await prisma.apiKey.findFirstOrThrow({ where: { name } });
  return { secret, stored, stdout: result.stdout };
}

describe("burnrate CLI", () => {
  it("creates an API key and prints the secret alone on the last stdout line", async () => {
    const result = burnrate("key", "create", "--name", "gateway", "--scope", "ingest,read");
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    const secret = lines.at(-1) ?? "";
    expect(isWellFormedApiKey(secret)).toBe(true);

    const stored = await prisma.apiKey.findFirstOrThrow({ where: { name: "gateway" } });
    expect(stored.scopes).toEqual(["ingest", "read"]);
    expect(stored.secretHash).toBe(hashApiKey(secret, getSecret("apiKeyHash")));
    expect(stored.secretHash).not.toContain(secret);
    expect(stored.last4).toBe(secret.slice(-4));
    expect(stored.revokedAt).toBeNull();
  });

  it("refuses unknown scopes and a missing name with a usage message", () => {
    const badScope = burnrate("key", "create", "--name", "x", "--scope", "ingest,root");
    expect(badScope.status).toBe(2);
    expect(badScope.stderr).toMatch(/unknown: root/);
    const noName = burnrate("key", "create", "--scope", "read");
    expect(noName.status).toBe(2);
    expect(noName.stderr).toMatch(/--name/);
  });

  it("reports an up-to-date schema on migrate", () => {
    const result = burnrate("migrate");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("Database is up to date.");
  });

  it("lists keys by prefix and last 4, never the secret", async () => {
    const { secret, stored } = await createKey("listed");
    const result = burnrate("key", "list");
    expect(result.status, result.stderr).toBe(0);
    const line = result.stdout.split("\n").find((l) => l.includes(" listed "));
    expect(line).toBeDefined();
    expect(line).toContain(`${stored.prefix}…${stored.last4}`);
    expect(line).toContain("[ingest]");
    expect(line).toContain("active");
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  });

  it("revokes a key by prefix once; a second revoke fails", async () => {
    const { stored } = await createKey("to-revoke");
    const first = burnrate("key", "revoke", stored.prefix);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`Revoked ${stored.prefix}`);
    const revoked = await prisma.apiKey.findUniqueOrThrow({ where: { id: stored.id } });
    expect(revoked.revokedAt).toBeInstanceOf(Date);

    const second = burnrate("key", "revoke", stored.prefix);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/already revoked/);
    const after = await prisma.apiKey.findUniqueOrThrow({ where: { id: stored.id } });
    expect(after.revokedAt).toEqual(revoked.revokedAt);

    const unknown = burnrate("key", "revoke", "br_live_nope");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no key with prefix br_live_nope/);
    expect(burnrate("key", "revoke").status).toBe(2);
  });

  it("binds a key to a team with --team and refuses an unknown team", async () => {
    const team = await prisma.team.create({ data: { slug: "search", name: "Search" } });
    const { stored, stdout } = await createKey("search-gateway", "--team", "search");
    expect(stored.teamId).toBe(team.id);
    expect(stdout).toContain("bound to team search");
    expect(burnrate("key", "list").stdout).toMatch(/search-gateway {2}\[ingest\] {2}team search/);

    const unknown = burnrate("key", "create", "--name", "orphan", "--scope", "ingest", "--team", "nope");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/no team with slug nope/);
    expect(await prisma.apiKey.count({ where: { name: "orphan" } })).toBe(0);
  });

  it("writes audit entries for key create and revoke, actor cli, without the secret", async () => {
    const { secret, stored } = await createKey("audited");
    expect(burnrate("key", "revoke", stored.prefix).status).toBe(0);
    const entries = await prisma.auditLog.findMany({ where: { targetId: stored.id }, orderBy: { id: "asc" } });
    expect(entries.map((e) => [e.action, e.actorLabel, e.targetType, e.actorUserId, e.actorKeyId])).toEqual([
      ["api_key.create", "cli", "api_key", null, null],
      ["api_key.revoke", "cli", "api_key", null, null],
    ]);
    const display = `${stored.prefix}…${stored.last4}`;
    // The entries lib/access writes for the API too (the CLI calls it): the same fields either way.
    expect(entries[0]?.after).toEqual({ name: "audited", display, scopes: ["ingest"], team: null, expires_at: null });
    expect(entries[1]?.before).toEqual({ name: "audited", display, scopes: ["ingest"], revoked_at: null });
    expect(entries[1]?.after).toMatchObject({ name: "audited", display, scopes: ["ingest"] });
    expect((entries[1]?.after as { revoked_at?: unknown }).revoked_at).toEqual(expect.any(String));
    const recorded = JSON.stringify(entries.map((e) => [e.before, e.after]));
    expect(recorded).not.toContain(secret);
    expect(recorded).not.toContain(stored.secretHash);
  });

  it("imports LiteLLM prices once; a second import finds them all present", async () => {
    const before = await prisma.price.count();
    const effective = "2026-01-01T00:00:00Z";
    const first = burnrate("prices", "import", LITELLM_SAMPLE, "--effective-from", effective);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `Imported 15 of 15 prices (effective ${effective}); 0 already existed, 5 entries skipped; 0 events re-priced.`,
    );
    expect(await prisma.price.count()).toBe(before + 15);
    const imported = await prisma.price.findMany({ where: { effectiveFrom: new Date(effective) } });
    expect(imported).toHaveLength(15);
    expect(imported.every((p) => p.source === "litellm import")).toBe(true);
    const gpt4o = imported.find((p) => p.provider === "openai" && p.model === "gpt-4o" && p.serviceTier === "standard");
    expect(gpt4o?.inputPerMtok.toString()).toBe("2.5");
    expect(gpt4o?.outputPerMtok.toString()).toBe("10");

    const second = burnrate("prices", "import", LITELLM_SAMPLE, "--effective-from", effective);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain(
      `Imported 0 of 15 prices (effective ${effective}); 15 already existed, 5 entries skipped; 0 events re-priced.`,
    );
    expect(await prisma.price.count()).toBe(before + 15);
    // Each import is audited as the cli, with what it did.
    const imports = await prisma.auditLog.findMany({ where: { action: "price.import" }, orderBy: { id: "asc" } });
    expect(imports.map((entry) => [entry.actorLabel, entry.after])).toEqual([
      ["cli", { file: "litellm-sample.json", effective_from: effective, inserted: 15, existed: 0, skipped: 5, repriced: 0 }],
      ["cli", { file: "litellm-sample.json", effective_from: effective, inserted: 0, existed: 15, skipped: 5, repriced: 0 }],
    ]);
  });

  it("reconciles from the command line: days checked like the API, nothing to pull without a connection", () => {
    const bad = burnrate("reconcile", "--from", "2026-11-03", "--to", "2026-11-02");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("reconcile --to must be after from (to is exclusive)");
    const none = burnrate("reconcile", "--from", "2026-11-02", "--to", "2026-11-03");
    expect(none.status, none.stderr).toBe(0);
    expect(none.stdout).toContain("No provider connections");
    const resealed = burnrate("reconcile", "rotate-keys");
    expect(resealed.status, resealed.stderr).toBe(0);
    expect(resealed.stdout).toContain("Resealed 0 of 0 admin keys under the current secret.");
  });

  it("creates a user with a generated password printed alone on the last line", async () => {
    const result = burnrate("user", "create", "--email", "Ada@Example.com", "--role", "finance", "--name", "Ada");
    expect(result.status, result.stderr).toBe(0);
    const password = lastLine(result.stdout);
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const stored = await prisma.user.findUniqueOrThrow({ where: { email: "ada@example.com" } });
    expect(stored).toMatchObject({ name: "Ada", role: "finance", disabledAt: null });
    expect(stored.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, stored.passwordHash ?? "")).toBe(true);
    expect(await verifyPassword(`${password}x`, stored.passwordHash ?? "")).toBe(false);

    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "user.create", targetId: stored.id } });
    expect(audit.actorLabel).toBe("cli");
    expect(audit.after).toEqual({ email: "ada@example.com", name: "Ada", role: "finance", disabled: false });
  });

  it("takes the password from standard input with --password-stdin and prints none", async () => {
    const password = "correct horse battery staple";
    const result = burnrateWithInput(`${password}\n`, "user", "create", "--email", "grace@example.com", "--role", "viewer", "--password-stdin");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(password);
    expect(lastLine(result.stdout)).toContain("grace@example.com");
    const stored = await prisma.user.findUniqueOrThrow({ where: { email: "grace@example.com" } });
    expect(stored.role).toBe("viewer");
    expect(await verifyPassword(password, stored.passwordHash ?? "")).toBe(true);

    const short = burnrateWithInput("short\n", "user", "create", "--email", "shorty@example.com", "--role", "viewer", "--password-stdin");
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/password .*at least 12 characters/);
    expect(await prisma.user.count({ where: { email: "shorty@example.com" } })).toBe(0);
  });

  it("refuses a duplicate email (exit 1) and a bad role (exit 2, naming it)", async () => {
    const first = burnrate("user", "create", "--email", "linus@example.com", "--role", "team_lead");
    expect(first.status, first.stderr).toBe(0);

    const duplicate = burnrate("user", "create", "--email", "LINUS@example.com", "--role", "admin");
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain("A user with this email exists.");
    expect(duplicate.stdout).toBe("");
    expect((await prisma.user.findUniqueOrThrow({ where: { email: "linus@example.com" } })).role).toBe("team_lead");

    const badRole = burnrate("user", "create", "--email", "root@example.com", "--role", "superuser");
    expect(badRole.status).toBe(2);
    expect(badRole.stderr).toMatch(/--role must be one of admin, finance, team_lead, viewer \(got: superuser\)/);
    expect(await prisma.user.count({ where: { email: "root@example.com" } })).toBe(0);

    const badEmail = burnrate("user", "create", "--email", "not-an-email", "--role", "viewer");
    expect(badEmail.status).toBe(2);
    expect(badEmail.stderr).toMatch(/--email must be an email address/);
    expect(burnrate("user", "create", "--role", "viewer").status).toBe(2);
  });

  it("lists users with role, state and teams", async () => {
    const created = burnrate("user", "create", "--email", "margaret@example.com", "--role", "team_lead", "--name", "Margaret");
    expect(created.status, created.stderr).toBe(0);
    const margaret = await prisma.user.findUniqueOrThrow({ where: { email: "margaret@example.com" } });
    const apollo = await prisma.team.create({ data: { slug: "apollo", name: "Apollo" } });
    const gemini = await prisma.team.create({ data: { slug: "gemini", name: "Gemini" } });
    await prisma.teamMembership.createMany({
      data: [
        { userId: margaret.id, teamId: gemini.id, role: "member" },
        { userId: margaret.id, teamId: apollo.id, role: "lead" },
      ],
    });
    await prisma.user.create({ data: { email: "gone@example.com", role: "viewer", disabledAt: new Date() } });

    const result = burnrate("user", "list");
    expect(result.status, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toContain("margaret@example.com (Margaret)  team_lead  active  teams: apollo (lead), gemini");
    expect(lines).toContain("gone@example.com  viewer  disabled  teams: none");
    expect(result.stdout).not.toMatch(/scrypt\$/);
  });

  it("partitions lists the monthly partitions; retention --dry-run names what it would drop, then drops only that", async () => {
    const { getPool } = await import("@/lib/db");
    const { ensureEventPartitions } = await import("@/lib/db/partitions");
    await ensureEventPartitions(getPool(), new Date("2015-01-10T00:00:00Z"), new Date("2015-02-10T00:00:00Z"));

    const listed = burnrate("partitions");
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^usage_events_2015_01 +2015-01-01 +\d+ +\S+/m);
    expect(listed.stdout).toMatch(/^usage_events_2015_02 +2015-02-01 /m);

    const dry = burnrate("retention", "--months", "60", "--dry-run");
    expect(dry.status, dry.stderr).toBe(0);
    expect(lastLine(dry.stdout)).toMatch(/would drop 2 partitions: usage_events_2015_01, usage_events_2015_02\.$/);
    expect(burnrate("partitions").stdout).toContain("usage_events_2015_01");

    const done = burnrate("retention", "--months", "60");
    expect(done.status, done.stderr).toBe(0);
    expect(lastLine(done.stdout)).toMatch(/dropped 2 partitions \(usage_events_2015_01, usage_events_2015_02\)/);
    expect(burnrate("partitions").stdout).not.toContain("usage_events_2015_");

    const refused = burnrate("retention");
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("retention needs --months N");
  });
});
