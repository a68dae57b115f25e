-- DropIndex
DROP INDEX "usage_events_team_occurred_at_idx";
