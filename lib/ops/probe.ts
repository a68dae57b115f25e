import { isDatabaseUnavailable } from "@/lib/db/availability";

/**
 * Bounded probes of a database (readiness, the read replica's health): an answer within a
 * time limit or a ProbeTimeout, and a failure described without revealing anything (a cause
 * class and a code, never a host, user or query).
 */

export class ProbeTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "ProbeTimeout";
  }
}

/** The work's result, or a ProbeTimeout after `timeoutMs`; an abandoned attempt's late failure is swallowed. */
export async function withTimeout<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  const attempt = Promise.resolve().then(work);
  attempt.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A failure as a short, non-revealing text: the class of cause and its code (SQLSTATE or errno). */
export function describeProbeFailure(error: unknown): string {
  if (error instanceof ProbeTimeout) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  const suffix = typeof code === "string" && /^[A-Z0-9_]{1,16}$/.test(code) ? ` (${code})` : "";
  return `${isDatabaseUnavailable(error) ? "database unreachable" : "query failed"}${suffix}`;
}
