-- Reminders Link API emails itself. A company may have an address its
-- reminders go to (set by the client or the customer); the outbox holds
-- reminder emails beside invitation ones, so an email no longer always
-- carries an invitation; each reminder row names the email that carried it.
-- SQLite cannot drop a NOT NULL in place, so the outbox is rebuilt (nothing
-- refers to it yet).
ALTER TABLE companies ADD COLUMN reminder_email TEXT;

CREATE TABLE emails_any (
    id              BLOB PRIMARY KEY,
    client_id       BLOB NOT NULL REFERENCES clients (id),
    company_id      BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    invitation_id   BLOB UNIQUE REFERENCES invitations (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    message         BLOB,
    key_version     INTEGER,
    status          TEXT NOT NULL CHECK (status IN ('Pending', 'Sent', 'Failed')),
    attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TEXT,
    lease_until     TEXT,
    last_answer     TEXT,
    sent_at         TEXT,
    created_at      TEXT NOT NULL
);
INSERT INTO emails_any SELECT id, client_id, company_id, invitation_id, recipient, message, key_version,
    status, attempts, next_attempt_at, lease_until, last_answer, sent_at, created_at FROM emails;
DROP TABLE emails;
ALTER TABLE emails_any RENAME TO emails;
CREATE INDEX emails_due ON emails (next_attempt_at) WHERE status = 'Pending';

ALTER TABLE reminders ADD COLUMN email_id BLOB REFERENCES emails (id) ON DELETE SET NULL;
