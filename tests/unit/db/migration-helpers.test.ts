import { describe, expect, it } from "vitest";
import { hasStatements, listMigrations } from "@/lib/db/migrate";
import { readEnv } from "@/lib/env";

describe("migration helpers", () => {
  it("treats comment-only diff output as no change", () => {
    expect(hasStatements("-- This is an empty migration.\n\n")).toBe(false);
    expect(hasStatements("-- AlterTable\nALTER TABLE x ADD COLUMN y int;")).toBe(true);
  });

  it("lists migration folders in name order, relative to the folder, as Prisma's CLI does", () => {
    const list = listMigrations();
    const names = list.migrationDirectories.map((d) => d.path);
    expect(names).toEqual([...names].sort());
    expect(names.every((n) => /^\d{14}_[a-z0-9_]+$/.test(n))).toBe(true);
    expect(list.lockfile.content).toContain('provider = "postgresql"');
  });
});

describe("configuration", () => {
  it("has sensible defaults", () => {
    expect(readEnv({})).toMatchObject({ PORT: 3000, BURNRATE_DATA_DIR: ".data", BURNRATE_DEMO: "1" });
  });

  it("names the setting that is wrong", () => {
    expect(() => readEnv({ PORT: "http" })).toThrow(/PORT/);
    expect(() => readEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL/);
    expect(() => readEnv({ BURNRATE_DEMO: "yes" })).toThrow(/BURNRATE_DEMO/);
  });
});
