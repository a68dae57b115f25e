import type pg from "pg";
import type { PreparedEvent } from "@/lib/ingestion/prepare-event";

/** A prepared event with its price: cost null (and priceId null) means unpriced. */
export interface PricedEvent extends PreparedEvent {
  costUsd: string | null;
  priceId: string | null;
}

// One statement: insert the new events (duplicates of stored ids are skipped by the
// permanent primary key), fold exactly the inserted rows into the hourly rollups, and
// return the inserted ids. Rollup keys are sorted so concurrent batches lock rollup rows
// in the same order (no deadlocks). Hour = date_trunc('hour', occurred_at, 'UTC'), as in
// lib/rollups/rebuild.ts.
const INSERT_EVENTS_SQL = `
WITH incoming AS (
  SELECT * FROM unnest(
    $1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::"Operation"[], $6::"ServiceTier"[],
    $7::int[], $8::int[], $9::int[], $10::int[], $11::int[], $12::int[], $13::"CallStatus"[], $14::boolean[],
    $15::text[], $16::int[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[],
    $23::jsonb[], $24::numeric[], $25::uuid[]
  ) AS t(id, occurred_at, provider, model, operation, service_tier, input_tokens, output_tokens,
         cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, latency_ms, status,
         response_cache_hit, trace_id, attempt, team, feature, environment, tenant, end_user, prompt_version,
         extra_tags, cost_usd, price_id)
),
inserted AS (
  INSERT INTO usage_events (id, occurred_at, provider, model, operation, service_tier, input_tokens, output_tokens,
    cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, latency_ms, status,
    response_cache_hit, trace_id, attempt, team, feature, environment, tenant, end_user, prompt_version,
    extra_tags, cost_usd, pricing_state, price_id, priced_at)
  SELECT id, occurred_at, provider, model, operation, service_tier, input_tokens, output_tokens,
    cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, latency_ms, status,
    response_cache_hit, trace_id, attempt, team, feature, environment, tenant, end_user, prompt_version,
    extra_tags, cost_usd,
    CASE WHEN cost_usd IS NULL THEN 'unpriced'::"PricingState" ELSE 'priced'::"PricingState" END,
    price_id, CASE WHEN cost_usd IS NULL THEN NULL ELSE now() END
  FROM incoming
  ON CONFLICT (id) DO NOTHING
  RETURNING *
),
rolled AS (
  INSERT INTO usage_rollup_hourly AS r (hour, team, feature, environment, tenant, prompt_version, provider, model,
    service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens,
    cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum)
  SELECT date_trunc('hour', occurred_at, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model,
    service_tier,
    count(*), count(*) FILTER (WHERE status = 'error'), count(*) FILTER (WHERE attempt >= 2),
    count(*) FILTER (WHERE response_cache_hit), count(*) FILTER (WHERE pricing_state = 'unpriced'),
    sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens),
    sum(reasoning_output_tokens), coalesce(sum(cost_usd), 0), coalesce(sum(latency_ms), 0)
  FROM inserted
  GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
  ON CONFLICT (hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier) DO UPDATE SET
    requests = r.requests + EXCLUDED.requests,
    errors = r.errors + EXCLUDED.errors,
    retries = r.retries + EXCLUDED.retries,
    response_cache_hits = r.response_cache_hits + EXCLUDED.response_cache_hits,
    unpriced_requests = r.unpriced_requests + EXCLUDED.unpriced_requests,
    input_tokens = r.input_tokens + EXCLUDED.input_tokens,
    output_tokens = r.output_tokens + EXCLUDED.output_tokens,
    cache_read_input_tokens = r.cache_read_input_tokens + EXCLUDED.cache_read_input_tokens,
    cache_creation_input_tokens = r.cache_creation_input_tokens + EXCLUDED.cache_creation_input_tokens,
    reasoning_output_tokens = r.reasoning_output_tokens + EXCLUDED.reasoning_output_tokens,
    cost_usd = r.cost_usd + EXCLUDED.cost_usd,
    latency_ms_sum = r.latency_ms_sum + EXCLUDED.latency_ms_sum
)
SELECT id FROM inserted`;

/** Inserts the events and their rollups in the caller's transaction; returns the ids that were new. */
export async function insertEvents(client: pg.ClientBase, events: PricedEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const column = <T>(pick: (event: PricedEvent) => T): T[] => events.map(pick);
  const result = await client.query<{ id: string }>(INSERT_EVENTS_SQL, [
    column((e) => e.id),
    column((e) => e.occurredAt.toISOString()),
    column((e) => e.provider),
    column((e) => e.model),
    column((e) => e.operation),
    column((e) => e.serviceTier),
    column((e) => e.usage.inputTokens),
    column((e) => e.usage.outputTokens),
    column((e) => e.usage.cacheReadInputTokens),
    column((e) => e.usage.cacheCreationInputTokens),
    column((e) => e.usage.reasoningOutputTokens),
    column((e) => e.latencyMs),
    column((e) => e.status),
    column((e) => e.responseCacheHit),
    column((e) => e.traceId),
    column((e) => e.attempt),
    column((e) => e.team),
    column((e) => e.feature),
    column((e) => e.environment),
    column((e) => e.tenant),
    column((e) => e.endUser),
    column((e) => e.promptVersion),
    column((e) => (e.extraTags ? JSON.stringify(e.extraTags) : null)),
    column((e) => e.costUsd),
    column((e) => e.priceId),
  ]);
  return new Set(result.rows.map((row) => row.id));
}

/** Teams named by events but not set up yet become "discovered" teams (sorted: no lock-order deadlocks). */
export async function discoverTeams(client: pg.ClientBase, slugs: Iterable<string>): Promise<void> {
  const sorted = [...new Set(slugs)].sort();
  if (sorted.length === 0) return;
  await client.query(
    `INSERT INTO teams (id, slug, name, discovered, created_at, updated_at)
     SELECT gen_random_uuid(), slug, slug, true, now(), now() FROM unnest($1::text[]) AS slug
     ON CONFLICT (slug) DO NOTHING`,
    [sorted],
  );
}
