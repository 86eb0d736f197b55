ALTER TABLE "raw_inbound_messages" ADD COLUMN "sender_email" text;--> statement-breakpoint
ALTER TABLE "raw_inbound_messages" ADD COLUMN "content_fingerprint" text;--> statement-breakpoint
CREATE INDEX "raw_inbound_messages_same_content_idx" ON "raw_inbound_messages" USING btree ("tenant_id","sender_email","content_fingerprint","received_at") WHERE "raw_inbound_messages"."content_fingerprint" is not null;--> statement-breakpoint
-- Mail routed before these columns existed keeps its feedback-loop keys in the decision: copied, so
-- the check still sees the last period's mail.
UPDATE "raw_inbound_messages" SET "sender_email" = "decision"->>'sender', "content_fingerprint" = "decision"->>'fingerprint' WHERE "decision" ? 'fingerprint';
