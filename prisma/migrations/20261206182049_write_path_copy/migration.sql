-- DropForeignKey
-- A per-row check on every ingested event cost a third of its COPY (bench:ingest-profile).
-- Ingest and re-pricing price under the shared pricing lock; a price is deleted under the exclusive
-- lock only once no event refers to it (lib/pricing/prices.ts), so the key guarded nothing more.
ALTER TABLE "usage_events" DROP CONSTRAINT "usage_events_price_id_fkey";

-- CreateTable
CREATE TABLE "usage_rollup_pending" (
    "id" BIGSERIAL NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "tag_key" TEXT,
    "tag_value" TEXT,
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

    CONSTRAINT "usage_rollup_pending_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_rollup_pending_tag_key_hour_idx" ON "usage_rollup_pending"("tag_key", "hour");

-- Hand-written below.
-- Ingest appends its additions to usage_rollup_pending (no unique key: concurrent batches never
-- wait on each other's rollup rows); lib/rollups/fold.ts moves them into the hourly tables every
-- 2 s, where the daily triggers pick them up. Readers read the unions: exact at every commit.
CREATE VIEW usage_rollup_hourly_all AS
  SELECT hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_hourly
  UNION ALL
  SELECT hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_pending WHERE tag_key IS NULL;

CREATE VIEW usage_rollup_tag_hourly_all AS
  SELECT hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_tag_hourly
  UNION ALL
  SELECT hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_pending WHERE tag_key IS NOT NULL;

-- The days: not yet folded hourly additions count in their day too.
CREATE OR REPLACE VIEW usage_rollup_daily_all AS
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_daily
  UNION ALL
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_daily_pending
  UNION ALL
  SELECT date_trunc('day', hour, 'UTC')::timestamptz(3) AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_pending WHERE tag_key IS NULL;

CREATE OR REPLACE VIEW usage_rollup_tag_daily_all AS
  SELECT day AS hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_tag_daily
  UNION ALL
  SELECT day AS hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_tag_daily_pending
  UNION ALL
  SELECT date_trunc('day', hour, 'UTC')::timestamptz(3) AS hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_pending WHERE tag_key IS NOT NULL;
