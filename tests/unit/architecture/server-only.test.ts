import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { libModules, modulesReachingDatabase, valueImports } from "./module-graph";

/**
 * docs/ARCHITECTURE.md: a module that reaches the database (imports it, or imports a module
 * that does) says so with `import "server-only"`, so Next's build fails if a client
 * component ever pulls it into the browser bundle.
 */
describe("server-only modules", () => {
  const reaching = modulesReachingDatabase();

  it("finds the database modules through value imports, not type imports", () => {
    expect(reaching.has("lib/db.ts")).toBe(true);
    expect(reaching.has("lib/budgets/budgets.ts")).toBe(true);
    expect(reaching.has("lib/http/with-route.ts")).toBe(true);
    // Types only: lib/db/sql.ts imports pg's types, lib/budgets/forecast.ts nothing of the database.
    expect(reaching.has("lib/db/sql.ts")).toBe(false);
    expect(reaching.has("lib/budgets/forecast.ts")).toBe(false);
    expect(valueImports("lib/db/sql.ts")).not.toContain("pg");
  });

  it('every module that reaches the database starts with import "server-only"', () => {
    const unmarked = [...reaching].filter((file) => !readFileSync(file, "utf8").startsWith('import "server-only";\n'));
    expect(unmarked).toEqual([]);
  });

  it("no module that stays clear of the database carries the marker (it would keep pure code off the client)", () => {
    const marked = libModules().filter((file) => readFileSync(file, "utf8").includes('import "server-only";'));
    expect(marked.filter((file) => !reaching.has(file))).toEqual([]);
  });
});
