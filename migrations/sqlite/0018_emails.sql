-- The outbox of emails Link API sends itself (an invitation's, when asked).
-- The message holds the share link, so it is stored sealed under the
-- encryption key (`key_version`) and dropped once the email is sent or has
-- failed; what is kept is where it stands and the SMTP server's last answer.
CREATE TABLE emails (
    id              BLOB PRIMARY KEY,
    client_id       BLOB NOT NULL REFERENCES clients (id),
    company_id      BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    invitation_id   BLOB NOT NULL UNIQUE REFERENCES invitations (id) ON DELETE CASCADE,
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
CREATE INDEX emails_due ON emails (next_attempt_at) WHERE status = 'Pending';
