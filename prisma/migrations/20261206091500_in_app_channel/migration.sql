-- The built-in in-app channel (the header's bell), on by default. Its own migration:
-- PostgreSQL does not let the transaction that added the enum value use it.
CREATE UNIQUE INDEX "alert_channels_one_in_app" ON "alert_channels" ("type") WHERE "type" = 'in_app';

INSERT INTO "alert_channels" ("id", "name", "type", "target", "enabled", "created_at")
VALUES (gen_random_uuid(), 'In-app notifications', 'in_app', 'in-app', true, CURRENT_TIMESTAMP)
ON CONFLICT DO NOTHING;
