-- Each client's profile: its name, images, where customers return to after
-- a journey (a template with placeholders), and the origins allowed there.
CREATE TABLE profiles (
    client_id      UUID PRIMARY KEY REFERENCES clients (id),
    name           TEXT NOT NULL,
    redirect_url   TEXT NOT NULL,
    logo_url       TEXT,
    icon_url       TEXT,
    whitelist_urls JSONB NOT NULL DEFAULT '[]'::jsonb,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- OAuth authorization attempts: single use, short lived. Only a hash of
-- the state is kept; the PKCE verifier is encrypted.
CREATE TABLE oauth_states (
    state_hash          TEXT PRIMARY KEY,
    client_id           UUID NOT NULL REFERENCES clients (id),
    company_id          UUID NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    connection_id       UUID NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    verifier_key_version INTEGER NOT NULL,
    verifier            BYTEA NOT NULL,
    redirect_params     JSONB NOT NULL DEFAULT '{}'::jsonb,
    expires_at          TIMESTAMPTZ NOT NULL,
    used_at             TIMESTAMPTZ
);
CREATE INDEX oauth_states_by_expiry ON oauth_states (expires_at);
