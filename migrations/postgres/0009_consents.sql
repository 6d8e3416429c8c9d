-- The consent ledger: append-only, one chain per company (each record holds
-- the hash of the one before). The unique sequence keeps concurrent appends
-- from forking the chain.
CREATE TABLE consents (
    id               UUID PRIMARY KEY,
    client_id        UUID NOT NULL REFERENCES clients (id),
    company_id       UUID NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    sequence         BIGINT NOT NULL CHECK (sequence >= 1),
    kind             TEXT NOT NULL CHECK (kind IN ('Granted', 'Withdrawn')),
    categories       TEXT NOT NULL,
    data_types       TEXT NOT NULL,
    settings_version BIGINT NOT NULL,
    text_hash        TEXT NOT NULL,
    locale           TEXT,
    actor_name       TEXT,
    actor_email      TEXT,
    ip               TEXT,
    user_agent       TEXT,
    withdraws        UUID,
    created_at       TIMESTAMPTZ NOT NULL,
    previous_hash    TEXT NOT NULL,
    hash             TEXT NOT NULL,
    UNIQUE (company_id, sequence)
);
