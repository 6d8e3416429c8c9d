-- Origins allowed to call the API from a browser with a company token, per client.
CREATE TABLE cors_origins (
    client_id BLOB NOT NULL REFERENCES clients (id),
    origin    TEXT NOT NULL,
    PRIMARY KEY (client_id, origin)
);
-- Preflight requests carry no credentials: they are answered by origin alone.
CREATE INDEX cors_origins_by_origin ON cors_origins (origin);
