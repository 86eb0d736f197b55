-- Every send, failure and bounce looks up the notification, trace and bounces of its mail by
-- outgoing_mail_id. The migrator runs in a transaction, so these are plain CREATE INDEX, which
-- holds writes to the table while it builds: on a large existing database, create them first by
-- hand with CREATE INDEX CONCURRENTLY under the same names, and this migration does nothing.
CREATE INDEX IF NOT EXISTS "bounce_events_outgoing_mail_id_index" ON "bounce_events" USING btree ("outgoing_mail_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "mailing_traces_outgoing_mail_id_index" ON "mailing_traces" USING btree ("outgoing_mail_id");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "notifications_outgoing_mail_id_index" ON "notifications" USING btree ("outgoing_mail_id");