//! Invitations: a share URL that hands a company's journey, limited to some
//! categories, to someone else (a colleague, an accountant) without sharing
//! any password. The URL carries a signed invitation token; the journey UI
//! exchanges it for a company token limited to the invited categories.

use actix_web::{delete, get, post, web, HttpMessage, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::connection::Actor;
use domain::ids::CompanyId;
use domain::link_settings::CategorySet;
use domain::ports::RepoError;
use uuid::Uuid;

use crate::auth::{check_origin, Caller};
use crate::company_token::{Claims, LIFETIME_SECONDS};
use crate::dto::invitation::{
    CreateInvitation, ExchangeInvitation, InvitationAccessToken, InvitationBody, Invitations,
};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::openapi::responses::{CreateErrors, ItemErrors, ItemWriteErrors};
use crate::state::AppState;
use app::invitations::{InvitationRequest, Inviter};
use app::AppError;

/// When the journey may ask for an invitation email again after its daily
/// cap was reached: the cap is over a rolling day, so this is a hint.
const JOURNEY_EMAIL_RETRY_SECONDS: u64 = 3600;

/// Invitations are managed with an API key or a company token, not with a token made from one.
fn refuse_invitees(caller: &Caller) -> ApiResult<()> {
    if caller.invitation().is_some() {
        return Err(ApiError::new(
            ErrorCode::TokenNotAllowed,
            "A token made from an invitation cannot manage invitations.",
        ));
    }
    Ok(())
}

/// Create invitation
///
/// Invites someone to authorize some categories of the company's journey. The
/// answer carries a `shareUrl` (your journey UI's address with a signed
/// invitation token in it, see `invitationUrl` in the link settings; without
/// one, the company's hosted journey, limited to the invited categories) and a
/// ready `mailto:` link, both shown only now. The invitation lasts 72 hours
/// unless `expiresInHours` says otherwise (at most 720), and can be revoked at
/// any time. A company token may invite within its own categories, and never
/// beyond its own expiry: the default ends with the token, and a longer
/// `expiresInHours` is a 400. What the journey (a company token) asks for is
/// bounded, since a company id alone gives one: its `journeyUrl` must be on
/// an origin you allow, and Link API emails for it only when you opted in
/// (`emailInvitations`), within a daily cap per company and per client.
#[utoipa::path(
    operation_id = "create-invitation",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body = CreateInvitation,
    responses((status = 201, description = "The invitation, with its share URL.", body = InvitationBody), (status = 404, response = crate::openapi::responses::NotFound), CreateErrors)
)]
#[post("/companies/{companyId}/invitations")]
pub async fn create_invitation(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
    body: crate::extract::Json<CreateInvitation>,
) -> ApiResult<HttpResponse> {
    refuse_invitees(&caller)?;
    let company = CompanyId::from(company.into_inner());
    let body = body.into_inner();
    let inviter = Inviter {
        client: caller.client,
        company,
        token_expiry: caller.token.map(|token| token.expires_at),
        categories: caller.categories,
        by_journey: caller.token.is_some(),
    };
    let request = InvitationRequest {
        categories: body.categories,
        recipient_name: body.recipient.name,
        recipient_email: body.recipient.email,
        message: body.message,
        expires_in_hours: body.expires_in_hours,
        journey_url: body.journey_url,
        send: body.send,
        locale: body.locale,
    };
    let service = app::invitations::Service {
        store: state.store.as_ref(),
        settings: state.settings(),
        tokens: state.get_ref(),
        cipher: &state.cipher,
        mail: state
            .mailer
            .as_ref()
            .map(|m| m as &dyn app::emails::Formatter),
        public_url: &state.public_url,
        own_origin: state.own_origin(),
    };
    let made = match app::invitations::create(&service, &inviter, request).await {
        Ok(made) => made,
        Err(AppError::Store(RepoError::LimitReached(what))) => {
            return Err(ApiError::RateLimited(
                ErrorCode::EmailLimitReached,
                JOURNEY_EMAIL_RETRY_SECONDS,
                format!("The limit of {what} is reached; try again tomorrow, or ask the client."),
            ))
        }
        Err(AppError::Store(RepoError::NotFound)) => {
            return Err(ApiError::company_not_found(company)())
        }
        Err(other) => return Err(other.into()),
    };
    let mut created = InvitationBody::new(made.invitation, made.now);
    created.share_url = Some(made.share_url);
    created.mailto_url = Some(made.mailto_url);
    Ok(HttpResponse::Created().json(created))
}

/// List invitations
///
/// The company's invitations, newest first, each with its status. Share URLs
/// are not shown again.
#[utoipa::path(
    operation_id = "list-invitations",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses((status = 200, description = "The company's invitations.", body = Invitations), ItemErrors)
)]
#[get("/companies/{companyId}/invitations")]
pub async fn list_invitations(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
) -> ApiResult<web::Json<Invitations>> {
    refuse_invitees(&caller)?;
    let company = CompanyId::from(company.into_inner());
    let now = Utc::now();
    let found = state
        .store
        .list_invitations(caller.client, company)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    Ok(web::Json(Invitations {
        results: found
            .into_iter()
            .map(|i| InvitationBody::new(i, now))
            .collect(),
    }))
}

/// Revoke invitation
///
/// Ends an invitation at once: its share URL is refused from now on, and so
/// is every company token made from it. Revoking it again changes nothing.
#[utoipa::path(
    operation_id = "revoke-invitation",
    tag = "Journey",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("invitationId" = Uuid, Path, description = "The invitation's id.")),
    responses((status = 204, description = "Revoked."), ItemWriteErrors)
)]
#[delete("/companies/{companyId}/invitations/{invitationId}")]
pub async fn revoke_invitation(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    refuse_invitees(&caller)?;
    let (company, id) = path.into_inner();
    state
        .store
        .revoke_invitation(caller.client, company.into(), id, Utc::now())
        .await
        .map_err(|e| {
            ApiError::from_repo(e, || {
                ApiError::not_found(
                    ErrorCode::InvitationNotFound,
                    format_args!("Invitation {id}"),
                )
            })
        })?;
    Ok(HttpResponse::NoContent().finish())
}

/// Open an invitation
///
/// Exchanges the token of a share URL for a company token limited to the
/// invited categories (no API key: the invitation token is the credential).
/// The company token lasts a day, or until the invitation expires if sooner,
/// and stops working when the invitation is revoked. A browser may call this
/// from the origins in the client's CORS settings.
#[utoipa::path(
    operation_id = "open-invitation",
    tag = "Journey",
    security(()),
    request_body = ExchangeInvitation,
    responses(
        (status = 200, description = "A company token for the invited categories.", body = InvitationAccessToken),
        (status = 400, response = crate::openapi::responses::BadRequest),
        (status = 401, response = crate::openapi::responses::Unauthorized),
        (status = 403, response = crate::openapi::responses::Forbidden),
        (status = 500, response = crate::openapi::responses::InternalError),
        (status = 503, response = crate::openapi::responses::Unavailable)
    )
)]
#[post("/invitations/exchange")]
pub async fn open_invitation(
    state: web::Data<AppState>,
    body: crate::extract::Json<ExchangeInvitation>,
    request: HttpRequest,
) -> ApiResult<web::Json<InvitationAccessToken>> {
    let invalid = || {
        ApiError::Unauthorized(
            ErrorCode::InvalidInvitationToken,
            "invalid or foreign invitation token",
        )
    };
    let scope = state
        .invitation_tokens
        .verify(body.token.trim())
        .ok_or_else(invalid)?;
    let invitation = match state
        .store
        .get_invitation(scope.client, scope.token_id)
        .await
    {
        Ok(found) if found.company_id == scope.company => found,
        Ok(_) | Err(RepoError::NotFound) => return Err(invalid()),
        Err(other) => return Err(other.into()),
    };
    let now = Utc::now();
    if invitation.revoked_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::InvitationEnded,
            "This invitation was revoked.",
        ));
    }
    if !invitation.usable(now) {
        return Err(ApiError::new(
            ErrorCode::InvitationEnded,
            format!(
                "This invitation expired at {} UTC.",
                invitation.expires_at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    check_origin(&state, invitation.client_id, &request).await?;
    let company = state
        .store
        .get_company(invitation.client_id, invitation.company_id)
        .await
        .map_err(|e| ApiError::from_repo(e, invalid))?;
    state
        .store
        .mark_invitation_opened(invitation.client_id, invitation.id, now)
        .await?;
    let claims = Claims {
        exp: invitation
            .expires_at
            .timestamp()
            .min(now.timestamp() + LIFETIME_SECONDS),
        cat: Some(invitation.categories.clone()),
        inv: Some(invitation.id),
        ..Claims::new(invitation.client_id, invitation.company_id)
    };
    let token = state
        .company_tokens
        .sign(&claims)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    // The caller is now known: browser answers get their CORS headers.
    request.extensions_mut().insert(Caller {
        client: invitation.client_id,
        actor: Actor::Customer,
        company: Some(invitation.company_id),
        categories: Some(CategorySet::of(&invitation.categories)),
        token: None,
    });
    Ok(web::Json(InvitationAccessToken {
        access_token: token,
        expires_in: claims.exp - now.timestamp(),
        token_type: "Bearer",
        company_id: invitation.company_id.as_uuid(),
        invitation_id: invitation.id,
        categories: invitation.categories,
        company_name: company.fields.name.as_str().to_owned(),
        recipient_name: invitation.recipient_name,
        message: invitation.message,
    }))
}
