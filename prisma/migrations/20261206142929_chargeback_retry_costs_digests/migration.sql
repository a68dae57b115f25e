-- CreateEnum
CREATE TYPE "AllocationMethod" AS ENUM ('proportional', 'even', 'fixed');

-- AlterEnum
ALTER TYPE "NotificationAudience" ADD VALUE 'leads';

-- AlterTable
ALTER TABLE "usage_rollup_hourly" ADD COLUMN     "error_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
ADD COLUMN     "retry_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "usage_rollup_daily" ADD COLUMN     "error_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
ADD COLUMN     "retry_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "usage_rollup_daily_pending" ADD COLUMN     "error_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0,
ADD COLUMN     "retry_cost_usd" DECIMAL(24,12) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "allocation_rules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "match" JSONB NOT NULL,
    "method" "AllocationMethod" NOT NULL,
    "targets" JSONB,
    "effective_from" DATE NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "allocation_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chargeback_closes" (
    "month" DATE NOT NULL,
    "closed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_by_id" UUID,
    "closed_by" TEXT NOT NULL,
    "total_usd" DECIMAL(24,12) NOT NULL,
    "snapshot" JSONB NOT NULL,

    CONSTRAINT "chargeback_closes_pkey" PRIMARY KEY ("month")
);

-- CreateTable
CREATE TABLE "weekly_digests" (
    "id" UUID NOT NULL,
    "week" DATE NOT NULL,
    "recipient" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "summary" JSONB NOT NULL,

    CONSTRAINT "weekly_digests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "weekly_digests_week_recipient_key" ON "weekly_digests"("week", "recipient");

-- Hand-written below: what Prisma's schema language cannot express.
-- The daily-rollup triggers and the readers' view carry the two new measures (the view's
-- new columns at the end: CREATE OR REPLACE VIEW may only append).
CREATE OR REPLACE FUNCTION usage_rollup_daily_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, sum(requests), sum(errors), sum(retries), sum(response_cache_hits), sum(unpriced_requests), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens), sum(reasoning_output_tokens), sum(cost_usd), sum(latency_ms_sum), sum(reported_cost_usd), sum(reported_requests), sum(retry_cost_usd), sum(error_cost_usd)
  FROM new_rows GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION usage_rollup_daily_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Rollup rows never change their hour or dimensions, only their measures.
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('day', n.hour, 'UTC'), n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier, sum(n.requests - o.requests), sum(n.errors - o.errors), sum(n.retries - o.retries), sum(n.response_cache_hits - o.response_cache_hits), sum(n.unpriced_requests - o.unpriced_requests), sum(n.input_tokens - o.input_tokens), sum(n.output_tokens - o.output_tokens), sum(n.cache_read_input_tokens - o.cache_read_input_tokens), sum(n.cache_creation_input_tokens - o.cache_creation_input_tokens), sum(n.reasoning_output_tokens - o.reasoning_output_tokens), sum(n.cost_usd - o.cost_usd), sum(n.latency_ms_sum - o.latency_ms_sum), sum(n.reported_cost_usd - o.reported_cost_usd), sum(n.reported_requests - o.reported_requests), sum(n.retry_cost_usd - o.retry_cost_usd), sum(n.error_cost_usd - o.error_cost_usd)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  GROUP BY 1, n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION usage_rollup_daily_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, -sum(requests), -sum(errors), -sum(retries), -sum(response_cache_hits), -sum(unpriced_requests), -sum(input_tokens), -sum(output_tokens), -sum(cache_read_input_tokens), -sum(cache_creation_input_tokens), -sum(reasoning_output_tokens), -sum(cost_usd), -sum(latency_ms_sum), -sum(reported_cost_usd), -sum(reported_requests), -sum(retry_cost_usd), -sum(error_cost_usd)
  FROM old_rows GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE OR REPLACE VIEW usage_rollup_daily_all AS
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_daily
  UNION ALL
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_daily_pending;

-- The events already stored: their retry and error costs into the hourly rollups, recounted
-- as lib/rollups/rebuild.ts does (unpriced events add nothing). The UPDATE fires
-- usage_rollup_daily_update, now the function above, which appends each changed row's
-- difference to usage_rollup_daily_pending; as both columns were 0 everywhere until now,
-- the daily rollups (daily and pending rows together) then equal the sum of the hourly ones
-- exactly, and the next fold (lib/rollups/daily.ts) folds the differences in. Hours whose
-- events retention has already deleted keep 0: there is nothing left to count.
UPDATE usage_rollup_hourly AS r
SET retry_cost_usd = e.retry_cost_usd, error_cost_usd = e.error_cost_usd
FROM (
  SELECT date_trunc('hour', occurred_at, 'UTC') AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier,
         coalesce(sum(cost_usd) FILTER (WHERE attempt >= 2), 0) AS retry_cost_usd,
         coalesce(sum(cost_usd) FILTER (WHERE status = 'error'), 0) AS error_cost_usd
  FROM usage_events
  WHERE cost_usd IS NOT NULL AND (attempt >= 2 OR status = 'error')
  GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier
) AS e
WHERE r.hour = e.hour AND r.provider = e.provider AND r.model = e.model AND r.service_tier = e.service_tier
  AND r.team IS NOT DISTINCT FROM e.team AND r.feature IS NOT DISTINCT FROM e.feature
  AND r.environment IS NOT DISTINCT FROM e.environment AND r.tenant IS NOT DISTINCT FROM e.tenant
  AND r.prompt_version IS NOT DISTINCT FROM e.prompt_version
  AND (r.retry_cost_usd, r.error_cost_usd) IS DISTINCT FROM (e.retry_cost_usd, e.error_cost_usd);
