-- The dispatcher's sweeps read only deferred and waiting mail, and deleting a thread no longer scans
-- aliases. As in 0009: plain CREATE INDEX in the migrator's transaction; on a large database create
-- them first with CREATE INDEX CONCURRENTLY under the same names (drop an INVALID one left by a
-- failed attempt first), and this migration does nothing.
CREATE INDEX IF NOT EXISTS "outgoing_mails_deferred_due_idx" ON "outgoing_mails" USING btree ("next_attempt_at") WHERE "outgoing_mails"."state" = 'deferred';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "outgoing_mails_waiting_idx" ON "outgoing_mails" USING btree ("updated_at") WHERE "outgoing_mails"."state" in ('ready', 'sending');--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "aliases_thread_id_index" ON "aliases" USING btree ("thread_id") WHERE "aliases"."thread_id" is not null;