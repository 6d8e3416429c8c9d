//! Why a store could not do what was asked.

use thiserror::Error;

/// Why a store could not do what was asked.
#[derive(Debug, Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    #[error("limit reached: {0}")]
    LimitReached(&'static str),
    /// A uniqueness rule or a compare-and-set refused the write; nothing changed.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("store failure: {0}")]
    Failure(String),
    /// The connection would become `Linked` but no active consent covers its category.
    #[error("no active consent covers {0}")]
    ConsentMissing(&'static str),
}
