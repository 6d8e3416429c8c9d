use std::collections::BTreeMap;

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{SubsecRound, Utc};
use domain::connection::{self, Cause, Connection};
use domain::consent::{self, ConsentKind, ConsentRecord, WithdrawalRefused};
use domain::ids::CompanyId;
use domain::integration::SourceType;
use domain::link_settings::{
    categories_error, normalize_categories, CategorySettings, ConsentTexts, LinkSettings,
};
use domain::ports::{CascadeStep, RepoError, Withdrawal};
use domain::{FieldError, ValidationErrors};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::consent::{
    ChainVerification, ConsentActor, ConsentBody, Consents, GrantConsent, ShownCategory,
    WithdrawConsent, WithdrawalReceipt, WithdrawnConnection,
};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::optional_json;
use crate::openapi::responses::{Conflict, CreateErrors, ItemErrors, ItemWriteErrors};
use crate::routes::link_settings::settings_of;
use crate::state::AppState;

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
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))
}

/// Who and where a ledger record comes from: the actor as the UI names them,
/// the locale of the texts, and the caller's IP and user agent.
struct Witness {
    actor_name: Option<String>,
    actor_email: Option<String>,
    locale: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
}

impl Witness {
    fn of(
        errors: &mut ValidationErrors,
        actor: ConsentActor,
        locale: Option<String>,
        request: &HttpRequest,
    ) -> Self {
        let actor_name = errors.optional_text("actor.name", actor.name, 200);
        let actor_email = errors.optional_email("actor.email", actor.email);
        Self {
            actor_name,
            actor_email,
            locale: errors.optional_text("locale", locale, 35),
            ip: crate::client_address::ClientAddress::of(request).map(|ip| ip.to_string()),
            user_agent: request
                .headers()
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(500).collect()),
        }
    }

    /// `record` with a new id, the witness's fields and the current time; not yet chained.
    fn record(&self, record: ConsentRecord) -> ConsentRecord {
        ConsentRecord {
            id: Uuid::now_v7(),
            locale: self.locale.clone(),
            actor_name: self.actor_name.clone(),
            actor_email: self.actor_email.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            created: Utc::now().trunc_subsecs(6),
            ..record
        }
    }
}

/// An empty record, to fill with struct update syntax.
fn blank() -> ConsentRecord {
    ConsentRecord {
        id: Uuid::nil(),
        sequence: 0,
        kind: ConsentKind::Granted,
        categories: Vec::new(),
        data_types: Vec::new(),
        settings_version: 0,
        text_hash: String::new(),
        shown_texts: BTreeMap::new(),
        locale: None,
        actor_name: None,
        actor_email: None,
        ip: None,
        user_agent: None,
        withdraws: None,
        created: Utc::now(),
        previous_hash: String::new(),
        hash: String::new(),
    }
}

/// What each consented category showed: the settings version's texts and
/// data types with the journey's rewording over them. A rewording of a
/// category not consented to, or beyond the settings' limits, is an error.
fn shown_categories(
    errors: &mut ValidationErrors,
    settings: &LinkSettings,
    categories: &[String],
    mut reworded: BTreeMap<String, ShownCategory>,
) -> Vec<CategorySettings> {
    for name in reworded.keys().filter(|name| !categories.contains(name)) {
        errors.push(FieldError::new(
            format!("shown.{}", name.escape_debug()),
            "NotConsented",
            "shown rewords only the categories this consent names.",
        ));
    }
    categories
        .iter()
        .filter_map(|name| settings.category(name))
        .map(|own| {
            let mut shown = own.clone();
            let Some(change) = reworded.remove(own.name) else {
                return shown;
            };
            let given = change.consent_texts.in_order();
            for ((_, part), text) in shown.texts.parts_mut().into_iter().zip(given) {
                if let Some(text) = text {
                    *part = text;
                }
            }
            if let Some(data_types) = change.data_types {
                shown.data_types = data_types;
            }
            shown.check_shown(&format!("shown.{}", own.name), errors);
            shown
        })
        .collect()
}

fn ledger_busy() -> ApiError {
    ApiError::new(
        ErrorCode::ConcurrentChange,
        "The ledger kept changing while this request was handled; retry.",
    )
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
    body: crate::extract::Json<GrantConsent>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let company = CompanyId::from(company.into_inner());
    let body = body.into_inner();
    let mut errors = ValidationErrors::default();
    let categories = normalize_categories(&body.categories).unwrap_or_else(|| {
        errors.push(categories_error());
        Vec::new()
    });
    for category in &categories {
        caller.require_category(Some(category))?;
    }
    let witness = Witness::of(&mut errors, body.actor, body.locale, &request);
    let settings = settings_of(&state, caller.client, body.settings_version).await?;
    let Some(settings) = settings else {
        errors.push(FieldError::new(
            "settingsVersion",
            "UnknownVersion",
            "No link settings have that version.",
        ));
        return Err(errors.into());
    };
    let shown = shown_categories(&mut errors, &settings, &categories, body.shown);
    errors.into_result(())?;
    let data_types: Vec<String> = shown
        .iter()
        .flat_map(|c| c.data_types.iter().cloned())
        .collect();
    let shown_texts: BTreeMap<String, ConsentTexts> = shown
        .iter()
        .filter(|c| {
            settings
                .category(c.name)
                .is_none_or(|own| own.texts != c.texts)
        })
        .map(|c| (c.name.to_owned(), c.texts.clone()))
        .collect();
    let text_hash = consent::shown_hash(
        &shown.iter().collect::<Vec<_>>(),
        settings.terms_url.as_deref(),
    );
    for _ in 0..3 {
        let ledger = ledger(&state, &caller, company).await?;
        let record = witness
            .record(ConsentRecord {
                kind: ConsentKind::Granted,
                categories: categories.clone(),
                data_types: data_types.clone(),
                settings_version: settings.version,
                text_hash: text_hash.clone(),
                shown_texts: shown_texts.clone(),
                withdraws: None,
                ..blank()
            })
            .chained_to(&ledger);
        match state
            .store
            .append_consent(caller.client, company, &record)
            .await
        {
            Ok(()) => return Ok(HttpResponse::Created().json(ConsentBody::from(record))),
            Err(RepoError::Conflict(_)) => continue,
            Err(other) => {
                return Err(ApiError::from_repo(
                    other,
                    ApiError::company_not_found(company),
                ))
            }
        }
    }
    Err(ledger_busy())
}

/// Withdraw a consent
///
/// Appends a withdrawal of one consent to the ledger (the consent itself is
/// never edited) and, in the same transaction, takes access away from every
/// connection of the categories no other active consent covers: `Linked`
/// connections become `Deauthorized`, and the stored credentials and tokens
/// of all of them are destroyed. The receipt lists what was done. The body
/// is optional.
#[utoipa::path(
    operation_id = "withdraw-consent",
    tag = "Consents",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("consentId" = Uuid, Path, description = "The id of the consent to withdraw.")),
    request_body(content = Option<WithdrawConsent>),
    responses((status = 200, description = "What the withdrawal did.", body = WithdrawalReceipt), (status = 409, response = Conflict), ItemWriteErrors)
)]
#[post("/companies/{companyId}/consents/{consentId}/withdraw")]
pub async fn withdraw_consent(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    request: HttpRequest,
    body: web::Bytes,
) -> ApiResult<web::Json<WithdrawalReceipt>> {
    let (company, consent_id) = path.into_inner();
    let company = CompanyId::from(company);
    let body: WithdrawConsent = optional_json(&request, &body)?;
    let mut errors = ValidationErrors::default();
    let witness = Witness::of(&mut errors, body.actor, body.locale, &request);
    errors.into_result(())?;
    for _ in 0..3 {
        let ledger = ledger(&state, &caller, company).await?;
        let plan =
            consent::plan_withdrawal(&ledger, consent_id).map_err(|refused| match refused {
                WithdrawalRefused::Unknown => ApiError::not_found(
                    ErrorCode::ConsentNotFound,
                    format_args!("Consent {consent_id}"),
                ),
                other => ApiError::new(ErrorCode::TransitionRefused, other.to_string()),
            })?;
        for category in &plan.grant.categories {
            caller.require_category(Some(category))?;
        }
        let source_types: Vec<SourceType> = plan
            .uncovered
            .iter()
            .flat_map(|c| SourceType::of_category(c))
            .collect();
        let affected: Vec<Connection> = state
            .store
            .connections_of(caller.client, &[company])
            .await?
            .into_iter()
            .filter(|c| source_types.contains(&c.source_type))
            .collect();
        let steps = affected
            .iter()
            .map(|c| CascadeStep {
                connection: c.id,
                expected_version: c.version,
                transition: connection::transition(Some(c.status), Cause::ConsentWithdrawn).ok(),
            })
            .collect::<Vec<_>>();
        let grant = &plan.grant;
        let record = witness
            .record(ConsentRecord {
                kind: ConsentKind::Withdrawn,
                categories: grant.categories.clone(),
                data_types: grant.data_types.clone(),
                settings_version: grant.settings_version,
                text_hash: grant.text_hash.clone(),
                withdraws: Some(grant.id),
                ..blank()
            })
            .chained_to(&ledger);
        let withdrawal = Withdrawal {
            record,
            source_types,
            steps,
            actor: caller.actor,
        };
        let destroyed = match state
            .store
            .withdraw_consent(caller.client, company, &withdrawal)
            .await
        {
            Ok(destroyed) => destroyed,
            Err(RepoError::Conflict(_)) => continue,
            Err(other) => {
                return Err(ApiError::from_repo(
                    other,
                    ApiError::company_not_found(company),
                ))
            }
        };
        let connections = affected
            .into_iter()
            .zip(&withdrawal.steps)
            .map(|(c, step)| WithdrawnConnection {
                id: c.id.as_uuid(),
                platform_key: c.platform_key.to_string(),
                source_type: c.source_type.as_str(),
                previous_status: c.status.as_str(),
                status: step
                    .transition
                    .and_then(|t| t.to)
                    .unwrap_or(c.status)
                    .as_str(),
                credentials_destroyed: destroyed.contains(&c.id),
            })
            .collect();
        return Ok(web::Json(WithdrawalReceipt {
            withdrawal: ConsentBody::from(withdrawal.record),
            withdrawn_categories: plan.uncovered,
            still_consented: plan.still_covered,
            connections,
        }));
    }
    Err(ledger_busy())
}

/// List consents
///
/// The company's consent ledger, oldest first. A company token reads it only
/// when it proves who holds it (made by your back end, from a signed link, or
/// from an invitation, which sees only the records its categories cover); the
/// token a bare company id gets is refused with 403, since the ledger holds
/// the customer's name, email, IP address and user agent.
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
        results: ledger
            .into_iter()
            // A token made from an invitation sees only what its categories cover.
            .filter(|record| record.categories.iter().all(|c| caller.may_use(Some(c))))
            .map(ConsentBody::from)
            .collect(),
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
