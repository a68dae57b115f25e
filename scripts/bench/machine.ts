import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type pg from "pg";

/** The machine a benchmark ran on, printed next to its numbers. */
export async function describeMachine(pool: pg.Pool): Promise<string> {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const version = await pool.query<{ server_version: string }>("SHOW server_version");
  return [
    `${os.cpus().length} × ${cpu}`,
    `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    `PostgreSQL ${version.rows[0]?.server_version ?? "?"}`,
  ].join(", ");
}

/** Replaces the section between <!-- bench:NAME --> markers in docs/BENCHMARKS.md. */
export function replaceSection(document: string, name: string, body: string): string {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from === -1 || to === -1) return `${document.trimEnd()}\n\n${section}\n`;
  return document.slice(0, from) + section + document.slice(to + end.length);
}

/** Writes one section of docs/BENCHMARKS.md (created when missing), leaving the rest as it is. */
export function writeBenchmarkSection(name: string, body: string): void {
  const file = path.resolve("docs/BENCHMARKS.md");
  const document = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n";
  writeFileSync(file, replaceSection(document, name, body));
  console.log("Wrote docs/BENCHMARKS.md");
}
