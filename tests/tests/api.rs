//! Black-box tests of the HTTP API, each on SQLite and on PostgreSQL.

#![expect(
    clippy::unwrap_used,
    reason = "a test stops at the first unexpected value"
)]

mod api {
    pub mod api_keys;
    pub mod auth;
    pub mod authorization;
    pub mod companies;
    pub mod company_list;
    pub mod company_tokens;
    pub mod connections;
    pub mod consents;
    pub mod cors;
    pub mod emails;
    pub mod embedded;
    pub mod error_codes;
    pub mod errors;
    pub mod export;
    pub mod hosted;
    pub mod idempotency;
    pub mod integrations;
    pub mod invitations;
    pub mod isolation;
    pub mod journey;
    pub mod key_rotation;
    pub mod limits;
    pub mod link_settings;
    pub mod oauth_journey;
    pub mod oauth_providers;
    pub mod outage;
    pub mod pool;
    pub mod rate_limits;
    pub mod reminder_emails;
    pub mod reminders;
    pub mod secrets;
    pub mod security;
    pub mod startup;
    pub mod token_sources;
    pub mod webhooks;
    pub mod withdrawal;
}
