-- Invitations hand a company's journey, limited to some categories, to
-- someone else. The token is signed and names the invitation by id, so only
-- the invitation's facts are stored, never the token.
CREATE TABLE invitations (
    id              BLOB PRIMARY KEY,
    client_id       BLOB NOT NULL REFERENCES clients (id),
    company_id      BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    categories      TEXT NOT NULL,
    recipient_name  TEXT,
    recipient_email TEXT,
    message         TEXT,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    opened_at       TEXT,
    completed_at    TEXT,
    revoked_at      TEXT
);

CREATE INDEX invitations_by_company ON invitations (company_id, created_at);
