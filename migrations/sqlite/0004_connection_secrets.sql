-- Encrypted credentials and tokens of connections (AES-256-GCM; the key
-- version is kept beside each ciphertext). Destroyed with the connection,
-- and when it is deauthorized.
CREATE TABLE connection_secrets (
    connection_id     BLOB PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('Credentials', 'OAuthTokens')),
    key_version       INTEGER NOT NULL,
    ciphertext        BLOB NOT NULL,
    access_expires_at TEXT,
    -- Set while one instance refreshes the tokens, so replicas do not refresh twice.
    refresh_lease_until TEXT,
    updated_at        TEXT NOT NULL
);
CREATE INDEX connection_secrets_by_expiry ON connection_secrets (access_expires_at)
    WHERE access_expires_at IS NOT NULL;
