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
pub mod dto;
pub mod error;
pub mod extract;
pub mod oauth;
pub mod openapi;
pub mod refresher;
pub mod routes;
pub mod sandbox;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod transitions;
