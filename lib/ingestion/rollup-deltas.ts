import { HOUR_MS } from "@/lib/time";
import { addPico, formatPico, toPico, type Pico } from "@/lib/money-units";
import type { CopyValue } from "@/lib/db/copy-text";
import type { PricedEvent } from "@/lib/ingestion/prepare-event";

/**
 * A batch's additions to the hourly rollups and the tag rollups, summed here rather than by a
 * GROUP BY over the inserted rows: ingest appends them to the *_pending tables (lib/rollups/fold.ts).
 * The sums follow lib/rollups/rebuild.ts and tagAggregateSql exactly (the integration tests and
 * the drill compare the rollups with a recount): hour = the UTC hour of occurred_at; costs are
 * summed over priced events only, exactly, as integers of 10^-12 USD.
 */

/** The hourly rollups' columns the rows below fill, in order. */
export const HOURLY_DELTA_COLUMNS = [
  "hour", "team", "feature", "environment", "tenant", "prompt_version", "provider", "model", "service_tier",
  "requests", "errors", "retries", "response_cache_hits", "unpriced_requests", "input_tokens", "output_tokens",
  "cache_read_input_tokens", "cache_creation_input_tokens", "reasoning_output_tokens", "cost_usd", "latency_ms_sum",
  "reported_cost_usd", "reported_requests", "retry_cost_usd", "error_cost_usd",
] as const;

/** A tag rollup row's columns: the tag's key and value, then the hourly ones (usage_rollup_pending's order). */
export const TAG_DELTA_COLUMNS = ["tag_key", "tag_value", ...HOURLY_DELTA_COLUMNS] as const;


interface Group {
  dims: CopyValue[];
  requests: number;
  errors: number;
  retries: number;
  responseCacheHits: number;
  unpriced: number;
  inputTokens: number;
  outputTokens: number;
  cacheRead: number;
  cacheCreation: number;
  reasoning: number;
  cost: Pico;
  latency: number;
  reported: Pico;
  reportedRequests: number;
  retryCost: Pico;
  errorCost: Pico;
}

function emptyGroup(dims: CopyValue[]): Group {
  return {
    dims, requests: 0, errors: 0, retries: 0, responseCacheHits: 0, unpriced: 0, inputTokens: 0, outputTokens: 0,
    cacheRead: 0, cacheCreation: 0, reasoning: 0, cost: 0, latency: 0, reported: 0, reportedRequests: 0, retryCost: 0, errorCost: 0,
  };
}

function add(group: Group, event: PricedEvent, cost: Pico | null, reported: Pico | null): void {
  const u = event.usage;
  group.requests++;
  if (event.status === "error") group.errors++;
  if (event.attempt >= 2) group.retries++;
  if (event.responseCacheHit) group.responseCacheHits++;
  group.inputTokens += u.inputTokens;
  group.outputTokens += u.outputTokens;
  group.cacheRead += u.cacheReadInputTokens;
  group.cacheCreation += u.cacheCreationInputTokens;
  group.reasoning += u.reasoningOutputTokens;
  group.latency += event.latencyMs ?? 0;
  if (cost === null) {
    group.unpriced++;
  } else {
    group.cost = addPico(group.cost, cost);
    if (event.attempt >= 2) group.retryCost = addPico(group.retryCost, cost);
    if (event.status === "error") group.errorCost = addPico(group.errorCost, cost);
  }
  if (reported !== null) {
    group.reported = addPico(group.reported, reported);
    group.reportedRequests++;
  }
}

function row(group: Group): CopyValue[] {
  // Token sums of at most 1,000 int4 counts stay far below 2^53: plain numbers are exact.
  return [
    ...group.dims, group.requests, group.errors, group.retries, group.responseCacheHits, group.unpriced,
    group.inputTokens, group.outputTokens, group.cacheRead, group.cacheCreation, group.reasoning,
    formatPico(group.cost), group.latency, formatPico(group.reported), group.reportedRequests,
    formatPico(group.retryCost), formatPico(group.errorCost),
  ];
}

export interface RollupDeltas {
  /** Rows in HOURLY_DELTA_COLUMNS order, sorted by their key. */
  hourly: CopyValue[][];
  /** Rows in TAG_DELTA_COLUMNS order, sorted by their key. */
  tags: CopyValue[][];
}

/** A key part: NUL-separated (stored text never holds NUL), null apart from every string. */
function part(value: string | null): string {
  return value === null ? "\u0000n" : `\u0000v${value}`;
}

/** The batch's rollup additions: one row per hour and dimensions, one per tag key, value, hour and dimensions. */
export function rollupDeltas(events: readonly PricedEvent[]): RollupDeltas {
  const hourly = new Map<string, Group>();
  const tags = new Map<string, Group>();
  const hours = new Map<number, string>();
  for (const event of events) {
    const hourMs = Math.floor(event.occurredAt.getTime() / HOUR_MS) * HOUR_MS;
    const key = `${hourMs}${part(event.team)}${part(event.feature)}${part(event.environment)}${part(event.tenant)}${part(event.promptVersion)}${part(event.provider)}${part(event.model)}${part(event.serviceTier)}`;
    const cost = event.costUsd === null ? null : toPico(event.costUsd);
    const reported = event.reportedCostUsd === null ? null : toPico(event.reportedCostUsd);
    let group = hourly.get(key);
    if (!group) {
      let hour = hours.get(hourMs);
      if (hour === undefined) hours.set(hourMs, (hour = new Date(hourMs).toISOString()));
      const dims = [hour, event.team, event.feature, event.environment, event.tenant, event.promptVersion, event.provider, event.model, event.serviceTier];
      hourly.set(key, (group = emptyGroup(dims)));
    }
    add(group, event, cost, reported);
    const extra = event.extraTags;
    if (!extra) continue;
    for (const tagKey in extra) {
      const tagValue = extra[tagKey] as string;
      const tagMapKey = `${key}${part(tagKey)}${part(tagValue)}`;
      let tagGroup = tags.get(tagMapKey);
      if (!tagGroup) tags.set(tagMapKey, (tagGroup = emptyGroup([tagKey, tagValue, ...group.dims])));
      add(tagGroup, event, cost, reported);
    }
  }
  const sorted = (groups: Map<string, Group>) => [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => row(g));
  return { hourly: sorted(hourly), tags: sorted(tags) };
}
