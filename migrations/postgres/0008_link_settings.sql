-- Every version of each client's link settings; versions are never changed
-- once written, so consents can always show what they were given against.
CREATE TABLE link_settings (
    client_id  UUID NOT NULL REFERENCES clients (id),
    version    BIGINT NOT NULL CHECK (version >= 1),
    document   TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, version)
);
