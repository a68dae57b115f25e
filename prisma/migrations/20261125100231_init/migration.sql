-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'finance', 'team_lead', 'viewer');

-- CreateEnum
CREATE TYPE "TeamMemberRole" AS ENUM ('lead', 'member');

-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('ingest', 'read', 'admin');

-- CreateEnum
CREATE TYPE "Operation" AS ENUM ('chat', 'completion', 'embedding', 'image', 'audio', 'rerank', 'other');

-- CreateEnum
CREATE TYPE "ServiceTier" AS ENUM ('standard', 'batch', 'flex', 'priority');

-- CreateEnum
CREATE TYPE "CallStatus" AS ENUM ('success', 'error');

-- CreateEnum
CREATE TYPE "PricingState" AS ENUM ('priced', 'unpriced');

-- CreateEnum
CREATE TYPE "BudgetPeriod" AS ENUM ('month');

-- CreateEnum
CREATE TYPE "AlertRuleType" AS ENUM ('budget_threshold', 'budget_forecast', 'spend_spike', 'cache_hit_rate_drop', 'tokens_per_request_jump', 'unpriced_spend', 'untagged_spend');

-- CreateEnum
CREATE TYPE "AlertChannelType" AS ENUM ('webhook', 'slack', 'email');

-- CreateEnum
CREATE TYPE "AlertState" AS ENUM ('open', 'acknowledged', 'resolved');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('pending', 'delivered', 'failed');

-- CreateEnum
CREATE TYPE "QuotaUnit" AS ENUM ('usd', 'tokens');

-- CreateEnum
CREATE TYPE "BurstStatus" AS ENUM ('pending', 'approved', 'rejected', 'cancelled', 'expired');

-- CreateTable
CREATE TABLE "teams" (
    "id" UUID NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "discovered" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "password_hash" TEXT,
    "role" "Role" NOT NULL DEFAULT 'viewer',
    "disabled_at" TIMESTAMPTZ(3),
    "last_sign_in_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team_memberships" (
    "user_id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "role" "TeamMemberRole" NOT NULL DEFAULT 'member',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_memberships_pkey" PRIMARY KEY ("user_id","team_id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "provider_account_id" TEXT NOT NULL,
    "refresh_token" TEXT,
    "access_token" TEXT,
    "expires_at" INTEGER,
    "token_type" TEXT,
    "scope" TEXT,
    "id_token" TEXT,
    "session_state" TEXT,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "team_id" UUID,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_user_id" UUID,
    "actor_key_id" UUID,
    "actor_label" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "team_id" UUID,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_rollup_hourly" (
    "id" BIGSERIAL NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
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

    CONSTRAINT "usage_rollup_hourly_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outcomes" (
    "id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "trace_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "success" BOOLEAN NOT NULL,
    "value" DECIMAL(24,6),
    "team" TEXT,
    "feature" TEXT,
    "environment" TEXT,
    "tenant" TEXT,
    "extra_tags" JSONB,

    CONSTRAINT "outcomes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prices" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "service_tier" "ServiceTier" NOT NULL DEFAULT 'standard',
    "effective_from" TIMESTAMPTZ(3) NOT NULL,
    "input_per_mtok" DECIMAL(20,10) NOT NULL,
    "output_per_mtok" DECIMAL(20,10) NOT NULL,
    "cache_read_per_mtok" DECIMAL(20,10) NOT NULL,
    "cache_write_per_mtok" DECIMAL(20,10) NOT NULL,
    "reasoning_per_mtok" DECIMAL(20,10) NOT NULL,
    "source" TEXT,
    "source_date" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by_id" UUID,

    CONSTRAINT "prices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "budgets" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "team" TEXT,
    "feature" TEXT,
    "environment" TEXT,
    "tenant" TEXT,
    "period" "BudgetPeriod" NOT NULL DEFAULT 'month',
    "amount_usd" DECIMAL(24,12) NOT NULL,
    "thresholds" INTEGER[],
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "budgets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rules" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "AlertRuleType" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "params" JSONB NOT NULL DEFAULT '{}',
    "scope" JSONB,
    "budget_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_channels" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "AlertChannelType" NOT NULL,
    "target" TEXT NOT NULL,
    "secret" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_channels_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_events" (
    "id" UUID NOT NULL,
    "rule_id" UUID,
    "budget_id" UUID,
    "type" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "state" "AlertState" NOT NULL DEFAULT 'open',
    "scope" JSONB NOT NULL DEFAULT '{}',
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "message" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "acknowledged_at" TIMESTAMPTZ(3),
    "acknowledged_by_id" UUID,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_deliveries" (
    "id" UUID NOT NULL,
    "alert_event_id" UUID NOT NULL,
    "channel_id" UUID NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "response_status" INTEGER,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "quota_allocations" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "model" TEXT,
    "unit" "QuotaUnit" NOT NULL,
    "amount" DECIMAL(24,12) NOT NULL,
    "period" "BudgetPeriod" NOT NULL DEFAULT 'month',
    "requests_per_minute" INTEGER,
    "tokens_per_minute" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "quota_allocations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "burst_requests" (
    "id" UUID NOT NULL,
    "team_id" UUID NOT NULL,
    "requested_by_id" UUID,
    "unit" "QuotaUnit" NOT NULL DEFAULT 'usd',
    "amount" DECIMAL(24,12) NOT NULL,
    "approved_amount" DECIMAL(24,12),
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "expected_usage" TEXT,
    "status" "BurstStatus" NOT NULL DEFAULT 'pending',
    "decided_by_id" UUID,
    "decided_at" TIMESTAMPTZ(3),
    "decision_comment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "burst_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_AlertChannelToAlertRule" (
    "A" UUID NOT NULL,
    "B" UUID NOT NULL,

    CONSTRAINT "_AlertChannelToAlertRule_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "teams_slug_key" ON "teams"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "team_memberships_team_id_idx" ON "team_memberships"("team_id");

-- CreateIndex
CREATE INDEX "accounts_user_id_idx" ON "accounts"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_provider_provider_account_id_key" ON "accounts"("provider", "provider_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_secret_hash_key" ON "api_keys"("secret_hash");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at" DESC);

-- CreateIndex
CREATE INDEX "audit_log_action_at_idx" ON "audit_log"("action", "at");

-- CreateIndex
CREATE INDEX "audit_log_target_type_target_id_idx" ON "audit_log"("target_type", "target_id");

-- CreateIndex
CREATE INDEX "audit_log_actor_user_id_at_idx" ON "audit_log"("actor_user_id", "at");

-- CreateIndex
CREATE INDEX "usage_events_occurred_at_idx" ON "usage_events"("occurred_at");

-- CreateIndex
CREATE INDEX "usage_events_team_occurred_at_idx" ON "usage_events"("team", "occurred_at");

-- CreateIndex
CREATE INDEX "usage_events_trace_id_idx" ON "usage_events"("trace_id");

-- CreateIndex
CREATE INDEX "usage_events_provider_model_occurred_at_idx" ON "usage_events"("provider", "model", "occurred_at");

-- CreateIndex
CREATE INDEX "usage_rollup_hourly_hour_idx" ON "usage_rollup_hourly"("hour");

-- CreateIndex
CREATE INDEX "usage_rollup_hourly_team_hour_idx" ON "usage_rollup_hourly"("team", "hour");

-- CreateIndex
CREATE INDEX "outcomes_type_occurred_at_idx" ON "outcomes"("type", "occurred_at");

-- CreateIndex
CREATE INDEX "outcomes_trace_id_idx" ON "outcomes"("trace_id");

-- CreateIndex
CREATE UNIQUE INDEX "prices_provider_model_service_tier_effective_from_key" ON "prices"("provider", "model", "service_tier", "effective_from");

-- CreateIndex
CREATE INDEX "budgets_team_idx" ON "budgets"("team");

-- CreateIndex
CREATE UNIQUE INDEX "alert_events_dedupe_key_key" ON "alert_events"("dedupe_key");

-- CreateIndex
CREATE INDEX "alert_events_state_fired_at_idx" ON "alert_events"("state", "fired_at");

-- CreateIndex
CREATE INDEX "alert_deliveries_status_next_attempt_at_idx" ON "alert_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "alert_deliveries_channel_id_created_at_idx" ON "alert_deliveries"("channel_id", "created_at");

-- CreateIndex
CREATE INDEX "burst_requests_team_id_status_idx" ON "burst_requests"("team_id", "status");

-- CreateIndex
CREATE INDEX "burst_requests_status_ends_at_idx" ON "burst_requests"("status", "ends_at");

-- CreateIndex
CREATE INDEX "_AlertChannelToAlertRule_B_index" ON "_AlertChannelToAlertRule"("B");

-- AddForeignKey
ALTER TABLE "team_memberships" ADD CONSTRAINT "team_memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_memberships" ADD CONSTRAINT "team_memberships_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_user_id_fkey" FOREIGN KEY ("actor_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_price_id_fkey" FOREIGN KEY ("price_id") REFERENCES "prices"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rules"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_events" ADD CONSTRAINT "alert_events_acknowledged_by_id_fkey" FOREIGN KEY ("acknowledged_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_event_id_fkey" FOREIGN KEY ("alert_event_id") REFERENCES "alert_events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_channel_id_fkey" FOREIGN KEY ("channel_id") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "quota_allocations" ADD CONSTRAINT "quota_allocations_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "burst_requests" ADD CONSTRAINT "burst_requests_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "burst_requests" ADD CONSTRAINT "burst_requests_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "burst_requests" ADD CONSTRAINT "burst_requests_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_AlertChannelToAlertRule" ADD CONSTRAINT "_AlertChannelToAlertRule_A_fkey" FOREIGN KEY ("A") REFERENCES "alert_channels"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_AlertChannelToAlertRule" ADD CONSTRAINT "_AlertChannelToAlertRule_B_fkey" FOREIGN KEY ("B") REFERENCES "alert_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written: what Prisma's schema language cannot express.

-- Rollup upserts need exactly one row per dimension tuple, untagged (NULL) ones included.
CREATE UNIQUE INDEX "usage_rollup_hourly_dimensions_key" ON "usage_rollup_hourly"
  ("hour", "team", "feature", "environment", "tenant", "prompt_version", "provider", "model", "service_tier")
  NULLS NOT DISTINCT;

-- One baseline per team and model; a NULL model is the team-wide allocation.
CREATE UNIQUE INDEX "quota_allocations_team_model_key" ON "quota_allocations" ("team_id", "model") NULLS NOT DISTINCT;

-- Re-pricing looks for unpriced events of one model; they are few, so index only them.
CREATE INDEX "usage_events_unpriced_idx" ON "usage_events" ("provider", "model", "occurred_at")
  WHERE "pricing_state" = 'unpriced';

-- Never a silent zero: a cost exists exactly when the event is priced.
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_cost_matches_state"
  CHECK (("pricing_state" = 'priced') = ("cost_usd" IS NOT NULL AND "price_id" IS NOT NULL));

-- The contract's token semantics: totals include their subclasses.
ALTER TABLE "usage_events" ADD CONSTRAINT "usage_events_token_classes" CHECK (
  "input_tokens" >= 0 AND "output_tokens" >= 0 AND "cache_read_input_tokens" >= 0
  AND "cache_creation_input_tokens" >= 0 AND "reasoning_output_tokens" >= 0
  AND "cache_read_input_tokens"::bigint + "cache_creation_input_tokens" <= "input_tokens"
  AND "reasoning_output_tokens" <= "output_tokens"
  AND "attempt" >= 1
);

ALTER TABLE "burst_requests" ADD CONSTRAINT "burst_requests_window" CHECK ("ends_at" > "starts_at");
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_amount_positive" CHECK ("amount_usd" > 0);
