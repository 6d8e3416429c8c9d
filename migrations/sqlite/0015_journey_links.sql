-- Signed journey links: one-time, expiring, revocable addresses of a
-- company's hosted journey. Only the hash of a link's token is kept.
CREATE TABLE journey_links (
    id         BLOB PRIMARY KEY,
    client_id  BLOB NOT NULL REFERENCES clients (id),
    company_id BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked_at TEXT
);

CREATE INDEX journey_links_by_company ON journey_links (company_id);
