-- A client's verifier for an integration's credentials: the URL Link API
-- calls with credentials a customer typed, before it links them, and the
-- secret that signs those calls (encrypted).
ALTER TABLE integration_settings ADD COLUMN verifier_url TEXT;
ALTER TABLE integration_settings ADD COLUMN verifier_secret BYTEA;
ALTER TABLE integration_settings ADD COLUMN verifier_secret_key_version INTEGER;
ALTER TABLE integration_settings ADD CONSTRAINT integration_settings_verifier_whole
    CHECK ((verifier_url IS NULL) = (verifier_secret IS NULL) AND (verifier_secret IS NULL) = (verifier_secret_key_version IS NULL));
