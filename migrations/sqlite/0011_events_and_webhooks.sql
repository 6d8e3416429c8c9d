-- The event outbox: each row is written in the transaction of the change
-- that caused it. company_id has no foreign key: a company's events outlive it.
CREATE TABLE events (
    id           BLOB PRIMARY KEY,
    client_id    BLOB NOT NULL REFERENCES clients (id),
    company_id   BLOB,
    event_type   TEXT NOT NULL,
    generated_at TEXT NOT NULL,
    -- The company's tags as a JSON array of `key:value`, for consumers' filters.
    company_tags TEXT NOT NULL CHECK (json_valid(company_tags)),
    payload      TEXT NOT NULL,
    -- Whether the dispatcher has made this event's deliveries.
    fanned_out   INTEGER NOT NULL DEFAULT 0 CHECK (fanned_out IN (0, 1))
);

CREATE INDEX events_by_client ON events (client_id, generated_at, id);
CREATE INDEX events_to_fan_out ON events (generated_at) WHERE NOT fanned_out;

-- Webhook consumers. Signing secrets are encrypted; a rotated-out secret
-- keeps signing until previous_until.
CREATE TABLE webhooks (
    id                   BLOB PRIMARY KEY,
    client_id            BLOB NOT NULL REFERENCES clients (id),
    url                  TEXT NOT NULL,
    disabled             INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    event_types          TEXT NOT NULL CHECK (json_valid(event_types)),
    company_tags         TEXT NOT NULL CHECK (json_valid(company_tags)),
    secret_key_version   INTEGER NOT NULL,
    secret               BLOB NOT NULL,
    previous_key_version INTEGER,
    previous_secret      BLOB,
    previous_until       TEXT,
    created_at           TEXT NOT NULL
);

CREATE INDEX webhooks_by_client ON webhooks (client_id, created_at);

-- One event to one consumer, until it is delivered or given up.
CREATE TABLE deliveries (
    id              BLOB PRIMARY KEY,
    client_id       BLOB NOT NULL REFERENCES clients (id),
    event_id        BLOB NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    webhook_id      BLOB NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('Pending', 'Delivered', 'Failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    created_at      TEXT NOT NULL
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, created_at);

-- Every attempt, for the delivery log.
CREATE TABLE delivery_attempts (
    id           BLOB PRIMARY KEY,
    delivery_id  BLOB NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at TEXT NOT NULL,
    status_code  INTEGER,
    latency_ms   INTEGER NOT NULL,
    error        TEXT
);

CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, attempted_at);
