-- CreateEnum
CREATE TYPE "ReconciliationProvider" AS ENUM ('openai', 'anthropic');

-- AlterEnum
ALTER TYPE "AlertRuleType" ADD VALUE 'reconciliation_drift';

-- CreateTable
CREATE TABLE "reconciliation_connections" (
    "id" UUID NOT NULL,
    "provider" "ReconciliationProvider" NOT NULL,
    "base_url" TEXT NOT NULL,
    "key_ciphertext" TEXT NOT NULL,
    "key_hint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "reconciliation_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_runs" (
    "id" UUID NOT NULL,
    "connection_id" UUID NOT NULL,
    "from_day" DATE NOT NULL,
    "to_day" DATE NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "error" TEXT,
    "pages" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "reconciliation_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reconciliation_days" (
    "id" BIGSERIAL NOT NULL,
    "connection_id" UUID NOT NULL,
    "provider" "ReconciliationProvider" NOT NULL,
    "day" DATE NOT NULL,
    "model" TEXT,
    "requests" BIGINT,
    "input_tokens" BIGINT,
    "cache_read_tokens" BIGINT,
    "cache_write_tokens" BIGINT,
    "cache_write_1h_tokens" BIGINT,
    "output_tokens" BIGINT,
    "cost_usd" DECIMAL(24,12),
    "pulled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reconciliation_days_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "reconciliation_runs_connection_id_started_at_idx" ON "reconciliation_runs"("connection_id", "started_at");

-- CreateIndex
CREATE INDEX "reconciliation_days_connection_id_day_idx" ON "reconciliation_days"("connection_id", "day");

-- CreateIndex
CREATE INDEX "reconciliation_days_provider_day_idx" ON "reconciliation_days"("provider", "day");

-- AddForeignKey
ALTER TABLE "reconciliation_runs" ADD CONSTRAINT "reconciliation_runs_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "reconciliation_connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reconciliation_days" ADD CONSTRAINT "reconciliation_days_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "reconciliation_connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One row per connection, day and model (the unattributed remainder is the model-less row):
-- a pull replaces its days, so a second identical row would double the provider's numbers.
CREATE UNIQUE INDEX "reconciliation_days_one_per_model" ON "reconciliation_days" ("connection_id", "day", (coalesce("model", '')));
