-- Emails the journey asked Link API to send (an invitation made with a
-- company token, not the client's API key) are counted against a daily cap
-- per company and per client.
ALTER TABLE emails ADD COLUMN by_journey BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX emails_by_journey ON emails (client_id, created_at) WHERE by_journey;
