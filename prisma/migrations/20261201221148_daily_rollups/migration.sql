-- CreateTable
CREATE TABLE "usage_rollup_daily" (
    "id" BIGSERIAL NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "usage_rollup_daily_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_rollup_daily_pending" (
    "id" BIGSERIAL NOT NULL,
    "day" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "usage_rollup_daily_pending_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "usage_rollup_daily_day_idx" ON "usage_rollup_daily"("day");

-- One row per (day, dimensions), like usage_rollup_hourly per hour.
CREATE UNIQUE INDEX "usage_rollup_daily_dimensions_key" ON "usage_rollup_daily"
  ("day", "team", "feature", "environment", "tenant", "prompt_version", "provider", "model", "service_tier")
  NULLS NOT DISTINCT;

-- Every change to the hourly rollups becomes a delta row for its day. Statement-level
-- triggers with transition tables: one INSERT per statement (a 1000-event batch, a COPY
-- of a seed, a re-pricing chunk), and append-only, so no two writers ever wait on a row.
CREATE FUNCTION usage_rollup_daily_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum)
  SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, sum(requests), sum(errors), sum(retries), sum(response_cache_hits), sum(unpriced_requests), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens), sum(reasoning_output_tokens), sum(cost_usd), sum(latency_ms_sum)
  FROM new_rows GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE FUNCTION usage_rollup_daily_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Rollup rows never change their hour or dimensions, only their measures.
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum)
  SELECT date_trunc('day', n.hour, 'UTC'), n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier, sum(n.requests - o.requests), sum(n.errors - o.errors), sum(n.retries - o.retries), sum(n.response_cache_hits - o.response_cache_hits), sum(n.unpriced_requests - o.unpriced_requests), sum(n.input_tokens - o.input_tokens), sum(n.output_tokens - o.output_tokens), sum(n.cache_read_input_tokens - o.cache_read_input_tokens), sum(n.cache_creation_input_tokens - o.cache_creation_input_tokens), sum(n.reasoning_output_tokens - o.reasoning_output_tokens), sum(n.cost_usd - o.cost_usd), sum(n.latency_ms_sum - o.latency_ms_sum)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  GROUP BY 1, n.team, n.feature, n.environment, n.tenant, n.prompt_version, n.provider, n.model, n.service_tier;
  RETURN NULL;
END $$;

CREATE FUNCTION usage_rollup_daily_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollup_daily_pending (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum)
  SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, -sum(requests), -sum(errors), -sum(retries), -sum(response_cache_hits), -sum(unpriced_requests), -sum(input_tokens), -sum(output_tokens), -sum(cache_read_input_tokens), -sum(cache_creation_input_tokens), -sum(reasoning_output_tokens), -sum(cost_usd), -sum(latency_ms_sum)
  FROM old_rows GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
  RETURN NULL;
END $$;

CREATE FUNCTION usage_rollup_daily_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE usage_rollup_daily, usage_rollup_daily_pending;
  RETURN NULL;
END $$;

CREATE TRIGGER usage_rollup_daily_insert AFTER INSERT ON usage_rollup_hourly
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_daily_on_insert();
CREATE TRIGGER usage_rollup_daily_update AFTER UPDATE ON usage_rollup_hourly
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_daily_on_update();
CREATE TRIGGER usage_rollup_daily_delete AFTER DELETE ON usage_rollup_hourly
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_daily_on_delete();
CREATE TRIGGER usage_rollup_daily_truncate AFTER TRUNCATE ON usage_rollup_hourly
  FOR EACH STATEMENT EXECUTE FUNCTION usage_rollup_daily_on_truncate();

-- What readers use: folded and pending rows together (sum them; a group whose requests
-- sum to 0 no longer exists). `hour` is the day's midnight, so SQL written for the
-- hourly table reads this view unchanged for day-aligned windows.
CREATE VIEW usage_rollup_daily_all AS
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum FROM usage_rollup_daily
  UNION ALL
  SELECT day AS hour, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum FROM usage_rollup_daily_pending;

-- The days that already have hourly rollups.
INSERT INTO usage_rollup_daily (day, team, feature, environment, tenant, prompt_version, provider, model, service_tier, requests, errors, retries, response_cache_hits, unpriced_requests, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens, cost_usd, latency_ms_sum)
SELECT date_trunc('day', hour, 'UTC'), team, feature, environment, tenant, prompt_version, provider, model, service_tier, sum(requests), sum(errors), sum(retries), sum(response_cache_hits), sum(unpriced_requests), sum(input_tokens), sum(output_tokens), sum(cache_read_input_tokens), sum(cache_creation_input_tokens), sum(reasoning_output_tokens), sum(cost_usd), sum(latency_ms_sum)
FROM usage_rollup_hourly GROUP BY 1, team, feature, environment, tenant, prompt_version, provider, model, service_tier;
