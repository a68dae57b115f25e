/** `npm run bench`: every benchmark in turn; each writes its section of docs/BENCHMARKS.md. */
import { spawnSync } from "node:child_process";

const benchmarks: [string, ...string[]][] = [
  ["scripts/bench/seed.ts"],
  ["scripts/bench/ingest-profile.ts", "--record"],
  ["scripts/bench/ingest.ts"],
  ["scripts/bench/query.ts"],
  ["scripts/bench/quota-check.ts"],
  ["scripts/bench/cluster.ts", "--record"],
];
for (const [file, ...args] of benchmarks) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", file, ...args], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
