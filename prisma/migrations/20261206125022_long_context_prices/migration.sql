-- AlterTable
ALTER TABLE "prices" ADD COLUMN     "long_cache_read_per_mtok" DECIMAL(20,10),
ADD COLUMN     "long_cache_write_1h_per_mtok" DECIMAL(20,10),
ADD COLUMN     "long_cache_write_per_mtok" DECIMAL(20,10),
ADD COLUMN     "long_context_threshold" INTEGER,
ADD COLUMN     "long_input_per_mtok" DECIMAL(20,10),
ADD COLUMN     "long_output_per_mtok" DECIMAL(20,10),
ADD COLUMN     "long_reasoning_per_mtok" DECIMAL(20,10);
