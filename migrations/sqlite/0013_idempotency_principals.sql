-- A stored response belongs to whoever could have made the request: the
-- client's API keys share the principal 'client', and each company token is
-- a principal of its own ('token:<id>'), so a replay never hands one caller
-- an answer it was not allowed to get. SQLite cannot change a primary key in
-- place, so the table is rebuilt; responses kept so far were made with API
-- keys or company tokens of the same client and stay the client's.
CREATE TABLE idempotency_keys_by_principal (
    client_id    BLOB NOT NULL REFERENCES clients (id),
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER,
    content_type TEXT,
    body         BLOB,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (client_id, principal, key)
);

INSERT INTO idempotency_keys_by_principal
    (client_id, principal, key, request_hash, status_code, content_type, body, created_at, expires_at)
SELECT client_id, 'client', key, request_hash, status_code, content_type, body, created_at, expires_at
FROM idempotency_keys;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_by_principal RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
