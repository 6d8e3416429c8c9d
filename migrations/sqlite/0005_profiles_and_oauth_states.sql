-- Each client's profile: its name, images, where customers return to after
-- a journey (a template with placeholders), and the origins allowed there.
CREATE TABLE profiles (
    client_id      BLOB PRIMARY KEY REFERENCES clients (id),
    name           TEXT NOT NULL,
    redirect_url   TEXT NOT NULL,
    logo_url       TEXT,
    icon_url       TEXT,
    whitelist_urls TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(whitelist_urls)),
    updated_at     TEXT NOT NULL
);

-- OAuth authorization attempts: single use, short lived. Only a hash of
-- the state is kept; the PKCE verifier is encrypted.
CREATE TABLE oauth_states (
    state_hash          TEXT PRIMARY KEY,
    client_id           BLOB NOT NULL REFERENCES clients (id),
    company_id          BLOB NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    connection_id       BLOB NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    verifier_key_version INTEGER NOT NULL,
    verifier            BLOB NOT NULL,
    redirect_params     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(redirect_params)),
    expires_at          TEXT NOT NULL,
    used_at             TEXT
);
CREATE INDEX oauth_states_by_expiry ON oauth_states (expires_at);
