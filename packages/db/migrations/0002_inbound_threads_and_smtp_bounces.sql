ALTER TYPE "public"."bounce_link" ADD VALUE 'smtp' BEFORE 'verp';--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "created_by_alias_id" uuid;--> statement-breakpoint
ALTER TABLE "threads" ADD COLUMN "created_by_email" text;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_created_by_alias_id_aliases_id_fk" FOREIGN KEY ("created_by_alias_id") REFERENCES "public"."aliases"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "threads_created_by_alias_id_created_by_email_created_at_index" ON "threads" USING btree ("created_by_alias_id","created_by_email","created_at");