//! Link API: the HTTP service, its command line and its wiring.

pub mod admin;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod company_token;
pub mod config;
pub mod correlation;
pub mod cors;
pub mod crypto;
pub mod dispatcher;
pub mod dto;
pub mod error;
pub mod events;
pub mod extract;
pub mod idempotency;
pub mod limits;
pub mod oauth;
pub mod openapi;
pub mod rate_limit;
pub mod refresher;
pub mod routes;
pub mod sandbox;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod transitions;
