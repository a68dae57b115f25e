/**
 * Is this error PostgreSQL being unreachable (down, restarting, refusing connections),
 * as opposed to a bug? Those become 503 + Retry-After instead of 500.
 */
const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  // PostgreSQL SQLSTATEs: admin shutdown, crash shutdown, cannot connect now, connection failures.
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300",
]);

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /connection (is )?closed/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error/i,
  /the database system is (starting up|shutting down)/i,
  /Can't reach database server/i,
];

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const candidate = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof candidate.code === "string" && CONNECTION_ERROR_CODES.has(candidate.code)) return true;
  if (typeof candidate.message === "string" && CONNECTION_MESSAGES.some((pattern) => pattern.test(candidate.message as string))) {
    return true;
  }
  if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(candidate.cause, depth + 1);
}
