-- Signed journey links: one-time, expiring, revocable addresses of a
-- company's hosted journey. Only the hash of a link's token is kept.
CREATE TABLE journey_links (
    id         UUID PRIMARY KEY,
    client_id  UUID NOT NULL REFERENCES clients (id),
    company_id UUID NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);

CREATE INDEX journey_links_by_company ON journey_links (company_id);
