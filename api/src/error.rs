//! The one error type of the HTTP layer and the one error body of the API.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use domain::ports::RepoError;
use domain::query::QueryError;
use domain::{FieldError, ValidationErrors};

use crate::correlation;
use crate::dto::error::{ErrorMessage, ErrorValidation, ErrorValidationItem};
pub use crate::error_code::ErrorCode;

/// The name this service gives itself in error bodies.
pub const SERVICE_NAME: &str = "LinkApi";

/// Everything a request can fail with; each carries, or implies, one [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A refusal of a known kind, with what to tell the caller.
    #[error("{1}")]
    Refused(ErrorCode, String),
    #[error("{0}")]
    Validation(ValidationErrors),
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A 401; the reason is logged, not told.
    #[error("Unauthorized")]
    Unauthorized(ErrorCode, &'static str),
    #[error("{0}")]
    MethodNotAllowed(String, Vec<String>),
    /// A limit is used up: retry after so many seconds; the message names it.
    #[error("{2}")]
    RateLimited(ErrorCode, u64, String),
    #[error("The store is temporarily unavailable. Please try again shortly.")]
    Unavailable(String),
    #[error("There is a problem with the server. Please try again later.")]
    Internal(String),
    /// An error raised by the framework, known only by its status.
    #[error("{}", status_message(*.0))]
    Status(StatusCode),
}

fn status_message(status: StatusCode) -> String {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "The request body is too large.".into(),
        status if status.is_server_error() => {
            "There is a problem with the server. Please try again later.".into()
        }
        status => status
            .canonical_reason()
            .unwrap_or("The request could not be handled.")
            .into(),
    }
}

impl ApiError {
    /// A refusal of kind `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused(code, message.into())
    }

    /// A 404 of kind `code` whose message names what was missing.
    pub fn not_found(code: ErrorCode, what: impl std::fmt::Display) -> Self {
        Self::new(code, format!("{what} not found"))
    }

    /// The 429 of a request rate limit, named.
    pub fn rate_limited(seconds: u64, limit: &str) -> Self {
        Self::RateLimited(
            ErrorCode::RateLimited,
            seconds,
            format!("Too many requests: the rate limit of {limit} is used up; retry after {seconds} seconds."),
        )
    }

    /// The 403 of a connection that would be linked without the consent its category needs.
    pub fn consent_missing(category: &str) -> Self {
        Self::new(
            ErrorCode::ConsentRequired,
            format!(
                "The customer has not consented to share {category} data: record a consent for {category} \
                 (POST /companies/{{companyId}}/consents) before linking this connection."
            ),
        )
    }

    /// The 404 of a company, to give to [`ApiError::from_repo`].
    pub fn company_not_found(id: impl std::fmt::Display) -> impl FnOnce() -> Self {
        move || Self::not_found(ErrorCode::CompanyNotFound, format_args!("Company {id}"))
    }

    /// A 400 about one field.
    pub fn field(error: FieldError) -> Self {
        Self::Validation(ValidationErrors(vec![error]))
    }

    /// Maps a store failure; `NotFound` becomes the given 404.
    pub fn from_repo(error: RepoError, not_found: impl FnOnce() -> Self) -> Self {
        match error {
            RepoError::NotFound => not_found(),
            RepoError::LimitReached(what) => Self::new(
                ErrorCode::LimitReached,
                format!("Maximum number of {what} reached."),
            ),
            RepoError::Conflict(_) => Self::new(
                ErrorCode::StateConflict,
                "The request conflicts with the current state.",
            ),
            RepoError::ConsentMissing(category) => Self::consent_missing(category),
            RepoError::Unavailable(cause) => Self::Unavailable(cause),
            RepoError::Failure(cause) => Self::Internal(cause),
        }
    }

    /// This error's kind.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused(code, _) | Self::Unauthorized(code, _) | Self::RateLimited(code, ..) => {
                *code
            }
            Self::Validation(_) => ErrorCode::InvalidRequest,
            Self::Query(_) => ErrorCode::InvalidQuery,
            Self::MethodNotAllowed(..) => ErrorCode::MethodNotAllowed,
            Self::Unavailable(_) => ErrorCode::StoreUnavailable,
            Self::Internal(_) => ErrorCode::Internal,
            Self::Status(status) => ErrorCode::of_status(*status),
        }
    }

    /// The body sent for this error, with the current request's correlation id.
    pub fn body(&self) -> ErrorMessage {
        let validation = match self {
            Self::Validation(errors) => Some(ErrorValidation::from(errors)),
            Self::Query(error) => Some(ErrorValidation {
                errors: vec![ErrorValidationItem {
                    item_id: Some("query".into()),
                    message: Some(error.to_string()),
                    validator_name: Some("QueryParser".into()),
                }],
                warnings: vec![],
            }),
            _ => None,
        };
        let error = match self {
            Self::Validation(errors) if errors.0.len() == 1 => errors.to_string(),
            Self::Validation(_) => {
                "The request is not valid; see validation.errors for each problem.".into()
            }
            other => other.to_string(),
        };
        ErrorMessage {
            status_code: self.status_code().as_u16(),
            service: SERVICE_NAME.into(),
            error,
            correlation_id: correlation::current(),
            validation,
            can_be_retried: self.code().can_be_retried().into(),
            detailed_error_code: self.code().number(),
        }
    }
}

/// For store calls where "not found" cannot happen; if it does, it is a fault.
impl From<RepoError> for ApiError {
    fn from(error: RepoError) -> Self {
        Self::from_repo(error, || {
            Self::Internal("the store reported an unexpected `not found`".into())
        })
    }
}

/// The application's errors as HTTP answers, in one table: each kind's
/// `detailedErrorCode` (and with it the status) and its message.
impl From<app::AppError> for ApiError {
    fn from(error: app::AppError) -> Self {
        use app::AppError;
        match error {
            AppError::Invalid(errors) => Self::Validation(errors),
            AppError::NotAllowed(why) => Self::new(ErrorCode::EmailNotAllowed, why),
            AppError::IntegrationDisabled { name, key } => Self::new(
                ErrorCode::IntegrationDisabled,
                format!(
                    "{name} is disabled for your customers, so its connections cannot be \
                     authorized; enable it in /integrations/{key}/settings."
                ),
            ),
            AppError::OAuthImportRequiresApiKey(name) => Self::new(
                ErrorCode::OAuthImportRequiresApiKey,
                format!(
                    "{name} authorizes with OAuth: send the customer to the connection's linkUrl. \
                     Importing OAuth tokens takes an API key."
                ),
            ),
            AppError::CredentialsImportRequiresApiKey(name) => Self::new(
                ErrorCode::CredentialsImportRequiresApiKey,
                format!(
                    "{name}'s credential is obtained by the client's back end, which imports it \
                     with an API key; a customer is never asked for it."
                ),
            ),
            AppError::CredentialsRefused(message) => {
                Self::new(ErrorCode::CredentialsRefused, message)
            }
            AppError::VerifierUnavailable(platform) => Self::new(
                ErrorCode::CredentialsVerifierUnavailable,
                format!(
                    "The {platform} details could not be checked just now, so nothing was saved \
                     and the connection stays as it was; try again shortly."
                ),
            ),
            AppError::NotReady { name, remedy } => Self::new(
                ErrorCode::IntegrationNotReady,
                format!("{name} cannot be connected from a journey: {remedy}."),
            ),
            AppError::AccountingConnectionExists => Self::new(
                ErrorCode::AccountingConnectionExists,
                "The company already has an active accounting connection; unlink or delete it first.",
            ),
            AppError::Store(error) => error.into(),
            AppError::ConsentMissing(category) => Self::consent_missing(category),
            AppError::Secret(error) => Self::Internal(error.to_string()),
            AppError::Internal(cause) => Self::Internal(cause),
            AppError::CompanyNotFound(company) => Self::company_not_found(company)(),
            AppError::ConsentNotFound(consent) => Self::not_found(
                ErrorCode::ConsentNotFound,
                format_args!("Consent {consent}"),
            ),
            AppError::Refused(reason) => Self::new(ErrorCode::TransitionRefused, reason),
            AppError::OutsideInvitation { covered, asked } => Self::new(
                ErrorCode::OutsideInvitation,
                format!(
                    "This invitation covers only {}; it cannot act on {asked} data.",
                    covered.join(" and ")
                ),
            ),
            AppError::ConnectionNotFound(id) => Self::not_found(
                ErrorCode::ConnectionNotFound,
                format_args!("Data connection {id}"),
            ),
            AppError::NotPending => Self::new(
                ErrorCode::ConnectionLinked,
                "A customer may only abandon a connection that is not authorized yet; a linked \
                 one ends when its consent is withdrawn, or the client removes it.",
            ),
            AppError::AuthorizationUnknown => Self::new(
                ErrorCode::AuthorizationUnknown,
                "This authorization is not known; start again from the Link URL.",
            ),
            AppError::ConcurrentChange(what) => Self::new(
                ErrorCode::ConcurrentChange,
                format!(
                    "The {what} changed while this request was handled; read it again and retry."
                ),
            ),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self::Validation(errors)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(cause) | Self::Unavailable(cause) => {
                tracing::error!(error.cause = ?cause, status = self.status_code().as_u16(), "request failed")
            }
            Self::Unauthorized(_, reason) => tracing::info!(reason, "request refused"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::Unauthorized(..) => {
                // Bearer, not Basic: a browser that meets a Basic challenge asks for a
                // password and keeps what it is given for the site.
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"Link API\""));
            }
            Self::MethodNotAllowed(_, allowed) => {
                response.insert_header((header::ALLOW, allowed.join(", ")));
            }
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            Self::RateLimited(_, seconds, _) => {
                response.insert_header((header::RETRY_AFTER, seconds.to_string()));
            }
            _ => {}
        }
        response.json(self.body())
    }
}

/// The result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_reveal_nothing_internal() {
        let cause = "error returned from database: table secret_table_name does not exist";

        for error in [
            ApiError::Internal(cause.into()),
            ApiError::Unavailable(cause.into()),
        ] {
            let body = serde_json::to_string(&error.body()).unwrap();

            assert!(
                !body.contains("secret_table_name") && !body.contains("database"),
                "{body}"
            );
        }
    }

    #[test]
    fn only_an_unavailable_store_is_worth_retrying() {
        assert_eq!(
            ApiError::Unavailable(String::new()).body().can_be_retried,
            "Yes"
        );
        assert_eq!(
            ApiError::Internal(String::new()).body().can_be_retried,
            "Unknown"
        );
        assert_eq!(
            ApiError::new(ErrorCode::MalformedBody, "")
                .body()
                .can_be_retried,
            "No"
        );
        assert_eq!(
            ApiError::Status(StatusCode::PAYLOAD_TOO_LARGE)
                .body()
                .can_be_retried,
            "No"
        );
    }
}
