-- Clients (tenants), their API keys, and companies.

-- One row once the first client has been created, so that two instances
-- starting together on an empty store create exactly one.
CREATE TABLE bootstrap (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    done_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE clients (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    api_key_count INTEGER NOT NULL DEFAULT 0 CHECK (api_key_count >= 0),
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id         UUID PRIMARY KEY,
    client_id  UUID NOT NULL REFERENCES clients (id),
    name       TEXT,
    key_hash   TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_keys_by_client ON api_keys (client_id, created_at, id);

CREATE TABLE companies (
    id          UUID PRIMARY KEY,
    client_id   UUID NOT NULL REFERENCES clients (id),
    name        TEXT NOT NULL,
    description TEXT,
    tags        JSONB NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(tags) = 'object'),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX companies_by_created ON companies (client_id, created_at, id);
CREATE INDEX companies_by_name ON companies (client_id, name, id);
-- Equality filters on tags (`tags=region=uk`) use containment, which this index serves.
CREATE INDEX companies_tags ON companies USING GIN (tags jsonb_path_ops);
