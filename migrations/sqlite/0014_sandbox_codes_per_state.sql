-- The Sandbox issues at most one code per authorization request: each code
-- names the hash of the OAuth state it was issued for. Codes issued before
-- this have none (NULL never conflicts).
ALTER TABLE sandbox_codes ADD COLUMN state_hash TEXT;
CREATE UNIQUE INDEX sandbox_codes_by_state ON sandbox_codes (state_hash);
CREATE INDEX sandbox_codes_by_expiry ON sandbox_codes (expires_at);
