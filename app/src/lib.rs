//! Link API's application layer, between the HTTP service (`api`) and the
//! rules (`domain`): what the service does, as plain functions with typed
//! inputs and outcomes, and the outbound ports they need. It knows no HTTP,
//! SQL or OpenAPI (`make lint` holds it to that); `api` calls it and renders
//! its outcomes, `persistence` implements the store it reads and writes.

pub mod authorization;
pub mod clients;
pub mod clock;
pub mod connections;
pub mod consents;
pub mod email_text;
pub mod emails;
pub mod error;
pub mod handoff;
pub mod integrations;
pub mod invitations;
pub mod journey_links;
pub mod keys;
pub mod oauth;
pub mod ports;
pub mod refresher;
pub mod reminder_emails;
pub mod reminders;
pub mod revocation;
pub mod sandbox;
pub mod secrets;
pub mod web_origin;
pub mod webhooks;
pub mod workers;

pub use error::AppError;

/// Tells background work to stop at its next safe point (`true` once the server stops).
pub type Stop = tokio::sync::watch::Receiver<bool>;
