-- CreateTable
CREATE TABLE "savings_substitutes" (
    "id" UUID NOT NULL,
    "from_provider" TEXT NOT NULL,
    "from_model" TEXT NOT NULL,
    "to_provider" TEXT NOT NULL,
    "to_model" TEXT NOT NULL,
    "note" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "savings_substitutes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deferrable_features" (
    "id" UUID NOT NULL,
    "team" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deferrable_features_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "savings_dismissals" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "team" TEXT NOT NULL,
    "feature" TEXT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "savings_dismissals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "savings_substitutes_from_provider_from_model_to_provider_to_key" ON "savings_substitutes"("from_provider", "from_model", "to_provider", "to_model");

-- CreateIndex
CREATE UNIQUE INDEX "deferrable_features_team_feature_key" ON "deferrable_features"("team", "feature");

-- CreateIndex
CREATE UNIQUE INDEX "savings_dismissals_kind_team_feature_model_key" ON "savings_dismissals"("kind", "team", "feature", "model");
