-- Idempotency keys: the first response to a request sent with a key, replayed
-- for repeats of the same request within 24 hours. A NULL status_code means
-- the first request is still being handled.
CREATE TABLE idempotency_keys (
    client_id    UUID NOT NULL REFERENCES clients (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code  BIGINT,
    content_type TEXT,
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, key)
);

CREATE INDEX idempotency_keys_by_expiry ON idempotency_keys (expires_at);
