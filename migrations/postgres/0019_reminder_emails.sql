-- Reminders Link API emails itself. A company may have an address its
-- reminders go to (set by the client or the customer); the outbox holds
-- reminder emails beside invitation ones, so an email no longer always
-- carries an invitation; each reminder row names the email that carried it.
ALTER TABLE companies ADD COLUMN reminder_email TEXT;
ALTER TABLE emails ALTER COLUMN invitation_id DROP NOT NULL;
ALTER TABLE reminders ADD COLUMN email_id UUID REFERENCES emails (id) ON DELETE SET NULL;
