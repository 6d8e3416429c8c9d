use domain::ValidationErrors;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "statusCode": 404,
    "service": "LinkApi",
    "error": "Company 8a210b68-6988-11ed-a1eb-0242ac120002 not found",
    "correlationId": "0a40c2f31fc8f992fb88b0853e4166f3",
    "canBeRetried": "No",
    "detailedErrorCode": 40402
}))]
pub struct ErrorMessage {
    /// The HTTP status code, repeated.
    pub status_code: u16,
    /// The service that answered.
    pub service: String,
    /// What went wrong, in a sentence.
    pub error: String,
    /// Identifies this request in the service's logs.
    pub correlation_id: String,
    /// Each invalid input, when the request failed validation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validation: Option<ErrorValidation>,
    /// Whether the same request may succeed later: `Yes`, `No` or `Unknown`.
    #[schema(example = "No")]
    pub can_be_retried: String,
    /// The kind of refusal, from one table (see the README's error codes).
    pub detailed_error_code: i32,
}

/// Validation problems, one item per field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorValidation {
    pub errors: Vec<ErrorValidationItem>,
    pub warnings: Vec<ErrorValidationItem>,
}

/// One invalid input.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorValidationItem {
    /// The field or parameter, e.g. `name` or `tags.region`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The rule that refused it, e.g. `MaxLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validator_name: Option<String>,
}

impl From<&ValidationErrors> for ErrorValidation {
    fn from(errors: &ValidationErrors) -> Self {
        Self {
            errors: errors
                .0
                .iter()
                .map(|e| ErrorValidationItem {
                    item_id: Some(e.field.clone()),
                    message: Some(e.message.clone()),
                    validator_name: Some(e.rule.to_owned()),
                })
                .collect(),
            warnings: vec![],
        }
    }
}
