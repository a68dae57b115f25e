-- At most one built-in in-app channel (the header's bell). The row itself is created by the
-- alert evaluator's setup step (lib/alerts/evaluate.ts), not here, so that a database is
-- still empty after its migrations (restore needs that) and a restored one gets it back.
-- Its own migration: PostgreSQL does not let the transaction that added the enum value use it.
CREATE UNIQUE INDEX "alert_channels_one_in_app" ON "alert_channels" ("type") WHERE "type" = 'in_app';
