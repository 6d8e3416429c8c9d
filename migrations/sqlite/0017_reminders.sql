-- Reminders of journeys not completed. Per company: whether they are on
-- (the client or the customer may turn them off), how many went out, and
-- when the housekeeping task looks at it next (NULL: never, until something
-- changes). Each reminder sent is a row, once per company and number, so two
-- replicas never send one twice. An invitation remembers when its coming
-- expiry was announced.
ALTER TABLE companies ADD COLUMN reminders_enabled INTEGER NOT NULL DEFAULT 1 CHECK (reminders_enabled IN (0, 1));
ALTER TABLE companies ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0 CHECK (reminders_sent >= 0);
ALTER TABLE companies ADD COLUMN next_reminder_at TEXT;
UPDATE companies SET next_reminder_at = created_at;
CREATE INDEX companies_by_next_reminder ON companies (next_reminder_at) WHERE next_reminder_at IS NOT NULL;

CREATE TABLE reminders (
    company_id BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL CHECK (number >= 1),
    sent_at    TEXT NOT NULL,
    event_id   BLOB NOT NULL,
    PRIMARY KEY (company_id, number)
);

ALTER TABLE invitations ADD COLUMN expiry_announced_at TEXT;
CREATE INDEX invitations_by_expiry ON invitations (expires_at)
    WHERE expiry_announced_at IS NULL AND revoked_at IS NULL AND completed_at IS NULL;
