import "server-only";
import { logger } from "@/lib/log";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { deliverPendingAlerts } from "@/lib/alerts/deliver";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { runDueReconciliation } from "@/lib/reconciliation/reconciliation";
import { sendWeeklyDigests } from "@/lib/digest/weekly-digest";
import { recordSchedulerRun, recordSchedulerRunStart, recordSchedulerStart, recordSchedulerStop } from "@/lib/ops/heartbeat";

/**
 * The alert schedule inside the server (scripts/start.ts): every `intervalMs` (60 s),
 * evaluate every rule, then send the due deliveries, then pull the providers' reports when a
 * connection's daily reconciliation is due, then send this week's digests when due (Mondays
 * from 06:00 UTC, lib/digest/weekly-digest.ts) — each under its own advisory lock,
 * so with several app instances one of them does each step and the others skip it. The
 * first run starts at once. A run still going when the next is due is not doubled; a
 * failing run is logged and the next one tries again. stop() clears the timer and waits
 * (at most `stopTimeoutMs`) for a run in progress, so the database can be closed after it.
 */

export const ALERT_INTERVAL_MS = 60_000;

export interface AlertScheduler {
  stop: () => Promise<void>;
  /** One run now (what the timer does); resolves when it is over. */
  runOnce: () => Promise<void>;
}

export interface SchedulerOptions {
  pool?: () => pg.Pool;
  intervalMs?: number;
  stopTimeoutMs?: number;
  log?: (line: string) => void;
  error?: (line: string) => void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function startAlertScheduler(options: SchedulerOptions = {}): AlertScheduler {
  const pool = options.pool ?? getPool;
  const log = options.log ?? ((line: string) => logger().info(line));
  const error = options.error ?? ((line: string) => logger().error(line));
  let running: Promise<void> | null = null;
  let stopped = false;

  const run = async () => {
    recordSchedulerRunStart(new Date());
    try {
      const evaluation = await evaluateAlerts(pool());
      if (evaluation.fired.length || evaluation.resolved.length) {
        log(`alerts: ${evaluation.fired.length} fired, ${evaluation.resolved.length} resolved`);
      }
      for (const failure of evaluation.errors) error(`alert rule ${failure.type} (${failure.rule_id}) failed: ${failure.message}`);
    } catch (cause) {
      error(`evaluating alerts failed (retried in ${Math.round((options.intervalMs ?? ALERT_INTERVAL_MS) / 1000)} s): ${messageOf(cause)}`);
    }
    if (stopped) return;
    try {
      const delivery = await deliverPendingAlerts(pool());
      if (delivery.failed) log(`alerts: ${delivery.failed} deliveries failed for good`);
    } catch (cause) {
      error(`delivering alerts failed: ${messageOf(cause)}`);
    }
    if (stopped) return;
    try {
      // Once a day per connection (the last 3 whole days), by whichever instance gets the lock.
      const pulled = await runDueReconciliation(pool(), new Date());
      for (const failure of pulled?.connections.filter((c) => c.status === "failed") ?? []) {
        error(`reconciliation: the ${failure.provider} pull failed (see the Reconciliation page): ${failure.error}`);
      }
    } catch (cause) {
      error(`reconciliation failed: ${messageOf(cause)}`);
    }
    if (stopped) return;
    try {
      // Once per week and recipient, by whichever instance gets there first.
      const digests = await sendWeeklyDigests(pool(), new Date());
      if (digests.sent.length) log(`digests: ${digests.sent.length} sent for the week of ${digests.week}`);
    } catch (cause) {
      error(`weekly digests failed: ${messageOf(cause)}`);
    }
  };

  const runOnce = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    running ??= run().finally(() => {
      running = null;
      recordSchedulerRun(new Date());
    });
    return running;
  };

  recordSchedulerStart(new Date(), options.intervalMs ?? ALERT_INTERVAL_MS);
  const timer = setInterval(() => void runOnce(), options.intervalMs ?? ALERT_INTERVAL_MS);
  timer.unref();
  const first = setTimeout(() => void runOnce(), 0);
  first.unref();

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      recordSchedulerStop();
      clearInterval(timer);
      clearTimeout(first);
      if (!running) return;
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((resolve) => (timeout = setTimeout(resolve, options.stopTimeoutMs ?? 10_000)))]);
      clearTimeout(timeout);
    },
  };
}
