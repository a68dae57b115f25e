import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { hashApiKey, isWellFormedApiKey } from "@/lib/auth/api-key-format";
import { getSecret } from "@/lib/secrets";

// The contract's CLI: `npm run -s burnrate -- key create …` against the app's database.
function burnrate(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/burnrate.ts", ...args], {
    env: { ...process.env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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
});
