-- AlterTable
ALTER TABLE "usage_events" ADD COLUMN     "cache_creation_1h_input_tokens" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "prices" ADD COLUMN     "cache_write_1h_per_mtok" DECIMAL(20,10);
