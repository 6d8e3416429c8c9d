use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{SubsecRound, Utc};
use domain::consent::{self, ConsentKind, ConsentRecord, GENESIS};
use domain::ids::CompanyId;
use domain::link_settings::CATEGORIES;
use domain::ports::RepoError;
use domain::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::responses::{Conflict, CreateErrors, ItemErrors};
use crate::routes::link_settings::settings_of;
use crate::state::AppState;

/// Who gave the consent, as the journey UI knows them.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConsentActor {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A customer's consent to share the data of some categories.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"categories": ["accounting"], "settingsVersion": 3, "actor": {"name": "Ada Lovelace", "email": "ada@example.com"}, "locale": "en-GB"}))]
pub struct GrantConsent {
    /// `accounting`, `banking` and/or `commerce`.
    pub categories: Vec<String>,
    /// The link settings version whose texts were shown; the newest when left out.
    pub settings_version: Option<i64>,
    #[serde(default)]
    pub actor: ConsentActor,
    /// The language the texts were shown in, e.g. `en-GB`.
    pub locale: Option<String>,
}

/// One record of a company's consent ledger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentBody {
    pub id: Uuid,
    pub sequence: i64,
    /// `Granted` or `Withdrawn`.
    pub kind: &'static str,
    pub categories: Vec<String>,
    pub data_types: Vec<String>,
    pub settings_version: i64,
    /// SHA-256 of the exact texts shown.
    pub text_hash: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdraws: Option<Uuid>,
    #[schema(value_type = String, format = DateTime)]
    pub created: chrono::DateTime<Utc>,
    pub previous_hash: String,
    pub hash: String,
}

impl From<ConsentRecord> for ConsentBody {
    fn from(r: ConsentRecord) -> Self {
        Self {
            id: r.id,
            sequence: r.sequence,
            kind: r.kind.as_str(),
            categories: r.categories,
            data_types: r.data_types,
            settings_version: r.settings_version,
            text_hash: r.text_hash,
            locale: r.locale,
            actor_name: r.actor_name,
            actor_email: r.actor_email,
            ip: r.ip,
            user_agent: r.user_agent,
            withdraws: r.withdraws,
            created: r.created,
            previous_hash: r.previous_hash,
            hash: r.hash,
        }
    }
}

/// A company's ledger, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consents {
    pub results: Vec<ConsentBody>,
}

/// Whether a ledger is intact.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChainVerification {
    pub valid: bool,
    pub records: usize,
    /// The sequence number of the first record that does not check out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// The company's ledger, or the company's 404.
async fn ledger(
    state: &AppState,
    caller: &Caller,
    company: CompanyId,
) -> ApiResult<Vec<ConsentRecord>> {
    state
        .store
        .consent_ledger(caller.client, company)
        .await
        .map_err(|e| {
            ApiError::from_repo(e, || ApiError::not_found(format_args!("Company {company}")))
        })
}

fn bounded(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "MaxLength",
            format!("{field} is at most {max} characters."),
        ));
        return None;
    }
    Some(value)
}

/// Record a consent
///
/// Appends a consent to the company's ledger: the categories, the link
/// settings version and a hash of the exact texts it showed, who consented
/// (as the UI says), the caller's IP and user agent, and the time. Records
/// are never edited; each chains the hash of the one before.
#[utoipa::path(
    operation_id = "record-consent",
    tag = "Consents",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body = GrantConsent,
    responses((status = 201, description = "The recorded consent.", body = ConsentBody), (status = 404, response = crate::openapi::responses::NotFound), (status = 409, response = Conflict), CreateErrors)
)]
#[post("/companies/{companyId}/consents")]
pub async fn record_consent(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
    body: web::Json<GrantConsent>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let company = CompanyId::from(company.into_inner());
    let body = body.into_inner();
    let mut errors = ValidationErrors::default();
    let mut categories = body.categories.clone();
    categories.sort_by_key(|c| CATEGORIES.iter().position(|k| k == c));
    categories.dedup();
    if categories.is_empty() || categories.iter().any(|c| !CATEGORIES.contains(&c.as_str())) {
        errors.push(FieldError::new(
            "categories",
            "Categories",
            "categories holds one or more of accounting, banking and commerce.",
        ));
    }
    let actor_name = bounded(&mut errors, "actor.name", body.actor.name, 200);
    let actor_email = bounded(&mut errors, "actor.email", body.actor.email, 254);
    if actor_email.as_deref().is_some_and(|e| !e.contains('@')) {
        errors.push(FieldError::new(
            "actor.email",
            "Email",
            "actor.email is not an email address.",
        ));
    }
    let locale = bounded(&mut errors, "locale", body.locale, 35);
    let settings = settings_of(&state, caller.client, body.settings_version).await?;
    let Some(settings) = settings else {
        errors.push(FieldError::new(
            "settingsVersion",
            "UnknownVersion",
            "No link settings have that version.",
        ));
        return Err(errors.into());
    };
    errors.into_result(())?;
    let data_types: Vec<String> = categories
        .iter()
        .filter_map(|c| settings.category(c))
        .flat_map(|c| c.data_types.iter().cloned())
        .collect();
    let user_agent = request
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(500).collect());
    let ip = request
        .connection_info()
        .realip_remote_addr()
        .map(str::to_owned);
    for _ in 0..3 {
        let ledger = ledger(&state, &caller, company).await?;
        let mut record = ConsentRecord {
            id: Uuid::now_v7(),
            sequence: i64::try_from(ledger.len()).unwrap_or(i64::MAX) + 1,
            kind: ConsentKind::Granted,
            categories: categories.clone(),
            data_types: data_types.clone(),
            settings_version: settings.version,
            text_hash: consent::text_hash(&settings, &categories),
            locale: locale.clone(),
            actor_name: actor_name.clone(),
            actor_email: actor_email.clone(),
            ip: ip.clone(),
            user_agent: user_agent.clone(),
            withdraws: None,
            created: Utc::now().trunc_subsecs(6),
            previous_hash: ledger
                .last()
                .map_or_else(|| GENESIS.to_owned(), |r| r.hash.clone()),
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        match state
            .store
            .append_consent(caller.client, company, &record)
            .await
        {
            Ok(()) => return Ok(HttpResponse::Created().json(ConsentBody::from(record))),
            Err(RepoError::Conflict(_)) => continue,
            Err(other) => {
                return Err(ApiError::from_repo(other, || {
                    ApiError::not_found(format_args!("Company {company}"))
                }))
            }
        }
    }
    Err(ApiError::Conflict(
        "The ledger kept changing while this consent was recorded; retry.".into(),
    ))
}

/// List consents
#[utoipa::path(
    operation_id = "list-consents",
    tag = "Consents",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "The company's ledger, oldest first.", body = Consents), ItemErrors)
)]
#[get("/companies/{companyId}/consents")]
pub async fn list_consents(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<Consents>> {
    let company = CompanyId::from(company.into_inner());
    let ledger = ledger(&state, &caller, company).await?;
    Ok(web::Json(Consents {
        results: ledger.into_iter().map(ConsentBody::from).collect(),
    }))
}

/// Verify the consent ledger
///
/// Recomputes every record's hash and link: an edited, removed or reordered record is reported.
#[utoipa::path(
    operation_id = "verify-consents",
    tag = "Consents",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "Whether the ledger is intact.", body = ChainVerification), ItemErrors)
)]
#[get("/companies/{companyId}/consents/verify")]
pub async fn verify_consents(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<ChainVerification>> {
    let company = CompanyId::from(company.into_inner());
    let ledger = ledger(&state, &caller, company).await?;
    let verification = match consent::verify_chain(&ledger) {
        Ok(()) => ChainVerification {
            valid: true,
            records: ledger.len(),
            broken_at: None,
            reason: None,
        },
        Err(broken) => ChainVerification {
            valid: false,
            records: ledger.len(),
            broken_at: Some(broken.sequence),
            reason: Some(broken.reason),
        },
    };
    Ok(web::Json(verification))
}
