//! Wire types: what goes over HTTP, in camelCase, with OpenAPI schemas.

pub mod api_key;
pub mod company;
pub mod connection;
pub mod consent;
pub mod email;
pub mod error;
pub mod integration;
pub mod invitation;
pub mod link_settings;
pub mod paging;
pub mod profile;
pub mod reminders;
