-- The contacts whose address bounced, for the reset a person's reply makes (R10.2): the reset of each
-- stored reply reads this small index instead of every contact of the database with the address (in
-- a batch's statement the planner otherwise scanned the contacts table). As in 0009: on a large
-- database create it first with CREATE INDEX CONCURRENTLY under the same name, and this does nothing.
CREATE INDEX IF NOT EXISTS "contacts_bounced_idx" ON "contacts" USING btree ("tenant_id","email_normalized") WHERE "contacts"."bounce_count" > 0;
