-- CreateEnum
CREATE TYPE "BudgetCapAction" AS ENUM ('deny', 'deny_models');

-- AlterTable
ALTER TABLE "budgets" ADD COLUMN     "enforce_action" "BudgetCapAction",
ADD COLUMN     "enforce_at_percent" INTEGER,
ADD COLUMN     "enforce_models" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "budget_cap_hits" (
    "id" UUID NOT NULL,
    "budget_id" UUID NOT NULL,
    "team" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "hits" BIGINT NOT NULL DEFAULT 0,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "budget_cap_hits_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "budget_cap_hits_team_month_idx" ON "budget_cap_hits"("team", "month");

-- CreateIndex
CREATE UNIQUE INDEX "budget_cap_hits_budget_id_team_month_key" ON "budget_cap_hits"("budget_id", "team", "month");

-- AddForeignKey
ALTER TABLE "budget_cap_hits" ADD CONSTRAINT "budget_cap_hits_budget_id_fkey" FOREIGN KEY ("budget_id") REFERENCES "budgets"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written below: a cap is a percentage and an action together, or neither.
ALTER TABLE "budgets" ADD CONSTRAINT "budgets_enforce_complete" CHECK ((enforce_at_percent IS NULL) = (enforce_action IS NULL));
