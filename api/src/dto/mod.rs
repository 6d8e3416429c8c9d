//! Wire types: what goes over HTTP, in camelCase, with OpenAPI schemas.

pub mod api_key;
pub mod company;
pub mod connection;
pub mod email;
pub mod error;
pub mod integration;
pub mod link_settings;
pub mod paging;
pub mod profile;
pub mod reminders;
