-- Each client's choices about catalogue integrations: whether its customers
-- may use one, and its own OAuth client credentials (the secret encrypted).
CREATE TABLE integration_settings (
    client_id                 UUID NOT NULL REFERENCES clients (id),
    platform_key              TEXT NOT NULL CHECK (length(platform_key) = 4),
    enabled                   BOOLEAN NOT NULL,
    oauth_client_id           TEXT,
    oauth_client_secret       BYTEA,
    oauth_secret_key_version  INTEGER,
    updated_at                TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (client_id, platform_key),
    CHECK ((oauth_client_secret IS NULL) = (oauth_secret_key_version IS NULL))
);
