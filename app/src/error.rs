//! Why a use case could not do what was asked, in the application's terms;
//! `api` maps each kind to its status and `detailedErrorCode` in one table.

use domain::ids::{CompanyId, ConnectionId};
use domain::link_settings::CategorySet;
use domain::ports::RepoError;
use uuid::Uuid;

use crate::secrets::CryptoError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// What was asked is not valid: every wrong field, named.
    #[error("the request is not valid")]
    Invalid(domain::ValidationErrors),
    /// The journey asked for what only the client's back end may do; the reason says what.
    #[error("{0}")]
    NotAllowed(&'static str),
    /// The client disabled this integration for its customers.
    #[error("{name} is disabled")]
    IntegrationDisabled { name: String, key: String },
    /// A customer may not import an OAuth platform's tokens (the named platform).
    #[error("{0} tokens are imported with an API key")]
    OAuthImportRequiresApiKey(String),
    /// A customer is never asked for an import-only platform's credential.
    #[error("{0} credentials are imported with an API key")]
    CredentialsImportRequiresApiKey(String),
    /// The client's verifier refused the typed credentials, with its message for the customer.
    #[error("{0}")]
    CredentialsRefused(String),
    /// The client's verifier of the named platform gave no usable answer.
    #[error("the {0} verifier gave no usable answer")]
    VerifierUnavailable(String),
    /// A journey cannot connect the named platform now; `remedy` says what would let it.
    #[error("{name} cannot be connected from a journey: {remedy}")]
    NotReady { name: String, remedy: String },
    /// The company already has an active accounting connection.
    #[error("the company already has an active accounting connection")]
    AccountingConnectionExists,
    /// The store refused or failed.
    #[error(transparent)]
    Store(RepoError),
    /// Linking needs an active consent to this category, and the company has none.
    #[error("no active consent covers {0}")]
    ConsentMissing(&'static str),
    /// A stored secret could not be sealed or opened (a missing key, a damaged ciphertext).
    #[error("a stored secret: {0}")]
    Secret(#[from] CryptoError),
    /// A stored document the service wrote itself could not be read back.
    #[error("{0}")]
    Internal(String),
    /// The client has no such company.
    #[error("company {0} not found")]
    CompanyNotFound(CompanyId),
    /// The company has no such connection.
    #[error("connection {0} not found")]
    ConnectionNotFound(ConnectionId),
    /// The change may only happen to a connection still waiting for authorization.
    #[error("the connection is no longer waiting for authorization")]
    NotPending,
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
    /// A provider answered with a state the service never issued.
    #[error("this authorization is not known")]
    AuthorizationUnknown,
    /// Other writers changed what this one read (the `0` named: a
    /// connection, a ledger), past every retry there was.
    #[error("the {0} changed concurrently")]
    ConcurrentChange(&'static str),
}

/// Refuses a caller limited to the `covered` categories (an invitation's
/// token) that acts on data of `category` (`None`: a platform of no
/// category); a caller without a limit may act on any.
pub fn check_covered(covered: Option<CategorySet>, category: Option<&str>) -> Result<(), AppError> {
    match covered {
        Some(set) if !category.is_some_and(|c| set.contains(c)) => {
            Err(AppError::OutsideInvitation {
                covered: set.names(),
                asked: category.unwrap_or("other").to_owned(),
            })
        }
        _ => Ok(()),
    }
}

impl From<RepoError> for AppError {
    fn from(error: RepoError) -> Self {
        match error {
            RepoError::ConsentMissing(category) => Self::ConsentMissing(category),
            other => Self::Store(other),
        }
    }
}
