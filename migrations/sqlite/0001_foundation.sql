-- Clients (tenants), their API keys, and companies.
-- Ids are UUIDs stored as 16-byte blobs; times are RFC 3339 text in UTC.

-- One row once the first client has been created, so that two instances
-- starting together on an empty store create exactly one.
CREATE TABLE bootstrap (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    done_at TEXT NOT NULL
);

CREATE TABLE clients (
    id            BLOB PRIMARY KEY,
    name          TEXT NOT NULL,
    api_key_count INTEGER NOT NULL DEFAULT 0 CHECK (api_key_count >= 0),
    created_at    TEXT NOT NULL
);

CREATE TABLE api_keys (
    id         BLOB PRIMARY KEY,
    client_id  BLOB NOT NULL REFERENCES clients (id),
    name       TEXT,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX api_keys_by_client ON api_keys (client_id, created_at, id);

CREATE TABLE companies (
    id          BLOB PRIMARY KEY,
    client_id   BLOB NOT NULL REFERENCES clients (id),
    name        TEXT NOT NULL,
    description TEXT,
    tags        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(tags)),
    created_at  TEXT NOT NULL
);
CREATE INDEX companies_by_created ON companies (client_id, created_at, id);
CREATE INDEX companies_by_name ON companies (client_id, name, id);
