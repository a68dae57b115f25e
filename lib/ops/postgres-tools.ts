import { execFile, spawn } from "node:child_process";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

/** The PostgreSQL client tools (pg_dump, pg_restore): finding them, their versions against the server's, running them. */

// ------------------------------------------------------------------ versions

export interface PostgresVersion {
  /** 18 for "18.4"; 9.6 for "9.6.24" (before version 10 the major version had two parts). */
  major: number;
  /** The version as printed: "15.18", "17beta1". */
  text: string;
}

const VERSION_PATTERN = /^(?:[\w-]+\s+\([^)]*\)\s+)?((\d+)(?:\.(\d+))?(?:\.\d+)?(?:(?:devel|alpha|beta|rc)\d*)?)(?=\s|$)/i;

/** Reads `pg_dump --version` ("pg_dump (PostgreSQL) 15.18 (Debian …)") or `SHOW server_version` ("18.4", "17beta1"). */
export function parsePostgresVersion(output: string): PostgresVersion {
  const match = VERSION_PATTERN.exec(output.trim());
  if (!match) throw new Error(`cannot read a PostgreSQL version from "${output.trim()}"`);
  const first = Number(match[2]);
  const second = Number(match[3] ?? 0);
  return { major: first < 10 ? Number(`${first}.${second}`) : first, text: match[1] as string };
}

/** pg_dump and pg_restore work with servers up to their own major version, not newer. */
export function toolSupportsServer(tool: PostgresVersion, server: PostgresVersion): boolean {
  return tool.major >= server.major;
}

export type PostgresToolName = "pg_dump" | "pg_restore";

export interface PostgresTool {
  name: PostgresToolName;
  path: string;
  version: PostgresVersion;
}

const TOOL_ENV = { pg_dump: "BURNRATE_PG_DUMP", pg_restore: "BURNRATE_PG_RESTORE" } as const;

/** Why `tool` cannot serve this server (a sentence without a final period), or null when it can. */
export function toolProblem(name: PostgresToolName, tool: PostgresTool | null, server: PostgresVersion): string | null {
  if (!tool) return `no ${name} found (${TOOL_ENV[name]} is unset and there is none on PATH); the server is PostgreSQL ${server.text}`;
  if (toolSupportsServer(tool.version, server)) return null;
  return `${name} ${tool.version.text} (${tool.path}) is older than the PostgreSQL ${server.text} server`;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The tool's path: $BURNRATE_PG_DUMP / $BURNRATE_PG_RESTORE, pg_restore beside $BURNRATE_PG_DUMP, else PATH. */
function locateTool(name: PostgresToolName, env: NodeJS.ProcessEnv): string | null {
  const configured = env[TOOL_ENV[name]];
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`${TOOL_ENV[name]}=${configured} is not an executable file`);
    return configured;
  }
  const besideDump = name === "pg_restore" && env.BURNRATE_PG_DUMP ? path.join(path.dirname(env.BURNRATE_PG_DUMP), "pg_restore") : null;
  if (besideDump && isExecutable(besideDump)) return besideDump;
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

export async function findPostgresTool(name: PostgresToolName, env: NodeJS.ProcessEnv = process.env): Promise<PostgresTool | null> {
  const file = locateTool(name, env);
  if (!file) return null;
  const { stdout } = await promisify(execFile)(file, ["--version"], { timeout: 10_000 });
  return { name, path: file, version: parsePostgresVersion(stdout) };
}

/** A connection URL as libpq environment variables: the password stays off the command line, URL options libpq does not know stay out. */
export function libpqEnvironment(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = {};
  const host = url.searchParams.get("host") ?? decodeURIComponent(url.hostname).replace(/^\[(.*)\]$/, "$1");
  if (host) env.PGHOST = host;
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (database) env.PGDATABASE = database;
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}


export function runTool(tool: PostgresTool, args: string[], databaseUrl: string, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool.path, args, {
      env: { ...process.env, ...libpqEnvironment(databaseUrl) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lines: string[] = [];
    let partialLine = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      const text = partialLine + chunk;
      const complete = text.split("\n");
      partialLine = complete.pop() ?? "";
      for (const line of complete) {
        lines.push(line);
        if (lines.length > 200) lines.shift();
        onLine(line);
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const output = [...lines, partialLine].filter(Boolean);
      // With --verbose most of the output is progress; the errors are what matters.
      const errors = output.filter((line) => /\b(?:error|fatal)\b/i.test(line));
      const shown = (errors.length > 0 ? errors : output).slice(-5).join(" | ") || "no error output";
      reject(new Error(`${tool.name} failed (${signal ?? `exit ${code}`}): ${shown}`));
    });
  });
}
