CREATE TYPE "public"."bounce_link" AS ENUM('verp', 'message_id', 'references', 'none');--> statement-breakpoint
CREATE TYPE "public"."contact_policy" AS ENUM('everyone', 'contacts', 'followers');--> statement-breakpoint
CREATE TYPE "public"."hosting_type" AS ENUM('online', 'on_premise');--> statement-breakpoint
CREATE TYPE "public"."inbound_source" AS ENUM('imap', 'pop3', 'smtp', 'api');--> statement-breakpoint
CREATE TYPE "public"."inbound_state" AS ENUM('received', 'routed', 'ignored', 'failed');--> statement-breakpoint
CREATE TYPE "public"."incoming_auth_type" AS ENUM('password', 'xoauth2');--> statement-breakpoint
CREATE TYPE "public"."incoming_protocol" AS ENUM('imap', 'pop3');--> statement-breakpoint
CREATE TYPE "public"."incoming_server_state" AS ENUM('draft', 'confirmed');--> statement-breakpoint
CREATE TYPE "public"."mail_lane" AS ENUM('transactional', 'mass');--> statement-breakpoint
CREATE TYPE "public"."mailing_state" AS ENUM('draft', 'sending', 'done', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."message_kind" AS ENUM('comment', 'email', 'note');--> statement-breakpoint
CREATE TYPE "public"."notification_status" AS ENUM('ready', 'sent', 'deferred', 'exception', 'bounced', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."oauth_provider" AS ENUM('google', 'microsoft');--> statement-breakpoint
CREATE TYPE "public"."outgoing_mail_state" AS ENUM('ready', 'sending', 'sent', 'deferred', 'exception', 'bounced', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."smtp_auth_type" AS ENUM('none', 'password', 'xoauth2', 'certificate');--> statement-breakpoint
CREATE TYPE "public"."trace_status" AS ENUM('pending', 'sent', 'bounced', 'skipped', 'failed');--> statement-breakpoint
CREATE TYPE "public"."transport_security" AS ENUM('none', 'starttls', 'ssl');--> statement-breakpoint
CREATE TABLE "blacklist_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"email" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"source" text DEFAULT 'manual' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	"removed_note" text
);
--> statement-breakpoint
CREATE TABLE "bounce_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"raw_inbound_id" uuid,
	"source_key" text NOT NULL,
	"outgoing_mail_id" uuid,
	"notification_id" uuid,
	"contact_id" uuid,
	"email" text NOT NULL,
	"hard" boolean NOT NULL,
	"status_code" text,
	"reason" text NOT NULL,
	"diagnostic" text,
	"kind" text NOT NULL,
	"original_message_id" text,
	"linked_by" "bounce_link" NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "raw_inbound_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"source" "inbound_source" NOT NULL,
	"incoming_server_id" uuid,
	"source_key" text NOT NULL,
	"raw" "bytea" NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"envelope_from" text,
	"envelope_to" text[] DEFAULT '{}'::text[] NOT NULL,
	"state" "inbound_state" DEFAULT 'received' NOT NULL,
	"decision" jsonb,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mailing_traces" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"mailing_id" uuid NOT NULL,
	"contact_id" uuid,
	"email" text NOT NULL,
	"status" "trace_status" DEFAULT 'pending' NOT NULL,
	"reason" text,
	"outgoing_mail_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mailings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"subject" text NOT NULL,
	"from_header" text NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"state" "mailing_state" DEFAULT 'draft' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"contact_id" uuid,
	"email" text NOT NULL,
	"outgoing_mail_id" uuid,
	"status" "notification_status" DEFAULT 'ready' NOT NULL,
	"failure_type" text,
	"failure_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outgoing_mails" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"lane" "mail_lane" NOT NULL,
	"message_id" uuid,
	"mailing_id" uuid,
	"recipient_email" text NOT NULL,
	"recipient_contact_id" uuid,
	"state" "outgoing_mail_state" DEFAULT 'ready' NOT NULL,
	"server_id" uuid,
	"from_header" text,
	"envelope_from" text,
	"verp_token" text,
	"smtp_message_id" text,
	"smtp_response" text,
	"smtp_queue_id" text,
	"failure_type" text,
	"failure_reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outgoing_mails_verpToken_unique" UNIQUE("verp_token")
);
--> statement-breakpoint
CREATE TABLE "incoming_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"protocol" "incoming_protocol" NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"security" "transport_security" NOT NULL,
	"auth_type" "incoming_auth_type" NOT NULL,
	"username" text NOT NULL,
	"password_sealed" text,
	"oauth_provider" "oauth_provider",
	"oauth_client_id" text,
	"oauth_client_secret_sealed" text,
	"oauth_refresh_token_sealed" text,
	"folder" text DEFAULT 'INBOX' NOT NULL,
	"alias_id" uuid,
	"state" "incoming_server_state" DEFAULT 'draft' NOT NULL,
	"fetch_interval_seconds" integer,
	"active" boolean DEFAULT true NOT NULL,
	"last_test" jsonb,
	"last_fetch_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mailbox_checkpoints" (
	"incoming_server_id" uuid NOT NULL,
	"folder" text NOT NULL,
	"uid_validity" text NOT NULL,
	"last_uid" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailbox_checkpoints_incoming_server_id_folder_pk" PRIMARY KEY("incoming_server_id","folder")
);
--> statement-breakpoint
CREATE TABLE "outgoing_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"security" "transport_security" NOT NULL,
	"auth_type" "smtp_auth_type" NOT NULL,
	"username" text,
	"password_sealed" text,
	"oauth_provider" "oauth_provider",
	"oauth_client_id" text,
	"oauth_client_secret_sealed" text,
	"oauth_refresh_token_sealed" text,
	"client_cert_pem" text,
	"client_key_sealed" text,
	"from_filter" text,
	"priority" integer DEFAULT 10 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"max_per_minute" integer,
	"max_connections" integer,
	"last_test" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "daily_send_counts" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"sent" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "daily_send_counts_tenant_id_day_pk" PRIMARY KEY("tenant_id","day")
);
--> statement-breakpoint
CREATE TABLE "tenant_parameters" (
	"tenant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_parameters_tenant_id_key_pk" PRIMARY KEY("tenant_id","key")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"hosting_type" "hosting_type" NOT NULL,
	"alias_domain" text NOT NULL,
	"daily_limit" integer,
	"mass_mailing_server_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_aliasDomain_unique" UNIQUE("alias_domain")
);
--> statement-breakpoint
CREATE TABLE "aliases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"model" text NOT NULL,
	"defaults" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"thread_id" uuid,
	"contact_policy" "contact_policy" DEFAULT 'everyone' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"message_id" uuid NOT NULL,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"email_normalized" text NOT NULL,
	"is_user" boolean DEFAULT false NOT NULL,
	"bounce_count" integer DEFAULT 0 NOT NULL,
	"last_bounce_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "followers" (
	"thread_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "followers_thread_id_contact_id_pk" PRIMARY KEY("thread_id","contact_id")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"thread_id" uuid NOT NULL,
	"kind" "message_kind" NOT NULL,
	"author_contact_id" uuid,
	"author_email" text,
	"author_name" text,
	"subject" text DEFAULT '' NOT NULL,
	"body_html" text DEFAULT '' NOT NULL,
	"body_text" text DEFAULT '' NOT NULL,
	"message_id" text NOT NULL,
	"in_reply_to" text,
	"references" text[] DEFAULT '{}'::text[] NOT NULL,
	"raw_inbound_id" uuid,
	"auth_results" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "threads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"model" text NOT NULL,
	"record_id" text NOT NULL,
	"subject" text DEFAULT '' NOT NULL,
	"alias_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "blacklist_entries" ADD CONSTRAINT "blacklist_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD CONSTRAINT "bounce_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD CONSTRAINT "bounce_events_raw_inbound_id_raw_inbound_messages_id_fk" FOREIGN KEY ("raw_inbound_id") REFERENCES "public"."raw_inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD CONSTRAINT "bounce_events_outgoing_mail_id_outgoing_mails_id_fk" FOREIGN KEY ("outgoing_mail_id") REFERENCES "public"."outgoing_mails"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD CONSTRAINT "bounce_events_notification_id_notifications_id_fk" FOREIGN KEY ("notification_id") REFERENCES "public"."notifications"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bounce_events" ADD CONSTRAINT "bounce_events_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_inbound_messages" ADD CONSTRAINT "raw_inbound_messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "raw_inbound_messages" ADD CONSTRAINT "raw_inbound_messages_incoming_server_id_incoming_servers_id_fk" FOREIGN KEY ("incoming_server_id") REFERENCES "public"."incoming_servers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailing_traces" ADD CONSTRAINT "mailing_traces_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailing_traces" ADD CONSTRAINT "mailing_traces_mailing_id_mailings_id_fk" FOREIGN KEY ("mailing_id") REFERENCES "public"."mailings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailing_traces" ADD CONSTRAINT "mailing_traces_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailings" ADD CONSTRAINT "mailings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_outgoing_mail_id_outgoing_mails_id_fk" FOREIGN KEY ("outgoing_mail_id") REFERENCES "public"."outgoing_mails"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_mails" ADD CONSTRAINT "outgoing_mails_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_mails" ADD CONSTRAINT "outgoing_mails_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_mails" ADD CONSTRAINT "outgoing_mails_mailing_id_mailings_id_fk" FOREIGN KEY ("mailing_id") REFERENCES "public"."mailings"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_mails" ADD CONSTRAINT "outgoing_mails_recipient_contact_id_contacts_id_fk" FOREIGN KEY ("recipient_contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_mails" ADD CONSTRAINT "outgoing_mails_server_id_outgoing_servers_id_fk" FOREIGN KEY ("server_id") REFERENCES "public"."outgoing_servers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incoming_servers" ADD CONSTRAINT "incoming_servers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incoming_servers" ADD CONSTRAINT "incoming_servers_alias_id_aliases_id_fk" FOREIGN KEY ("alias_id") REFERENCES "public"."aliases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_checkpoints" ADD CONSTRAINT "mailbox_checkpoints_incoming_server_id_incoming_servers_id_fk" FOREIGN KEY ("incoming_server_id") REFERENCES "public"."incoming_servers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outgoing_servers" ADD CONSTRAINT "outgoing_servers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_send_counts" ADD CONSTRAINT "daily_send_counts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_parameters" ADD CONSTRAINT "tenant_parameters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_mass_mailing_server_id_outgoing_servers_id_fk" FOREIGN KEY ("mass_mailing_server_id") REFERENCES "public"."outgoing_servers"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aliases" ADD CONSTRAINT "aliases_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aliases" ADD CONSTRAINT "aliases_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followers" ADD CONSTRAINT "followers_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followers" ADD CONSTRAINT "followers_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "followers" ADD CONSTRAINT "followers_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_contact_id_contacts_id_fk" FOREIGN KEY ("author_contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_raw_inbound_id_raw_inbound_messages_id_fk" FOREIGN KEY ("raw_inbound_id") REFERENCES "public"."raw_inbound_messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_alias_id_aliases_id_fk" FOREIGN KEY ("alias_id") REFERENCES "public"."aliases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "blacklist_entries_active_email" ON "blacklist_entries" USING btree ("tenant_id","email") WHERE "blacklist_entries"."active";--> statement-breakpoint
CREATE INDEX "blacklist_entries_tenant_id_email_index" ON "blacklist_entries" USING btree ("tenant_id","email");--> statement-breakpoint
CREATE UNIQUE INDEX "bounce_events_tenant_id_source_key_email_index" ON "bounce_events" USING btree ("tenant_id","source_key","email");--> statement-breakpoint
CREATE INDEX "bounce_events_tenant_id_email_occurred_at_index" ON "bounce_events" USING btree ("tenant_id","email","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "raw_inbound_messages_tenant_id_source_key_index" ON "raw_inbound_messages" USING btree ("tenant_id","source_key");--> statement-breakpoint
CREATE INDEX "raw_inbound_messages_tenant_id_state_received_at_index" ON "raw_inbound_messages" USING btree ("tenant_id","state","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "mailing_traces_mailing_id_email_index" ON "mailing_traces" USING btree ("mailing_id","email");--> statement-breakpoint
CREATE INDEX "mailing_traces_mailing_id_status_index" ON "mailing_traces" USING btree ("mailing_id","status");--> statement-breakpoint
CREATE INDEX "mailings_tenant_id_index" ON "mailings" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_message_id_email_index" ON "notifications" USING btree ("message_id","email");--> statement-breakpoint
CREATE INDEX "notifications_tenant_id_status_index" ON "notifications" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "outgoing_mails_tenant_id_state_index" ON "outgoing_mails" USING btree ("tenant_id","state");--> statement-breakpoint
CREATE INDEX "outgoing_mails_message_id_index" ON "outgoing_mails" USING btree ("message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "outgoing_mails_message_id_recipient_email_index" ON "outgoing_mails" USING btree ("message_id","recipient_email");--> statement-breakpoint
CREATE INDEX "outgoing_mails_smtp_message_id_index" ON "outgoing_mails" USING btree ("smtp_message_id");--> statement-breakpoint
CREATE INDEX "incoming_servers_tenant_id_index" ON "incoming_servers" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "outgoing_servers_tenant_id_priority_index" ON "outgoing_servers" USING btree ("tenant_id","priority");--> statement-breakpoint
CREATE INDEX "api_keys_tenant_id_index" ON "api_keys" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "aliases_tenant_id_name_index" ON "aliases" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE INDEX "attachments_message_id_index" ON "attachments" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "contacts_tenant_id_email_normalized_index" ON "contacts" USING btree ("tenant_id","email_normalized");--> statement-breakpoint
CREATE INDEX "followers_contact_id_index" ON "followers" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_tenant_id_message_id_index" ON "messages" USING btree ("tenant_id","message_id");--> statement-breakpoint
CREATE INDEX "messages_thread_id_created_at_index" ON "messages" USING btree ("thread_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "threads_tenant_id_model_record_id_index" ON "threads" USING btree ("tenant_id","model","record_id");