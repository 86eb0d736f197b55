ALTER TABLE "blacklist_entries" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "blacklist_entries" ADD COLUMN "removed_by" text;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD COLUMN "outcome" text DEFAULT 'bounced' NOT NULL;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD COLUMN "action" text;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD COLUMN "report" jsonb;--> statement-breakpoint
CREATE INDEX "bounce_events_tenant_id_linked_by_occurred_at_index" ON "bounce_events" USING btree ("tenant_id","linked_by","occurred_at");--> statement-breakpoint
-- Written by hand (drizzle-kit cannot express an expression index here): the blacklist rule asks for
-- the last successful delivery to one address (lastSuccessfulDelivery in queries/bounces.ts).
CREATE INDEX IF NOT EXISTS "outgoing_mails_sent_recipient_index" ON "outgoing_mails" USING btree ("tenant_id", lower("recipient_email"), "sent_at") WHERE "state" = 'sent';
