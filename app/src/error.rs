//! Why a use case could not do what was asked, in the application's terms;
//! `api` maps each kind to its status and `detailedErrorCode` in one table.

use domain::ports::RepoError;

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
}
