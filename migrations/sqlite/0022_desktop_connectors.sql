-- Where a client's customers download the connector of a desktop platform.
ALTER TABLE integration_settings ADD COLUMN connector_url TEXT;
