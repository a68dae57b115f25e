/** `npm run bench`: every benchmark in turn; each writes its section of docs/BENCHMARKS.md. */
import { spawnSync } from "node:child_process";

const benchmarks = ["scripts/bench/seed.ts", "scripts/bench/ingest.ts", "scripts/bench/query.ts", "scripts/bench/quota-check.ts"];
for (const file of benchmarks) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", file], { stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
