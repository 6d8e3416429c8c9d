-- The event outbox: each row is written in the transaction of the change
-- that caused it. company_id has no foreign key: a company's events outlive it.
CREATE TABLE events (
    id           UUID PRIMARY KEY,
    client_id    UUID NOT NULL REFERENCES clients (id),
    company_id   UUID,
    event_type   TEXT NOT NULL,
    generated_at TIMESTAMPTZ NOT NULL,
    -- The company's tags as a JSON array of `key:value`, for consumers' filters.
    company_tags JSONB NOT NULL,
    payload      TEXT NOT NULL,
    -- Whether the dispatcher has made this event's deliveries.
    fanned_out   BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX events_by_client ON events (client_id, generated_at, id);
CREATE INDEX events_to_fan_out ON events (generated_at) WHERE NOT fanned_out;

-- Webhook consumers. Signing secrets are encrypted; a rotated-out secret
-- keeps signing until previous_until.
CREATE TABLE webhooks (
    id                   UUID PRIMARY KEY,
    client_id            UUID NOT NULL REFERENCES clients (id),
    url                  TEXT NOT NULL,
    disabled             BOOLEAN NOT NULL,
    event_types          JSONB NOT NULL,
    company_tags         JSONB NOT NULL,
    secret_key_version   BIGINT NOT NULL,
    secret               BYTEA NOT NULL,
    previous_key_version BIGINT,
    previous_secret      BYTEA,
    previous_until       TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL
);

CREATE INDEX webhooks_by_client ON webhooks (client_id, created_at);

-- One event to one consumer, until it is delivered or given up.
CREATE TABLE deliveries (
    id              UUID PRIMARY KEY,
    client_id       UUID NOT NULL REFERENCES clients (id),
    event_id        UUID NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    webhook_id      UUID NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('Pending', 'Delivered', 'Failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'Pending';
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, created_at);

-- Every attempt, for the delivery log.
CREATE TABLE delivery_attempts (
    id           UUID PRIMARY KEY,
    delivery_id  UUID NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMPTZ NOT NULL,
    status_code  BIGINT,
    latency_ms   BIGINT NOT NULL,
    error        TEXT
);

CREATE INDEX delivery_attempts_by_delivery ON delivery_attempts (delivery_id, attempted_at);
