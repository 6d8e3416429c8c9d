-- The built-in Sandbox OAuth provider's own records: authorization codes
-- (single use, short lived, bound to a PKCE challenge and redirect URI) and
-- grants (one per refresh token chain; revoking one makes refreshes fail).
-- Only hashes of codes and tokens are kept.
CREATE TABLE sandbox_codes (
    code_hash      TEXT PRIMARY KEY,
    grant_id       BLOB NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT
);

CREATE TABLE sandbox_grants (
    id                 BLOB PRIMARY KEY,
    refresh_token_hash TEXT UNIQUE,
    revoked_at         TEXT,
    created_at         TEXT NOT NULL
);
