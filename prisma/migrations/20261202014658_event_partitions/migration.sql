-- Raw events partitioned by month (declarative range partitioning on occurred_at), so
-- that old months can be dropped whole (lib/db/partitions.ts: retention) while the
-- rollups stay. Hand-written: Prisma cannot express partitioning.
--
-- A partitioned table's unique keys must contain the partition column, so the primary
-- key becomes (id, occurred_at) and the permanent dedupe guarantee on the id alone moves
-- to usage_event_ids, which ingestion writes first (lib/ingestion/write-events.ts).

-- CreateTable
CREATE TABLE "usage_event_ids" (
    "id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "usage_event_ids_pkey" PRIMARY KEY ("id")
);

-- The old table keeps its rows until they are copied; its keys and indexes go first so
-- the new table can take their names.
ALTER TABLE "usage_events" RENAME TO "usage_events_unpartitioned";
ALTER TABLE "usage_events_unpartitioned" DROP CONSTRAINT "usage_events_pkey";
ALTER TABLE "usage_events_unpartitioned" DROP CONSTRAINT "usage_events_price_id_fkey";
ALTER TABLE "usage_events_unpartitioned" DROP CONSTRAINT "usage_events_cost_matches_state";
ALTER TABLE "usage_events_unpartitioned" DROP CONSTRAINT "usage_events_token_classes";
DROP INDEX "usage_events_occurred_at_idx";
DROP INDEX "usage_events_trace_id_idx";
DROP INDEX "usage_events_provider_model_occurred_at_idx";
DROP INDEX "usage_events_unpriced_idx";

CREATE TABLE "usage_events" (
    "id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "operation" "Operation" NOT NULL DEFAULT 'chat',
    "service_tier" "ServiceTier" NOT NULL DEFAULT 'standard',
    "input_tokens" INTEGER NOT NULL,
    "output_tokens" INTEGER NOT NULL,
    "cache_read_input_tokens" INTEGER NOT NULL DEFAULT 0,
    "cache_creation_input_tokens" INTEGER NOT NULL DEFAULT 0,
    "reasoning_output_tokens" INTEGER NOT NULL DEFAULT 0,
    "latency_ms" INTEGER,
    "status" "CallStatus" NOT NULL DEFAULT 'success',
    "response_cache_hit" BOOLEAN NOT NULL DEFAULT false,
    "trace_id" TEXT,
    "attempt" INTEGER NOT NULL DEFAULT 1,
    "team" TEXT,
    "feature" TEXT,
    "environment" TEXT,
    "tenant" TEXT,
    "end_user" TEXT,
    "prompt_version" TEXT,
    "extra_tags" JSONB,
    "cost_usd" DECIMAL(24,12),
    "pricing_state" "PricingState" NOT NULL,
    "price_id" UUID,
    "priced_at" TIMESTAMPTZ(3),

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id", "occurred_at")
) PARTITION BY RANGE ("occurred_at");

CREATE INDEX "usage_events_occurred_at_idx" ON "usage_events"("occurred_at");
CREATE INDEX "usage_events_trace_id_idx" ON "usage_events"("trace_id");
CREATE INDEX "usage_events_provider_model_occurred_at_idx" ON "usage_events"("provider", "model", "occurred_at");
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_price_id_fkey" FOREIGN KEY ("price_id") REFERENCES "prices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- As before (first migration): re-pricing's index of unpriced events, and the checks.
CREATE INDEX "usage_events_unpriced_idx" ON "usage_events" ("provider", "model", "occurred_at")
  WHERE "pricing_state" = 'unpriced';
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_cost_matches_state"
  CHECK (("pricing_state" = 'priced') = ("cost_usd" IS NOT NULL AND "price_id" IS NOT NULL));
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_token_classes" CHECK (
  "input_tokens" >= 0 AND "output_tokens" >= 0 AND "cache_read_input_tokens" >= 0
  AND "cache_creation_input_tokens" >= 0 AND "reasoning_output_tokens" >= 0
  AND "cache_read_input_tokens"::bigint + "cache_creation_input_tokens" <= "input_tokens"
  AND "reasoning_output_tokens" <= "output_tokens"
  AND "attempt" >= 1
);

-- One partition per UTC month, [first instant, first instant of the next month), named
-- usage_events_YYYY_MM, for every month that [from_ts, to_ts] touches. Idempotent and
-- safe to call from several app instances at once (one transaction-level advisory lock).
-- Month arithmetic on timestamp (not timestamptz) values, so the session's TimeZone
-- cannot shift a boundary. Returns how many partitions it created.
CREATE FUNCTION burnrate_ensure_event_partitions(from_ts timestamptz, to_ts timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamp := date_trunc('month', from_ts AT TIME ZONE 'UTC');
  last_month timestamp := date_trunc('month', to_ts AT TIME ZONE 'UTC');
  partition_name text;
  created integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('burnrate_ensure_event_partitions'));
  WHILE month_start <= last_month LOOP
    partition_name := 'usage_events_' || to_char(month_start, 'YYYY_MM');
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF usage_events FOR VALUES FROM (%L) TO (%L)',
        partition_name, month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
    month_start := month_start + interval '1 month';
  END LOOP;
  RETURN created;
END $$;

-- Partitions for the months the existing events cover, and this month through two ahead.
SELECT burnrate_ensure_event_partitions(
  LEAST(coalesce((SELECT min("occurred_at") FROM "usage_events_unpartitioned"), now()), now()),
  GREATEST(coalesce((SELECT max("occurred_at") FROM "usage_events_unpartitioned"), now()), now() + interval '2 months'));

INSERT INTO "usage_events" SELECT * FROM "usage_events_unpartitioned";
INSERT INTO "usage_event_ids" ("id", "occurred_at") SELECT "id", "occurred_at" FROM "usage_events_unpartitioned";
DROP TABLE "usage_events_unpartitioned";
