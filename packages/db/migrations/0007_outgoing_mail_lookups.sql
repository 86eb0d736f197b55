CREATE INDEX "bounce_events_outgoing_mail_id_index" ON "bounce_events" USING btree ("outgoing_mail_id");--> statement-breakpoint
CREATE INDEX "mailing_traces_outgoing_mail_id_index" ON "mailing_traces" USING btree ("outgoing_mail_id");--> statement-breakpoint
CREATE INDEX "notifications_outgoing_mail_id_index" ON "notifications" USING btree ("outgoing_mail_id");