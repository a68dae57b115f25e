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
