use actix_web::{get, post, web, HttpRequest, HttpResponse};
use domain::consent::{self};
use domain::ids::CompanyId;
use domain::link_settings::{categories_error, normalize_categories};
use domain::{FieldError, ValidationErrors};
use uuid::Uuid;

use app::consents::{self, Grant, Rewording, Witness};

use crate::auth::Caller;
use crate::dto::consent::{
    ChainVerification, ConsentActor, ConsentBody, Consents, GrantConsent, WithdrawConsent,
    WithdrawalReceipt, WithdrawnConnection,
};
use crate::error::ApiResult;
use crate::extract::optional_json;
use crate::openapi::responses::{Conflict, CreateErrors, ItemErrors, ItemWriteErrors};
use crate::routes::link_settings::settings_of;
use crate::state::AppState;

/// The witness of a ledger record: the actor and locale the body gives
/// (checked), and the caller's address and user agent.
fn witness(
    errors: &mut ValidationErrors,
    actor: ConsentActor,
    locale: Option<String>,
    request: &HttpRequest,
) -> Witness {
    Witness {
        actor_name: errors.optional_text("actor.name", actor.name, 200),
        actor_email: errors.optional_email("actor.email", actor.email),
        locale: errors.optional_text("locale", locale, 35),
        ip: crate::client_address::ClientAddress::of(request).map(|ip| ip.to_string()),
        user_agent: request
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(500).collect()),
    }
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
    let witness = witness(&mut errors, body.actor, body.locale, &request);
    let settings = settings_of(&state, caller.client, body.settings_version).await?;
    let Some(settings) = settings else {
        errors.push(FieldError::new(
            "settingsVersion",
            "UnknownVersion",
            "No link settings have that version.",
        ));
        return Err(errors.into());
    };
    let reworded = body
        .shown
        .into_iter()
        .map(|(category, shown)| {
            let rewording = Rewording {
                texts: shown.consent_texts.in_order(),
                data_types: shown.data_types,
            };
            (category, rewording)
        })
        .collect();
    let shown = consents::shown_categories(&mut errors, &settings, &categories, reworded);
    errors.into_result(())?;
    let grant = Grant {
        categories,
        settings: &settings,
        shown,
        witness,
    };
    let record = consents::record(state.store.as_ref(), caller.client, company, grant).await?;
    Ok(HttpResponse::Created().json(ConsentBody::from(record)))
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
    let witness = witness(&mut errors, body.actor, body.locale, &request);
    errors.into_result(())?;
    let receipt = consents::withdraw(
        state.store.as_ref(),
        (caller.client, company),
        consent_id,
        &witness,
        (caller.actor, caller.categories),
    )
    .await?;
    Ok(web::Json(WithdrawalReceipt {
        withdrawal: ConsentBody::from(receipt.record),
        withdrawn_categories: receipt.uncovered,
        still_consented: receipt.still_covered,
        connections: receipt
            .connections
            .into_iter()
            .map(|withdrawn| WithdrawnConnection {
                id: withdrawn.connection.id.as_uuid(),
                platform_key: withdrawn.connection.platform_key.to_string(),
                source_type: withdrawn.connection.source_type.as_str(),
                previous_status: withdrawn.connection.status.as_str(),
                status: withdrawn.status.as_str(),
                credentials_destroyed: withdrawn.credentials_destroyed,
            })
            .collect(),
    }))
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
    let ledger = consents::ledger(state.store.as_ref(), caller.client, company).await?;
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
    let ledger = consents::ledger(state.store.as_ref(), caller.client, company).await?;
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
