-- Every version of each client's link settings; versions are never changed
-- once written, so consents can always show what they were given against.
CREATE TABLE link_settings (
    client_id  BLOB NOT NULL REFERENCES clients (id),
    version    INTEGER NOT NULL CHECK (version >= 1),
    document   TEXT NOT NULL CHECK (json_valid(document)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (client_id, version)
);
