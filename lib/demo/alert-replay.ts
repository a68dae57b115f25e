import "server-only";
import type pg from "pg";
import { evaluateAlerts } from "@/lib/alerts/evaluate";
import { publicBaseUrl } from "@/lib/env";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { DAY_MS, HOUR_MS } from "@/lib/time";

/**
 * The demo's alert history: the real evaluator (lib/alerts/evaluate.ts), run at past
 * instants over the seeded days, so every alert fired and resolved when the rules say it
 * would have — no hand-written alert rows. The server evaluates every rule every minute;
 * replaying 90 days that way would take hours, so the replay runs each rule as often as
 * its findings matter: the hourly spike check every 3 hours (an incident shorter than
 * that could slip through; the demo's runaway agent lasts 5), budget, unpriced and
 * untagged spend twice a day (06:00 and 18:00 UTC: a threshold crossing is dated within
 * 12 hours), the cache and tokens-per-request comparisons (daily or weekly baselines) once
 * a day at 06:00 UTC. The last instant runs every rule. About 15 s for 80 days of the
 * default demo on 2 cores (docs/BENCHMARKS.md).
 */

export const REPLAY_CADENCE: Readonly<Record<AlertRuleType, number>> = {
  spend_spike: 3 * HOUR_MS,
  budget_threshold: 12 * HOUR_MS,
  budget_forecast: 12 * HOUR_MS,
  unpriced_spend: 12 * HOUR_MS,
  untagged_spend: 12 * HOUR_MS,
  cache_hit_rate_drop: DAY_MS,
  tokens_per_request_jump: DAY_MS,
  // The demo has no provider connection: nothing to compare, once a day is plenty.
  reconciliation_drift: DAY_MS,
  // Looks back a whole day of traces: every 3 hours dates a runaway within the afternoon it ran.
  runaway_trace: 3 * HOUR_MS,
};

/** Checks less frequent than the grid run from this hour of the UTC day. */
const OFFSET_MS = 6 * HOUR_MS;

export interface ReplayStep {
  at: Date;
  types: AlertRuleType[];
}

/** Every instant in (fromMs, toMs] on the 3-hour grid with the rules due then, plus toMs with every rule. */
export function replaySchedule(fromMs: number, toMs: number): ReplayStep[] {
  const steps: ReplayStep[] = [];
  const grid = 3 * HOUR_MS;
  const all = Object.keys(REPLAY_CADENCE) as AlertRuleType[];
  for (let at = Math.floor(fromMs / grid) * grid + grid; at < toMs; at += grid) {
    const types = all.filter((type) => {
      const cadence = REPLAY_CADENCE[type];
      const offset = cadence > 3 * HOUR_MS ? OFFSET_MS : 0;
      return (at - offset) % cadence === 0;
    });
    if (types.length > 0) steps.push({ at: new Date(at), types });
  }
  steps.push({ at: new Date(toMs), types: all });
  return steps;
}

export interface ReplaySummary {
  evaluations: number;
  fired: number;
  resolved: number;
  errors: string[];
}

/** Runs the schedule in order; rule failures are collected (the evaluator isolates each rule). */
export async function replayAlerts(pool: pg.Pool, fromMs: number, toMs: number): Promise<ReplaySummary> {
  const summary: ReplaySummary = { evaluations: 0, fired: 0, resolved: 0, errors: [] };
  const baseUrl = publicBaseUrl();
  for (const step of replaySchedule(fromMs, toMs)) {
    const result = await evaluateAlerts(pool, step.at, { baseUrl, ruleTypes: step.types });
    if (result.skipped) throw new Error("another alert evaluator is running; the demo history needs the database to itself");
    summary.evaluations++;
    summary.fired += result.fired.length;
    summary.resolved += result.resolved.length;
    for (const error of result.errors) summary.errors.push(`${step.at.toISOString()} ${error.type}: ${error.message}`);
  }
  return summary;
}
