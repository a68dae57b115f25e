import type pg from "pg";
import type { PreparedEvent } from "@/lib/ingestion/prepare-event";
import { ROLLUP_MEASURES } from "@/lib/rollups/rebuild";

/** A prepared event with its price: cost null (and priceId null) means unpriced. */
export interface PricedEvent extends PreparedEvent {
  costUsd: string | null;
  priceId: string | null;
}

// Two statements in the caller's transaction. First the ids are claimed in
// usage_event_ids, the permanent dedupe key (ids already stored are skipped, whatever
// timestamp they come with now). Then one statement inserts the events whose id was new
// into the monthly partitions of usage_events, folds exactly those rows into the hourly
// rollups and returns their ids. (Claiming in the same statement needs a join of the claim's
// RETURNING with the incoming rows, which the planner cannot size.) Rollup keys are sorted
// so concurrent batches lock rollup rows
// in the same order (no deadlocks). Hour = date_trunc('hour', occurred_at, 'UTC'), as in
// lib/rollups/rebuild.ts.
const CLAIM_IDS_SQL = `
INSERT INTO usage_event_ids (id, occurred_at)
SELECT id, occurred_at FROM json_to_recordset($1::json) AS t(id text, occurred_at timestamptz)
ORDER BY id -- every batch claims in the same order: two batches sharing ids wait, never deadlock
ON CONFLICT (id) DO NOTHING
RETURNING id`;

// An upsert adds the batch's measures to the row already there.
const ADD_MEASURES = ROLLUP_MEASURES.map((m) => `${m} = r.${m} + EXCLUDED.${m}`).join(",\n    ");

const INSERT_EVENTS_SQL = `
WITH incoming AS (
  -- One JSON parameter instead of 25 arrays: JSON.stringify is native and fast, pg's
  -- array literal encoding is not, and json_to_recordset parses in C.
  SELECT * FROM json_to_recordset($1::json) AS t(id text, occurred_at timestamptz, provider text, model text,
    operation "Operation", service_tier "ServiceTier", input_tokens int, output_tokens int,
    cache_read_input_tokens int, cache_creation_input_tokens int, cache_creation_1h_input_tokens int, reasoning_output_tokens int, latency_ms int,
    status "CallStatus", response_cache_hit boolean, trace_id text, attempt int, team text, feature text,
    environment text, tenant text, end_user text, prompt_version text, extra_tags jsonb, cost_usd numeric, price_id uuid,
    provider_as_sent text, reported_cost_usd numeric)
),
inserted AS (
  INSERT INTO usage_events (id, occurred_at, provider, model, operation, service_tier, input_tokens, output_tokens,
    cache_read_input_tokens, cache_creation_input_tokens, cache_creation_1h_input_tokens, reasoning_output_tokens, latency_ms, status,
    response_cache_hit, trace_id, attempt, team, feature, environment, tenant, end_user, prompt_version,
    extra_tags, cost_usd, pricing_state, price_id, priced_at, provider_as_sent, reported_cost_usd)
  SELECT id, occurred_at, provider, model, operation, service_tier, input_tokens, output_tokens,
    cache_read_input_tokens, cache_creation_input_tokens, coalesce(cache_creation_1h_input_tokens, 0), reasoning_output_tokens, latency_ms, status,
    response_cache_hit, trace_id, attempt, team, feature, environment, tenant, end_user, prompt_version,
    extra_tags, cost_usd,
    CASE WHEN cost_usd IS NULL THEN 'unpriced'::"PricingState" ELSE 'priced'::"PricingState" END,
    price_id, CASE WHEN cost_usd IS NULL THEN NULL ELSE now() END, provider_as_sent, reported_cost_usd
  FROM incoming
  RETURNING id, occurred_at, team, feature, environment, tenant, prompt_version, provider, model, service_tier, status,
    attempt, response_cache_hit, pricing_state, input_tokens, output_tokens, cache_read_input_tokens,
    cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms, reported_cost_usd, extra_tags
),
rolled AS (
  INSERT INTO usage_rollup_hourly AS r (hour, team, feature, environment, tenant, prompt_version, provider, model,
    service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens,
    cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum,
    reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('hour', occurred_at, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model,
    service_tier,
    count(*), count(*) FILTER (WHERE status = 'error'), count(*) FILTER (WHERE attempt >= 2),
    count(*) FILTER (WHERE response_cache_hit), count(*) FILTER (WHERE pricing_state = 'unpriced'),
    sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens),
    sum(reasoning_output_tokens), coalesce(sum(cost_usd), 0), coalesce(sum(latency_ms), 0),
    coalesce(sum(reported_cost_usd), 0), count(reported_cost_usd),
    coalesce(sum(cost_usd) FILTER (WHERE attempt >= 2), 0), coalesce(sum(cost_usd) FILTER (WHERE status = 'error'), 0)
  FROM inserted
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT (hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier) DO UPDATE SET
  ${ADD_MEASURES}
),
-- Each extra tag key of an event, with its value, into the tag rollups (lib/rollups/tag-rollups.ts),
-- in the unique index's order like the rollups above.
tagged AS (
  INSERT INTO usage_rollup_tag_hourly AS r (tag_key, hour, tag_value, team, feature, environment, tenant, prompt_version,
    provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens,
    output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd,
    latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT t.key, date_trunc('hour', i.occurred_at, 'UTC'), t.value, i.team, i.feature, i.environment, i.tenant,
    i.prompt_version, i.provider, i.model, i.service_tier,
    count(*), count(*) FILTER (WHERE i.status = 'error'), count(*) FILTER (WHERE i.attempt >= 2),
    count(*) FILTER (WHERE i.response_cache_hit), count(*) FILTER (WHERE i.pricing_state = 'unpriced'),
    sum(i.input_tokens), sum(i.output_tokens), sum(i.cache_read_input_tokens), sum(i.cache_creation_input_tokens),
    sum(i.reasoning_output_tokens), coalesce(sum(i.cost_usd), 0), coalesce(sum(i.latency_ms), 0),
    coalesce(sum(i.reported_cost_usd), 0), count(i.reported_cost_usd),
    coalesce(sum(i.cost_usd) FILTER (WHERE i.attempt >= 2), 0), coalesce(sum(i.cost_usd) FILTER (WHERE i.status = 'error'), 0)
  FROM inserted i CROSS JOIN LATERAL jsonb_each_text(i.extra_tags) AS t(key, value)
  WHERE i.extra_tags IS NOT NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
  ON CONFLICT (tag_key, hour, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier) DO UPDATE SET
  ${ADD_MEASURES}
)
SELECT id FROM inserted`;

/** Inserts the events and their rollups in the caller's transaction; returns the ids that were new. */
export async function insertEvents(client: pg.ClientBase, batch: PricedEvent[]): Promise<Set<string>> {
  if (batch.length === 0) return new Set();
  const claims = JSON.stringify(batch.map((e) => ({ id: e.id, occurred_at: e.occurredAt.toISOString() })));
  const claimed = await client.query<{ id: string }>(CLAIM_IDS_SQL, [claims]);
  if (claimed.rows.length === 0) return new Set();
  const fresh = new Set(claimed.rows.map((row) => row.id));
  const events = fresh.size === batch.length ? batch : batch.filter((e) => fresh.has(e.id));
  const rows = events.map((e) => ({
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    provider: e.provider,
    model: e.model,
    operation: e.operation,
    service_tier: e.serviceTier,
    input_tokens: e.usage.inputTokens,
    output_tokens: e.usage.outputTokens,
    cache_read_input_tokens: e.usage.cacheReadInputTokens,
    cache_creation_input_tokens: e.usage.cacheCreationInputTokens,
    cache_creation_1h_input_tokens: e.usage.cacheCreation1hInputTokens ?? 0,
    reasoning_output_tokens: e.usage.reasoningOutputTokens,
    latency_ms: e.latencyMs,
    status: e.status,
    response_cache_hit: e.responseCacheHit,
    trace_id: e.traceId,
    attempt: e.attempt,
    team: e.team,
    feature: e.feature,
    environment: e.environment,
    tenant: e.tenant,
    end_user: e.endUser,
    prompt_version: e.promptVersion,
    extra_tags: e.extraTags,
    // A JSON string, so numeric receives the exact decimal text (never a float).
    cost_usd: e.costUsd,
    price_id: e.priceId,
    provider_as_sent: e.providerAsSent,
    reported_cost_usd: e.reportedCostUsd,
  }));
  const result = await client.query<{ id: string }>(INSERT_EVENTS_SQL, [JSON.stringify(rows)]);
  return new Set(result.rows.map((row) => row.id));
}

// Slugs known to exist in this process: most batches name only known teams and skip the statement.
const knownTeams = new Set<string>();

/** Teams named by events but not set up yet become "discovered" teams (sorted: no lock-order deadlocks). */
export async function discoverTeams(client: pg.ClientBase, slugs: Iterable<string>): Promise<void> {
  const sorted = [...new Set(slugs)].filter((slug) => !knownTeams.has(slug)).sort();
  if (sorted.length === 0) return;
  await client.query(
    `INSERT INTO teams (id, slug, name, discovered, created_at, updated_at)
     SELECT gen_random_uuid(), slug, slug, true, now(), now() FROM unnest($1::text[]) AS slug
     ON CONFLICT (slug) DO NOTHING`,
    [sorted],
  );
  // Not remembered here: the transaction may still roll back. See rememberTeams.
}

/** Called after COMMIT: these slugs now exist for good. */
export function rememberTeams(slugs: Iterable<string>): void {
  for (const slug of slugs) knownTeams.add(slug);
}
