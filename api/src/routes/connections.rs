use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use domain::connection::Cause;
use domain::connection_query::ConnectionListQuery;
use domain::ids::{CompanyId, ConnectionId};
use domain::integration::{PlatformKey, SourceType};
use domain::paging::PageRequest;
use domain::ports::SecretChange;
use domain::FieldError;
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::connection::{
    ConnectionBody, ConnectionHistory, ConnectionListParams, Connections, CreateConnectionRequest,
    UpdateConnectionStatus,
};
use crate::dto::paging::PagingInfo;
use crate::error::{ApiError, ApiResult};
use crate::openapi::responses::{
    Conflict, CreateErrors, ItemErrors, ItemWriteErrors, ListErrors, NotFound,
};
use crate::state::AppState;
use app::connections::{self, Change};

/// List connections
///
/// A page of the company's connections, oldest first unless `orderBy` says otherwise.
#[utoipa::path(
    operation_id = "list-connections",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ConnectionListParams),
    responses((status = 200, description = "A page of connections.", body = Connections), (status = 404, response = NotFound), ListErrors)
)]
#[get("/companies/{companyId}/connections")]
pub async fn list_connections(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
    params: web::Query<ConnectionListParams>,
    request: HttpRequest,
) -> ApiResult<web::Json<Connections>> {
    let company = company.into_inner();
    let params = params.into_inner();
    let page = PageRequest::new(params.page, params.page_size)?;
    let mut query =
        ConnectionListQuery::parse(params.query.as_deref(), params.order_by.as_deref(), page)?;
    if let Some(allowed) = caller.categories {
        let types: Vec<SourceType> = allowed
            .names()
            .into_iter()
            .flat_map(SourceType::of_category)
            .collect();
        query = query.limited_to(&types);
    }
    let found = state
        .store
        .list_connections(caller.client, CompanyId::from(company), &query)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(company)))?;
    let paging = PagingInfo::of(
        &found,
        &format!("/companies/{company}/connections"),
        request.query_string(),
    );
    let results = found
        .items
        .into_iter()
        .map(|c| state.connection_body(c))
        .collect();
    Ok(web::Json(Connections { results, paging }))
}

/// Create connection
///
/// Starts a connection to an enabled integration. It is `PendingAuth` until
/// the customer authorizes it at its `linkUrl`. A company has at most one
/// active (`PendingAuth` or `Linked`) accounting connection.
#[utoipa::path(
    operation_id = "create-connection",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body = CreateConnectionRequest,
    responses(
        (status = 200, description = "The new connection.", body = ConnectionBody),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        CreateErrors
    )
)]
#[post("/companies/{companyId}/connections")]
pub async fn create_connection(
    caller: Caller,
    state: web::Data<AppState>,
    company: web::Path<Uuid>,
    body: crate::extract::Json<CreateConnectionRequest>,
) -> ApiResult<web::Json<ConnectionBody>> {
    let company = company.into_inner();
    let raw_key = body.into_inner().platform_key.ok_or_else(|| {
        ApiError::field(FieldError::new(
            "platformKey",
            "Required",
            "platformKey is required.",
        ))
    })?;
    let request = connections::NewRequest {
        client: caller.client,
        company: company.into(),
        platform_key: PlatformKey::parse(&raw_key).map_err(ApiError::field)?,
        actor: caller.actor,
        by_customer: caller.token.is_some(),
        covered: caller.categories,
    };
    let connection = connections::create(state.store.as_ref(), state.get_ref(), request).await?;
    Ok(web::Json(state.connection_body(connection)))
}

/// Get connection
#[utoipa::path(
    operation_id = "get-connection",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("connectionId" = Uuid, Path, description = "The connection's id.")),
    responses((status = 200, description = "The connection.", body = ConnectionBody), ItemErrors)
)]
#[get("/companies/{companyId}/connections/{connectionId}")]
pub async fn get_connection(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<ConnectionBody>> {
    let (company, id) = path.into_inner();
    let connection = connections::load(
        state.store.as_ref(),
        caller.client,
        company.into(),
        id.into(),
    )
    .await?;
    caller.require_category(connection.source_type.category())?;
    Ok(web::Json(state.connection_body(connection)))
}

/// Unlink connection
///
/// Unlinks a `Linked` connection (`{"status": "Unlinked"}`); the customer can
/// link it again later. Any other change, or unlinking a connection that is
/// not `Linked`, is refused with 409 and changes nothing. With a company
/// token the customer unlinks it (history cause `UnlinkedByCustomer`), and
/// the stored tokens or credentials are destroyed with the link, so
/// linking again means authorizing again; a bare company id's token may not
/// (403): it proves nothing of who holds it.
#[utoipa::path(
    operation_id = "unlink-connection",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("connectionId" = Uuid, Path, description = "The connection's id.")),
    request_body = UpdateConnectionStatus,
    responses(
        (status = 200, description = "The connection, unlinked.", body = ConnectionBody),
        (status = 409, response = Conflict),
        ItemWriteErrors
    )
)]
#[patch("/companies/{companyId}/connections/{connectionId}")]
pub async fn unlink_connection(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    body: crate::extract::Json<UpdateConnectionStatus>,
) -> ApiResult<web::Json<ConnectionBody>> {
    let (company, id) = path.into_inner();
    match body.into_inner().status.as_deref() {
        Some("Unlinked") => {}
        Some(other) => {
            return Err(ApiError::field(FieldError::new(
                "status",
                "OnlyUnlinked",
                format!("A client can only set the status to `Unlinked`, not `{other}`."),
            )))
        }
        None => {
            return Err(ApiError::field(FieldError::new(
                "status",
                "Required",
                "status is required.",
            )))
        }
    }
    let change = if caller.token.is_some() {
        let current = connections::load(
            state.store.as_ref(),
            caller.client,
            company.into(),
            id.into(),
        )
        .await?;
        caller.require_category(current.source_type.category())?;
        // The customer stops sharing: the grant goes with the link.
        Change {
            secret: SecretChange::Destroy,
            ..Change::new(Cause::UnlinkedByCustomer, caller.actor)
        }
    } else {
        Change::new(Cause::UnlinkedByClient, caller.actor)
    };
    let connection = connections::apply(
        state.store.as_ref(),
        state.settings(),
        (caller.client, company.into(), id.into()),
        change,
    )
    .await?
    .ok_or(app::AppError::ConnectionNotFound(id.into()))?;
    Ok(web::Json(state.connection_body(connection)))
}

/// Delete connection
///
/// Deletes the connection for good; its history stays readable to the
/// company's export. Answers 200 with an empty body. With a company token, the
/// customer may abandon a connection only while it is `PendingAuth` (to pick
/// another platform); any other is a 403.
#[utoipa::path(
    operation_id = "delete-connection",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("connectionId" = Uuid, Path, description = "The connection's id.")),
    responses((status = 200, description = "The connection is deleted."), (status = 409, response = Conflict), ItemErrors)
)]
#[delete("/companies/{companyId}/connections/{connectionId}")]
pub async fn delete_connection(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (company, id) = path.into_inner();
    if caller.token.is_some() {
        let current = connections::load(
            state.store.as_ref(),
            caller.client,
            company.into(),
            id.into(),
        )
        .await?;
        caller.require_category(current.source_type.category())?;
    }
    let change = Change {
        pending_only: caller.token.is_some(),
        ..Change::new(Cause::Deleted, caller.actor)
    };
    connections::apply(
        state.store.as_ref(),
        state.settings(),
        (caller.client, company.into(), id.into()),
        change,
    )
    .await?;
    Ok(HttpResponse::Ok().finish())
}

/// Connection history
///
/// Every transition of the connection, oldest first: from, to, cause, actor and time.
#[utoipa::path(
    operation_id = "get-connection-history",
    tag = "Connections",
    params(("companyId" = Uuid, Path, description = "The company's id."), ("connectionId" = Uuid, Path, description = "The connection's id.")),
    responses((status = 200, description = "The connection's transitions.", body = ConnectionHistory), ItemErrors)
)]
#[get("/companies/{companyId}/connections/{connectionId}/history")]
pub async fn connection_history(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<web::Json<ConnectionHistory>> {
    let (company, id) = path.into_inner();
    let (company, id): (CompanyId, ConnectionId) = (company.into(), id.into());
    connections::load(state.store.as_ref(), caller.client, company, id).await?;
    let entries = state
        .store
        .connection_history(caller.client, company, id)
        .await?;
    Ok(web::Json(ConnectionHistory {
        results: entries.into_iter().map(Into::into).collect(),
    }))
}
