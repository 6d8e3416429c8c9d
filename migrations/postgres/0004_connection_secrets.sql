-- Encrypted credentials and tokens of connections (AES-256-GCM; the key
-- version is kept beside each ciphertext). Destroyed with the connection,
-- and when it is deauthorized.
CREATE TABLE connection_secrets (
    connection_id     UUID PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('Credentials', 'OAuthTokens')),
    key_version       BIGINT NOT NULL,
    ciphertext        BYTEA NOT NULL,
    access_expires_at TIMESTAMPTZ,
    -- Set while one instance refreshes the tokens, so replicas do not refresh twice.
    refresh_lease_until TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX connection_secrets_by_expiry ON connection_secrets (access_expires_at)
    WHERE access_expires_at IS NOT NULL;
