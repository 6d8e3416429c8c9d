-- A client's verifier for an integration's credentials: the URL Link API
-- calls with credentials a customer typed, before it links them, and the
-- secret that signs those calls (encrypted).
ALTER TABLE integration_settings ADD COLUMN verifier_url TEXT;
ALTER TABLE integration_settings ADD COLUMN verifier_secret BLOB;
ALTER TABLE integration_settings ADD COLUMN verifier_secret_key_version INTEGER;
