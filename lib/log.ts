import pino, { type Logger } from "pino";
import { readEnv } from "@/lib/env";

/**
 * The process's structured log: one JSON object per line on stdout (pino), with `time`
 * (ISO), `level` (label), `msg` and fields such as `req_id`. BURNRATE_LOG_FORMAT=text (the
 * default when stdout is a terminal) prints "[burnrate] msg key=value" lines instead.
 *
 * Never logged: API keys, session cookies, passwords, webhook secrets, prompt or
 * completion contents (events carry only token counts anyway). Requests are logged by
 * method, path without the query, status and duration; the redaction below is a second
 * line of defence should an object with such fields ever be passed in.
 */

export const REDACTED_PATHS = [
  "authorization",
  "cookie",
  "password",
  "secret",
  "token",
  "key",
  "*.authorization",
  "*.cookie",
  "*.password",
  "*.secret",
  "*.token",
  "*.key",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
];

/** A line of pino JSON as "[burnrate] msg key=value …" (level shown unless info). */
export function formatTextLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _hostname, ...fields } = record;
  const prefix = level && level !== "info" ? `[burnrate] ${String(level).toUpperCase()} ` : "[burnrate] ";
  const extras = Object.entries(fields)
    .map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" ");
  return `${prefix}${String(msg ?? "")}${extras ? ` ${extras}` : ""}\n`;
}

export interface LoggerOptions {
  level?: pino.LevelWithSilent;
  format?: "json" | "text";
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const format = options.format ?? "json";
  const destination = { write: format === "text" ? (line: string) => write(formatTextLine(line)) : write };
  return pino(
    {
      level: options.level ?? "info",
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

// One logger per process, on globalThis: the route bundles and the custom server load
// their own copies of this module.
const globalForLog = globalThis as unknown as { burnrateLogger?: Logger };

export function logger(): Logger {
  if (!globalForLog.burnrateLogger) {
    const env = readEnv();
    const format = env.BURNRATE_LOG_FORMAT ?? (process.stdout.isTTY ? "text" : "json");
    globalForLog.burnrateLogger = createLogger({ level: env.BURNRATE_LOG_LEVEL, format });
  }
  return globalForLog.burnrateLogger;
}
