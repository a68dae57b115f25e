-- CreateTable
CREATE TABLE "usage_rollup_tag_hourly" (
    "id" BIGSERIAL NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "tag_key" TEXT NOT NULL,
    "tag_value" TEXT NOT NULL,
    "team" TEXT,
    "feature" TEXT,
    "environment" TEXT,
    "tenant" TEXT,
    "prompt_version" TEXT,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "service_tier" "ServiceTier" NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "retries" BIGINT NOT NULL DEFAULT 0,
    "response_cache_hits" BIGINT NOT NULL DEFAULT 0,
    "unpriced_requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_creation_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_output_tokens" BIGINT NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "latency_ms_sum" BIGINT NOT NULL DEFAULT 0,
    "reported_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "reported_requests" BIGINT NOT NULL DEFAULT 0,
    "retry_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
    "error_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,

    CONSTRAINT "usage_rollup_tag_hourly_pkey" PRIMARY KEY ("id")
);

-- Hand-written below: what Prisma's schema language cannot express.
-- One row per (tag key, hour, tag value, dimensions). The tag key leads, so a report of one
-- key over a window is a range scan of this index; it also answers which keys exist.
CREATE UNIQUE INDEX "usage_rollup_tag_hourly_dimensions_key" ON "usage_rollup_tag_hourly"
  ("tag_key", "hour", "tag_value", "team", "feature", "environment", "tenant", "prompt_version", "provider", "model", "service_tier")
  NULLS NOT DISTINCT;

-- The events already stored (an upgraded installation): their extra tags, counted once per key.
INSERT INTO usage_rollup_tag_hourly (hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier,
  requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens,
  cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests,
  retry_cost_usd, error_cost_usd)
SELECT date_trunc('hour', e.occurred_at, 'UTC'), t.key, t.value, e.team, e.feature, e.environment, e.tenant, e.prompt_version, e.provider, e.model, e.service_tier,
  count(*), count(*) FILTER (WHERE e.status = 'error'), count(*) FILTER (WHERE e.attempt >= 2),
  count(*) FILTER (WHERE e.response_cache_hit), count(*) FILTER (WHERE e.pricing_state = 'unpriced'),
  sum(e.input_tokens), sum(e.output_tokens), sum(e.cache_read_input_tokens), sum(e.cache_creation_input_tokens),
  sum(e.reasoning_output_tokens), coalesce(sum(e.cost_usd), 0), coalesce(sum(e.latency_ms), 0),
  coalesce(sum(e.reported_cost_usd), 0), count(e.reported_cost_usd),
  coalesce(sum(e.cost_usd) FILTER (WHERE e.attempt >= 2), 0), coalesce(sum(e.cost_usd) FILTER (WHERE e.status = 'error'), 0)
FROM usage_events e CROSS JOIN LATERAL jsonb_each_text(e.extra_tags) AS t(key, value)
WHERE e.extra_tags IS NOT NULL AND jsonb_typeof(e.extra_tags) = 'object'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11;
