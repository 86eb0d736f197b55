-- Each reference a delete must follow gets an index (partial: most rows reference nothing), so
-- deleting a contact, a server, a mailing or a database no longer scans a table once per deleted row.
-- The migrator runs in a transaction, so these are plain CREATE INDEX, which holds writes to each
-- table while it builds: on a large existing database, create them first by hand with CREATE INDEX
-- CONCURRENTLY under the same names (drop an INVALID one left by a failed attempt first), and
-- this migration does nothing.
CREATE INDEX IF NOT EXISTS "bounce_events_contact_id_index" ON "bounce_events" USING btree ("contact_id") WHERE "bounce_events"."contact_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bounce_events_notification_id_index" ON "bounce_events" USING btree ("notification_id") WHERE "bounce_events"."notification_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "bounce_events_raw_inbound_id_index" ON "bounce_events" USING btree ("raw_inbound_id") WHERE "bounce_events"."raw_inbound_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "raw_inbound_messages_incoming_server_id_index" ON "raw_inbound_messages" USING btree ("incoming_server_id") WHERE "raw_inbound_messages"."incoming_server_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "mailing_traces_contact_id_index" ON "mailing_traces" USING btree ("contact_id") WHERE "mailing_traces"."contact_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "notifications_contact_id_index" ON "notifications" USING btree ("contact_id") WHERE "notifications"."contact_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "outgoing_mails_recipient_contact_id_index" ON "outgoing_mails" USING btree ("recipient_contact_id") WHERE "outgoing_mails"."recipient_contact_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "outgoing_mails_server_id_index" ON "outgoing_mails" USING btree ("server_id") WHERE "outgoing_mails"."server_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "outgoing_mails_mailing_id_index" ON "outgoing_mails" USING btree ("mailing_id") WHERE "outgoing_mails"."mailing_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_author_contact_id_index" ON "messages" USING btree ("author_contact_id") WHERE "messages"."author_contact_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "messages_raw_inbound_id_index" ON "messages" USING btree ("raw_inbound_id") WHERE "messages"."raw_inbound_id" is not null;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "threads_alias_id_index" ON "threads" USING btree ("alias_id") WHERE "threads"."alias_id" is not null;