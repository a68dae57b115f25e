-- CreateEnum
CREATE TYPE "TeamOrigin" AS ENUM ('created', 'discovered', 'planned');

-- AlterTable
ALTER TABLE "teams" ADD COLUMN     "origin" "TeamOrigin" NOT NULL DEFAULT 'created';

-- Teams that ingest created (and nobody has set up since) came from usage.
UPDATE "teams" SET "origin" = 'discovered' WHERE "discovered";

-- Ingest inserts teams with discovered = true and no origin (lib/ingestion/write-events.ts):
-- such a row came from usage whatever the column default says.
CREATE OR REPLACE FUNCTION teams_origin_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.discovered AND NEW.origin = 'created' THEN
    NEW.origin := 'discovered';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER teams_origin_insert BEFORE INSERT ON "teams"
  FOR EACH ROW EXECUTE FUNCTION teams_origin_on_insert();
