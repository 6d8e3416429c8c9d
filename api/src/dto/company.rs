use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::company::{Company, CompanyFields, CompanyPatch};
use domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::connection::ConnectionBody;
use super::paging::PagingInfo;

/// A business whose platforms the client's customer connects.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41",
    "name": "Technicalium",
    "description": "Customer 4711 of the lending desk",
    "redirect": "http://localhost:8080/link/company/0198f3c2-6a7e-7d51-9a0e-3c1f5e2b8d41",
    "created": "2026-01-05T10:45:18.195052Z",
    "tags": {"region": "uk", "uid": "4711"},
    "dataConnections": []
}))]
pub struct CompanyBody {
    pub id: Uuid,
    /// The company's name.
    pub name: String,
    /// Free text, for example a reference in the client's own systems. Left out when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The company's Link URL, under `LINK_PUBLIC_URL`: it opens the company's hosted journey
    /// in a browser.
    pub redirect: String,
    /// When the company was created (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub created: DateTime<Utc>,
    /// Key–value metadata set by the client. Left out when there are none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The company's connections to accounting, banking and commerce platforms.
    pub data_connections: Vec<ConnectionBody>,
}

impl CompanyBody {
    /// The wire form of `company` with its connections; its Link URL lives under `public_url`.
    pub fn new(company: Company, data_connections: Vec<ConnectionBody>, public_url: &str) -> Self {
        let id = company.id.as_uuid();
        Self {
            id,
            name: company.fields.name.into_inner(),
            description: company.fields.description,
            redirect: format!("{public_url}/link/company/{id}"),
            created: company.created,
            tags: company.fields.tags.into_map(),
            data_connections,
        }
    }
}

/// A page of companies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Companies {
    pub results: Vec<CompanyBody>,
    #[serde(flatten)]
    pub paging: PagingInfo,
}

/// A whole company, to create one or replace one.
///
/// Characters other than letters A–Z, digits, white space and `- ' , & @ . ? !`
/// are removed from `name` (`Company (Codat[1])` becomes `Company Codat1`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"name": "Technicalium", "description": "Customer 4711", "tags": {"region": "uk"}}))]
pub struct CompanyRequestBody {
    /// The company's name: 1 to 250 characters after forbidden characters are
    /// removed, so it holds at least one letter, digit or allowed symbol (other
    /// characters are removed rather than refused).
    #[schema(value_type = String, required = true, min_length = 1, pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[A-Za-z0-9\\-',&@.?!][^\\u0000-\\u001f\\u007f-\\u009f]*$", example = "Bank of Dave")]
    pub name: Option<String>,
    /// Up to 2000 characters; an absent or empty description clears it.
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub description: Option<String>,
    /// At most 10 pairs; keys 1–27 characters, values at most 100. Absent clears them.
    #[schema(schema_with = tags_schema)]
    pub tags: Option<BTreeMap<String, String>>,
}

impl TryFrom<CompanyRequestBody> for CompanyFields {
    type Error = ValidationErrors;

    fn try_from(body: CompanyRequestBody) -> Result<Self, ValidationErrors> {
        CompanyFields::parse(body.name.as_deref(), body.description.as_deref(), body.tags)
    }
}

/// A text without control characters, as a JSON Schema pattern.
const NO_CONTROL_CHARACTERS: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// Company tags as the spec states them: the limits `Tags` enforces.
fn tags_schema() -> utoipa::openapi::Object {
    use domain::company::{MAX_TAGS, MAX_TAG_KEY_LEN, MAX_TAG_VALUE_LEN};
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some(format!(
            "Key–value pairs: at most {MAX_TAGS}; keys 1–{MAX_TAG_KEY_LEN} characters, values at most \
             {MAX_TAG_VALUE_LEN}. On creation and replacement, absent means none; on update, the tags sent \
             replace all current ones."
        )))
        .max_properties(Some(MAX_TAGS))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(MAX_TAG_KEY_LEN))
                .pattern(Some(NO_CONTROL_CHARACTERS)),
        ))
        .additional_properties(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(MAX_TAG_VALUE_LEN))
                .pattern(Some(NO_CONTROL_CHARACTERS)),
        ))
        .build()
}

/// The fields to change; anything absent or `null` stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"tags": {"region": "us"}}))]
pub struct CompanyUpdateRequest {
    /// A new name, with the same rules as on creation.
    #[schema(
        min_length = 1,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[A-Za-z0-9\\-',&@.?!][^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: Option<String>,
    /// A new description; an empty string clears it.
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub description: Option<String>,
    /// New tags, replacing all current ones; `{}` removes them all.
    #[schema(schema_with = tags_schema)]
    pub tags: Option<BTreeMap<String, String>>,
}

impl TryFrom<CompanyUpdateRequest> for CompanyPatch {
    type Error = ValidationErrors;

    fn try_from(body: CompanyUpdateRequest) -> Result<Self, ValidationErrors> {
        CompanyPatch::parse(body.name.as_deref(), body.description.as_deref(), body.tags)
    }
}

/// Filters, order and paging of the company list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CompanyListParams {
    /// Page number, from 1.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 2147483647, default = 1, example = 1)]
    pub page: Option<i64>,
    /// Number of companies in a page, from 1 to 5000.
    #[param(value_type = Option<i32>, minimum = 1, maximum = 5000, default = 100, example = 100)]
    pub page_size: Option<i64>,
    /// A filter in the query language, on `id`, `name`, `description`, `created`
    /// and `tags.<key>`; e.g. `name~acme && created>=2026-01-01`.
    #[param(example = "name~acme")]
    pub query: Option<String>,
    /// `name`, `description`, `created` or `id`, with a leading `-` for descending.
    #[param(example = "-created")]
    pub order_by: Option<String>,
    /// A filter on tags with `=`, `!=` and `~`; e.g. `region=uk && team=invoice-finance`.
    #[param(example = "region=uk && team=invoice-finance")]
    pub tags: Option<String>,
}
