-- CreateTable
CREATE TABLE "usage_rollup_tag_daily" (
    "id" BIGSERIAL NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "usage_rollup_tag_daily_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_rollup_tag_daily_pending" (
    "id" BIGSERIAL NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "usage_rollup_tag_daily_pending_pkey" PRIMARY KEY ("id")
);

-- Hand-written below: what Prisma's schema language cannot express.
-- One row per (tag key, day, tag value, dimensions), like usage_rollup_tag_hourly per hour.
CREATE UNIQUE INDEX "usage_rollup_tag_daily_dimensions_key" ON "usage_rollup_tag_daily"
  ("tag_key", "day", "tag_value", "team", "feature", "environment", "tenant", "prompt_version", "provider", "model", "service_tier")
  NULLS NOT DISTINCT;
CREATE INDEX "usage_rollup_tag_daily_pending_key_day_idx" ON "usage_rollup_tag_daily_pending" ("tag_key", "day");

-- Every change to the hourly tag rows becomes a delta row for its day (as the daily_rollups
-- migration does for usage_rollup_hourly): statement-level, append-only.
CREATE FUNCTION usage_rollup_tag_daily_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_tag_daily_pending (day, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('day', hour, 'UTC'), tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, sum(requests), sum(errors), sum(retries), sum(response_cache_hits), sum(unpriced_requests), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens), sum(reasoning_output_tokens), sum(cost_usd), sum(latency_ms_sum), sum(reported_cost_usd), sum(reported_requests), sum(retry_cost_usd), sum(error_cost_usd)
  FROM new_rows GROUP BY 1, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE FUNCTION usage_rollup_tag_daily_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Tag rollup rows never change their hour or dimensions, only their measures.
  INSERT INTO usage_rollup_tag_daily_pending (day, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('day', n.hour, 'UTC'), n.tag_key, n.tag_value, n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier, sum(n.requests - o.requests), sum(n.errors - o.errors), sum(n.retries - o.retries), sum(n.response_cache_hits - o.response_cache_hits), sum(n.unpriced_requests - o.unpriced_requests), sum(n.input_tokens - o.input_tokens), sum(n.output_tokens - o.output_tokens), sum(n.cache_read_input_tokens - o.cache_read_input_tokens), sum(n.cache_creation_input_tokens - o.cache_creation_input_tokens), sum(n.reasoning_output_tokens - o.reasoning_output_tokens), sum(n.cost_usd - o.cost_usd), sum(n.latency_ms_sum - o.latency_ms_sum), sum(n.reported_cost_usd - o.reported_cost_usd), sum(n.reported_requests - o.reported_requests), sum(n.retry_cost_usd - o.retry_cost_usd), sum(n.error_cost_usd - o.error_cost_usd)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  GROUP BY 1, n.tag_key, n.tag_value, n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier;
  RETURN NULL;
END $$;

CREATE FUNCTION usage_rollup_tag_daily_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_tag_daily_pending (day, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
  SELECT date_trunc('day', hour, 'UTC'), tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, -sum(requests), -sum(errors), -sum(retries), -sum(response_cache_hits), -sum(unpriced_requests), -sum(input_tokens), -sum(output_tokens), -sum(cache_read_input_tokens), -sum(cache_creation_input_tokens), -sum(reasoning_output_tokens), -sum(cost_usd), -sum(latency_ms_sum), -sum(reported_cost_usd), -sum(reported_requests), -sum(retry_cost_usd), -sum(error_cost_usd)
  FROM old_rows GROUP BY 1, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE FUNCTION usage_rollup_tag_daily_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE usage_rollup_tag_daily, usage_rollup_tag_daily_pending;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_rollup_tag_daily_insert AFTER INSERT ON usage_rollup_tag_hourly
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_tag_daily_on_insert();
CREATE TRIGGER usage_rollup_tag_daily_update AFTER UPDATE ON usage_rollup_tag_hourly
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_tag_daily_on_update();
CREATE TRIGGER usage_rollup_tag_daily_delete AFTER DELETE ON usage_rollup_tag_hourly
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_tag_daily_on_delete();
CREATE TRIGGER usage_rollup_tag_daily_truncate AFTER TRUNCATE ON usage_rollup_tag_hourly
  FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_tag_daily_on_truncate();

-- What readers use: folded and pending rows together; `hour` is the day's midnight.
CREATE VIEW usage_rollup_tag_daily_all AS
  SELECT day AS hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_tag_daily
  UNION ALL
  SELECT day AS hour, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd FROM usage_rollup_tag_daily_pending;

-- The days that already have hourly tag rows (the tag_rollups migration's backfill).
INSERT INTO usage_rollup_tag_daily (day, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum, reported_cost_usd, reported_requests, retry_cost_usd, error_cost_usd)
SELECT date_trunc('day', hour, 'UTC'), tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier, sum(requests), sum(errors), sum(retries), sum(response_cache_hits), sum(unpriced_requests), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens), sum(reasoning_output_tokens), sum(cost_usd), sum(latency_ms_sum), sum(reported_cost_usd), sum(reported_requests), sum(retry_cost_usd), sum(error_cost_usd)
FROM usage_rollup_tag_hourly GROUP BY 1, tag_key, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
