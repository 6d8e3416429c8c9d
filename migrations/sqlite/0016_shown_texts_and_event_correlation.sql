-- The consent texts a journey showed in place of its link settings' (an
-- embedded component's options), as JSON by category; NULL when it showed
-- the settings' own. And the correlation id of the API call that caused an
-- event, so an application can match what its journey saw with the webhook.
ALTER TABLE consents ADD COLUMN shown_texts TEXT;
ALTER TABLE events ADD COLUMN correlation_id TEXT;
