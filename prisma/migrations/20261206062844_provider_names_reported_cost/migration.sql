-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "provider_as_sent" TEXT,
ADD COLUMN     "reported_cost_usd" DECIMAL(24,12);

-- AlterTable
ALTER TABLE "usage_rollup_hourly" ADD COLUMN     "reported_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
ADD COLUMN     "reported_requests" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "usage_rollup_daily" ADD COLUMN     "reported_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
ADD COLUMN     "reported_requests" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "usage_rollup_daily_pending" ADD COLUMN     "reported_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
ADD COLUMN     "reported_requests" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ingest_receipts" (
    "id" BIGSERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "events" INTEGER NOT NULL,

    CONSTRAINT "ingest_receipts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_receipts_received_at_idx" ON "ingest_receipts"("received_at");

-- CreateIndex
CREATE INDEX "ingest_receipts_source_received_at_idx" ON "ingest_receipts"("source", "received_at" DESC);

-- Hand-written below: what Prisma's schema language cannot express.
-- The daily-rollup triggers and the readers' view carry the two new measures.
CREATE OR REPLACE FUNCTION usage_rollup_daily_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests)
  SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, sum(requests), sum(errors), sum(retries), sum(response_cache_hits), sum(unpriced_requests), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens), sum(reasoning_output_tokens), sum(cost_usd), sum(latency_ms_sum), sum(reported_cost_usd), sum(reported_requests)
  FROM new_rows GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION usage_rollup_daily_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Rollup rows never change their hour or dimensions, only their measures.
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests)
  SELECT date_trunc('day', n.hour, 'UTC'), n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier, sum(n.requests - o.requests), sum(n.errors - o.errors), sum(n.retries - o.retries), sum(n.response_cache_hits - o.response_cache_hits), sum(n.unpriced_requests - o.unpriced_requests), sum(n.input_tokens - o.input_tokens), sum(n.output_tokens - o.output_tokens), sum(n.cache_read_input_tokens - o.cache_read_input_tokens), sum(n.cache_creation_input_tokens - o.cache_creation_input_tokens), sum(n.reasoning_output_tokens - o.reasoning_output_tokens), sum(n.cost_usd - o.cost_usd), sum(n.latency_ms_sum - o.latency_ms_sum), sum(n.reported_cost_usd - o.reported_cost_usd), sum(n.reported_requests - o.reported_requests)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  GROUP BY 1, n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION usage_rollup_daily_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests)
  SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, -sum(requests), -sum(errors), -sum(retries), -sum(response_cache_hits), -sum(unpriced_requests), -sum(input_tokens), -sum(output_tokens), -sum(cache_read_input_tokens), -sum(cache_creation_input_tokens), -sum(reasoning_output_tokens), -sum(cost_usd), -sum(latency_ms_sum), -sum(reported_cost_usd), -sum(reported_requests)
  FROM old_rows GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE OR REPLACE VIEW usage_rollup_daily_all AS
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests FROM usage_rollup_daily
  UNION ALL
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests FROM usage_rollup_daily_pending;
