//! The rules of Link API, free of HTTP, SQL and any runtime.
//!
//! Everything here is pure: value types that refuse invalid input, the query
//! language, paging rules, and the repository traits (ports) that the
//! persistence adapters implement.

pub mod api_key;
pub mod authorization;
pub mod company;
pub mod company_query;
pub mod connection;
pub mod connection_query;
pub mod consent;
pub mod customer_pages;
pub mod email;
pub mod ids;
pub mod integration;
pub mod invitation;
pub mod journey;
pub mod journey_link;
pub mod link_settings;
pub mod locale;
pub mod paging;
pub mod ports;
pub mod profile;
pub mod query;
pub mod reminder;
pub mod secrets;
pub mod validation;
pub mod webhook;

pub use ids::{ApiKeyId, ClientId, CompanyId, ConnectionId};
pub use validation::{FieldError, ValidationErrors};
