/**
 * Waiting in tests without fixed sleeps: poll a condition until it holds, with a deadline.
 * `waitUntil` is for what must happen (a webhook arrives, a delivery is recorded);
 * `expectNever` is for what must not (nothing fires after stop()): it polls the same way,
 * fails the moment the condition turns true, and passes once the deadline has gone by.
 */

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Between checks (default 25 ms). */
  intervalMs?: number;
  /** What is awaited, for the error message. */
  what?: string;
}

type Condition = () => boolean | Promise<boolean>;

/** True as soon as `condition` holds; false once `timeoutMs` has passed without it. */
async function poll(condition: Condition, timeoutMs: number, intervalMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
}

/** Resolves as soon as `condition` is true; throws once `timeoutMs` has passed without it. */
export async function waitUntil(condition: Condition, options: WaitOptions = {}): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 25, what = "the condition" } = options;
  if (!(await poll(condition, timeoutMs, intervalMs))) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Throws as soon as `condition` is true within `forMs`; resolves when it stayed false that long. */
export async function expectNever(condition: Condition, forMs: number, options: Omit<WaitOptions, "timeoutMs"> = {}): Promise<void> {
  const { intervalMs = 25, what = "the condition" } = options;
  if (await poll(condition, forMs, intervalMs)) throw new Error(`${what} happened within ${forMs} ms, and must not`);
}
