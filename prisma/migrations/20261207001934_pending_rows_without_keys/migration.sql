-- DropIndex
DROP INDEX "usage_rollup_pending_tag_key_hour_idx";

-- AlterTable
ALTER TABLE "usage_rollup_pending" DROP CONSTRAINT "usage_rollup_pending_pkey",
ALTER COLUMN "id" DROP NOT NULL,
ALTER COLUMN "id" DROP DEFAULT;

-- Hand-written below.
-- Ingest appends hundreds of rows per batch and the fold deletes them every 2 s: no key, no
-- index, no sequence to maintain for rows that live seconds. The id column stays (NULL from now
-- on) so that backups taken while it was the key, which list it, still restore.
DROP SEQUENCE IF EXISTS "usage_rollup_pending_id_seq";
-- Without a key, a logical-replication publication of all tables would refuse the fold's DELETE:
-- identify rows by all their columns instead (costs nothing unless wal_level = logical).
ALTER TABLE "usage_rollup_pending" REPLICA IDENTITY FULL;
