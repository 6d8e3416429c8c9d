-- Invitations hand a company's journey, limited to some categories, to
-- someone else. The token is signed and names the invitation by id, so only
-- the invitation's facts are stored, never the token.
CREATE TABLE invitations (
    id              UUID PRIMARY KEY,
    client_id       UUID NOT NULL REFERENCES clients (id),
    company_id      UUID NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    categories      TEXT NOT NULL,
    recipient_name  TEXT,
    recipient_email TEXT,
    message         TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    opened_at       TIMESTAMPTZ,
    completed_at    TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ
);

CREATE INDEX invitations_by_company ON invitations (company_id, created_at);
