-- Connections, their errors, and the history of every transition.
CREATE TABLE connections (
    id           UUID PRIMARY KEY,
    client_id    UUID NOT NULL REFERENCES clients (id),
    company_id   UUID NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    platform_key TEXT NOT NULL CHECK (length(platform_key) = 4),
    source_type  TEXT NOT NULL CHECK (source_type IN ('Accounting', 'Banking', 'BankFeed', 'Commerce', 'Expense', 'Other', 'Unknown')),
    status       TEXT NOT NULL CHECK (status IN ('PendingAuth', 'Linked', 'Unlinked', 'Deauthorized')),
    version      BIGINT NOT NULL CHECK (version >= 1),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX connections_by_company ON connections (company_id, created_at, id);
-- At most one active (PendingAuth or Linked) accounting connection per company.
CREATE UNIQUE INDEX connections_one_active_accounting ON connections (company_id)
    WHERE source_type = 'Accounting' AND status IN ('PendingAuth', 'Linked');

CREATE TABLE connection_errors (
    id            UUID PRIMARY KEY,
    connection_id UUID NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    status_code   TEXT NOT NULL,
    status_text   TEXT NOT NULL,
    error_message TEXT NOT NULL,
    errored_at    TIMESTAMPTZ NOT NULL,
    resolved_at   TIMESTAMPTZ
);
CREATE INDEX connection_errors_by_connection ON connection_errors (connection_id, errored_at);

-- Outlives the connection (deletion is recorded too), not the company.
CREATE TABLE connection_history (
    id            UUID PRIMARY KEY,
    connection_id UUID NOT NULL,
    company_id    UUID NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    client_id     UUID NOT NULL REFERENCES clients (id),
    from_status   TEXT CHECK (from_status IN ('PendingAuth', 'Linked', 'Unlinked', 'Deauthorized')),
    to_status     TEXT CHECK (to_status IN ('PendingAuth', 'Linked', 'Unlinked', 'Deauthorized')),
    cause         TEXT NOT NULL,
    actor         TEXT NOT NULL,
    occurred_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX connection_history_by_connection ON connection_history (connection_id, occurred_at, id);
CREATE INDEX connection_history_by_company ON connection_history (company_id);
