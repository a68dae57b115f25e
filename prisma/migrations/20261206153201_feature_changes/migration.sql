-- CreateTable
CREATE TABLE "feature_changes" (
    "id" UUID NOT NULL,
    "team" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "description" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feature_changes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "feature_changes_team_at_idx" ON "feature_changes"("team", "at");
