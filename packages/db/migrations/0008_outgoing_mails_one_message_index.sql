-- The unique (message_id, recipient_email) index serves every lookup by message_id alone too: this
-- one only made each stored message's notifications write one more index entry per recipient.
DROP INDEX IF EXISTS "outgoing_mails_message_id_index";