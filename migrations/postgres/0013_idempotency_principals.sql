-- A stored response belongs to whoever could have made the request: the
-- client's API keys share the principal 'client', and each company token is
-- a principal of its own ('token:<id>'), so a replay never hands one caller
-- an answer it was not allowed to get. Responses kept so far stay the client's.
ALTER TABLE idempotency_keys ADD COLUMN principal TEXT NOT NULL DEFAULT 'client';
ALTER TABLE idempotency_keys ALTER COLUMN principal DROP DEFAULT;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (client_id, principal, key);
