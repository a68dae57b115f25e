import { HOUR_MS } from "@/lib/time";
import type { DemoEvent } from "./generate";

/**
 * usage_rollup_hourly rows for the demo events, summed while the events are generated.
 * Recomputing them in SQL afterwards means another full scan and sort of the freshly
 * loaded table (the slowest step of a big seed); here they cost a Map lookup per event.
 * The sums follow lib/rollups/rebuild.ts exactly; the integration tests compare the
 * two with compareRollupsWithEvents.
 */

export const ROLLUP_COLUMNS = [
  "hour",
  "team",
  "feature",
  "environment",
  "tenant",
  "prompt_version",
  "provider",
  "model",
  "service_tier",
  "requests",
  "errors",
  "retries",
  "response_cache_hits",
  "unpriced_requests",
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "reasoning_output_tokens",
  "cost_usd",
  "latency_ms_sum",
  "retry_cost_usd",
  "error_cost_usd",
] as const;

export interface RollupGroup {
  hour: number;
  event: DemoEvent;
  requests: number;
  errors: number;
  retries: number;
  responseCacheHits: number;
  unpricedRequests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  reasoningOutputTokens: number;
  /** Sum of priced costs in units of 1e-12 USD. */
  costPicoUsd: number;
  latencyMsSum: number;
  /** Of costPicoUsd, the part of retries (attempt >= 2) and of errors. */
  retryCostPicoUsd: number;
  errorCostPicoUsd: number;
}

/**
 * An event's cost as the row renderer reports it: whole units of 1e-12 USD, or one of
 * these markers (numbers rather than objects: this runs once per event).
 */
export const UNPRICED = -1;
/** Priced, but not in whole picodollars below 2^53 (finer rates, or a huge call): see costPicoUsd. */
export const INEXACT = -2;

export class HourlyRollups {
  private groups = new Map<string, RollupGroup>();
  /** Hours before this were handed out by closeBefore() and must not change any more. */
  private closedBefore = -Infinity;
  /**
   * False once a sum could not be kept exactly (an INEXACT cost,
   * a total beyond 2^53 units, an event for an hour already handed out): the caller
   * must then recompute the rollups in SQL instead.
   */
  exact = true;

  add(e: DemoEvent, costPicoUsd: number): void {
    const hour = Math.floor(e.at / HOUR_MS) * HOUR_MS;
    if (hour < this.closedBefore || costPicoUsd === INEXACT) {
      this.exact = false;
      return;
    }
    const t = e.tags;
    const key = `${hour}\t${t.team}\t${t.feature}\t${t.environment}\t${t.tenant}\t${t.promptVersion}\t${e.model.provider}\t${e.model.model}\t${e.tier}`;
    let g = this.groups.get(key);
    if (!g) {
      g = {
        hour,
        event: e,
        requests: 0,
        errors: 0,
        retries: 0,
        responseCacheHits: 0,
        unpricedRequests: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        reasoningOutputTokens: 0,
        costPicoUsd: 0,
        latencyMsSum: 0,
        retryCostPicoUsd: 0,
        errorCostPicoUsd: 0,
      };
      this.groups.set(key, g);
    }
    g.requests++;
    if (e.error) g.errors++;
    if (e.attempt >= 2) g.retries++;
    if (e.responseCacheHit) g.responseCacheHits++;
    g.inputTokens += e.inputTokens;
    g.outputTokens += e.outputTokens;
    g.cacheReadInputTokens += e.cacheReadInputTokens;
    g.cacheCreationInputTokens += e.cacheCreationInputTokens;
    g.reasoningOutputTokens += e.reasoningOutputTokens;
    g.latencyMsSum += e.latencyMs;
    if (costPicoUsd === UNPRICED) {
      g.unpricedRequests++;
    } else {
      g.costPicoUsd += costPicoUsd;
      // Both are parts of costPicoUsd, so they stay exact while it does.
      if (e.attempt >= 2) g.retryCostPicoUsd += costPicoUsd;
      if (e.error) g.errorCostPicoUsd += costPicoUsd;
      if (!Number.isSafeInteger(g.costPicoUsd)) this.exact = false;
    }
  }

  /** Removes and returns the groups of hours before `ms`; later events there spoil `exact`. */
  closeBefore(ms: number): RollupGroup[] {
    const closed: RollupGroup[] = [];
    for (const [key, group] of this.groups) {
      if (group.hour < ms) {
        closed.push(group);
        this.groups.delete(key);
      }
    }
    this.closedBefore = Math.max(this.closedBefore, ms);
    return closed;
  }
}
