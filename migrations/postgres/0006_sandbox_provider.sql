-- The built-in Sandbox OAuth provider's own records: authorization codes
-- (single use, short lived, bound to a PKCE challenge and redirect URI) and
-- grants (one per refresh token chain; revoking one makes refreshes fail).
-- Only hashes of codes and tokens are kept.
CREATE TABLE sandbox_codes (
    code_hash      TEXT PRIMARY KEY,
    grant_id       UUID NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    used_at        TIMESTAMPTZ
);

CREATE TABLE sandbox_grants (
    id                 UUID PRIMARY KEY,
    refresh_token_hash TEXT UNIQUE,
    revoked_at         TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL
);
