import { spawnSync } from "node:child_process";
import { inject } from "vitest";

/** Runs the burnrate CLI against the e2e app's database (it attaches to the running server). */
export function burnrateCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, BURNRATE_DATA_DIR: inject("appDataDir") };
  const url = inject("appDatabaseUrl");
  if (url) env.DATABASE_URL = url;
  else delete env.DATABASE_URL;
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", ...args], { env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function createKeyWithCli(scope: string): string {
  const result = burnrateCli("key", "create", "--name", `e2e-${scope}-${Date.now()}`, "--scope", scope);
  if (result.status !== 0) throw new Error(`key create failed: ${result.stderr}`);
  return result.stdout.trimEnd().split("\n").at(-1) ?? "";
}
