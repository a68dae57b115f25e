-- DropIndex
DROP INDEX "usage_rollup_pending_tag_key_hour_idx";

-- AlterTable
ALTER TABLE "usage_rollup_pending" DROP CONSTRAINT "usage_rollup_pending_pkey",
DROP COLUMN "id";
