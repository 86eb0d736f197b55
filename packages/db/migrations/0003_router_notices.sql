CREATE TYPE "public"."notice_state" AS ENUM('ready', 'sending', 'sent', 'deferred', 'failed');--> statement-breakpoint
CREATE TABLE "inbound_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"raw_inbound_id" uuid,
	"recipient" text NOT NULL,
	"day" date NOT NULL,
	"reason" text NOT NULL,
	"subject" text NOT NULL,
	"body_text" text NOT NULL,
	"refused_message_id" text,
	"state" "notice_state" DEFAULT 'ready' NOT NULL,
	"server_id" uuid,
	"from_header" text,
	"envelope_from" text,
	"smtp_response" text,
	"failure_reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "inbound_notices" ADD CONSTRAINT "inbound_notices_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_notices" ADD CONSTRAINT "inbound_notices_raw_inbound_id_raw_inbound_messages_id_fk" FOREIGN KEY ("raw_inbound_id") REFERENCES "public"."raw_inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_notices" ADD CONSTRAINT "inbound_notices_server_id_outgoing_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."outgoing_servers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_notices_tenant_id_recipient_day_index" ON "inbound_notices" USING btree ("tenant_id","recipient","day");--> statement-breakpoint
CREATE INDEX "inbound_notices_raw_inbound_id_index" ON "inbound_notices" USING btree ("raw_inbound_id");--> statement-breakpoint
CREATE INDEX "inbound_notices_state_updated_at_index" ON "inbound_notices" USING btree ("state","updated_at");