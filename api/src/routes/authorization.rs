//! `PUT …/authorization`: credentials typed by the customer, or OAuth tokens
//! imported by the client (`app::authorization`).

use std::collections::BTreeMap;

use actix_web::{put, web};
use domain::ids::ConnectionId;
use uuid::Uuid;

use app::authorization::{authorize, Authorizer};

use crate::auth::Caller;
use crate::dto::connection::ConnectionBody;
use crate::error::ApiResult;
use crate::openapi::responses::{Conflict, ItemWriteErrors};
use crate::state::AppState;

/// Update authorization
///
/// Authorizes a connection with the values of its integration's credential
/// form (see `credentialFields` on the integration), or, for OAuth platforms,
/// with imported tokens (`accessToken`, optional `refreshToken` and
/// `expiresIn` in seconds). Every invalid field is listed in
/// `validation.errors`. The values are stored encrypted and never returned.
/// A `PendingAuth` connection becomes `Linked`; an `Unlinked` or
/// `Deauthorized` one is linked again; a `Linked` one gets its new values.
///
/// While the client's link settings require consent (the default), a
/// connection is linked only if the company has an active consent for its
/// category (accounting, banking or commerce); otherwise the answer is 403.
/// Importing OAuth tokens takes an API key: with a company token it is a
/// 403 (the customer authorizes at the `linkUrl`). A connection of an
/// integration the client has since disabled cannot be authorized (409).
#[utoipa::path(
    operation_id = "update-connection-authorization",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("connectionId" = Uuid, Path, description = "The connection's id.")),
    request_body(content = BTreeMap<String, String>, example = json!({"apiKey": "rk_live_51Habc1234567890"})),
    responses(
        (status = 200, description = "The connection, authorized.", body = ConnectionBody),
        (status = 409, response = Conflict),
        ItemWriteErrors
    )
)]
#[put("/companies/{companyId}/connections/{connectionId}/authorization")]
pub async fn update_authorization(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<BTreeMap<String, String>>,
) -> ApiResult<web::Json<ConnectionBody>> {
    let (company, id) = path.into_inner();
    let service = app::authorization::Service {
        store: state.store.as_ref(),
        settings: state.settings(),
        providers: state.get_ref(),
        cipher: &state.cipher,
        verifiers: &state.verifier,
    };
    let who = Authorizer {
        client: caller.client,
        actor: caller.actor,
        by_customer: caller.token.is_some(),
        covered: caller.categories,
    };
    let which = (company.into(), ConnectionId::from(id));
    let connection = authorize(&service, &who, which, body.into_inner()).await?;
    Ok(web::Json(state.connection_body(connection)))
}
