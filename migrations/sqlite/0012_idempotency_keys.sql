-- Idempotency keys: the first response to a request sent with a key, replayed
-- for repeats of the same request within 24 hours. A NULL status_code means
-- the first request is still being handled.
CREATE TABLE idempotency_keys (
    client_id    BLOB NOT NULL REFERENCES clients (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  INTEGER,
    content_type TEXT,
    body         BLOB,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (client_id, key)
);

CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
