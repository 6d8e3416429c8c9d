//! Why a use case could not do what was asked, in the application's terms;
//! `api` maps each kind to its status and `detailedErrorCode` in one table.

use domain::ids::CompanyId;
use domain::ports::RepoError;
use uuid::Uuid;

use crate::secrets::CryptoError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] RepoError),
    /// A stored secret could not be sealed or opened (a missing key, a damaged ciphertext).
    #[error("a stored secret: {0}")]
    Secret(#[from] CryptoError),
    /// A stored document the service wrote itself could not be read back.
    #[error("{0}")]
    Internal(String),
    /// The client has no such company.
    #[error("company {0} not found")]
    CompanyNotFound(CompanyId),
    /// The company's ledger has no such consent.
    #[error("consent {0} not found")]
    ConsentNotFound(Uuid),
    /// What was asked cannot happen in the state things are in; the reason says why.
    #[error("{0}")]
    Refused(String),
    /// The caller is limited to the `covered` categories (an invitation's token) and asked for another.
    #[error("outside the invitation's categories: {asked}")]
    OutsideInvitation {
        covered: Vec<&'static str>,
        asked: String,
    },
    /// Other writers kept changing what this one read, past every retry.
    #[error("concurrent changes")]
    ConcurrentChange,
}
