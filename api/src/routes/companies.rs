use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use std::collections::HashMap;

use domain::company::{Company, CompanyFields, CompanyPatch};
use domain::company_query::CompanyListQuery;
use domain::ids::ClientId;
use domain::ids::CompanyId;
use domain::paging::{CountMode, PageRequest};
use uuid::Uuid;

use crate::auth::Caller;
use crate::dto::company::{
    Companies, CompanyBody, CompanyListParams, CompanyRequestBody, CompanyUpdateRequest,
};
use crate::dto::connection::ConnectionBody;
use crate::dto::paging::PagingInfo;
use crate::error::{ApiError, ApiResult};
use crate::openapi::responses::{CreateErrors, ItemErrors, ItemWriteErrors, ListErrors};
use crate::state::AppState;

/// The wire form of companies with their connections, read in one query.
async fn bodies(
    state: &AppState,
    client: ClientId,
    companies: Vec<Company>,
) -> ApiResult<Vec<CompanyBody>> {
    let ids: Vec<CompanyId> = companies.iter().map(|c| c.id).collect();
    let mut by_company: HashMap<CompanyId, Vec<ConnectionBody>> = HashMap::new();
    for connection in state.store.connections_of(client, &ids).await? {
        let company = connection.company_id;
        by_company
            .entry(company)
            .or_default()
            .push(state.connection_body(connection));
    }
    Ok(companies
        .into_iter()
        .map(|company| {
            let connections = by_company.remove(&company.id).unwrap_or_default();
            CompanyBody::new(company, connections, &state.public_url)
        })
        .collect())
}

pub async fn company_body(
    state: &AppState,
    client: ClientId,
    company: Company,
) -> ApiResult<web::Json<CompanyBody>> {
    let mut bodies = bodies(state, client, vec![company]).await?;
    bodies
        .pop()
        .map(web::Json)
        .ok_or_else(|| ApiError::Internal("a company went missing".into()))
}

/// List companies
///
/// Returns a page of the client's companies, oldest first unless `orderBy`
/// says otherwise. `query` filters on company properties and `tags` on tags;
/// when both are given, a company must match both.
///
/// `totalResults` counts every matching company, which takes time in the
/// millions. With `Prefer: count=estimated`, a large total is the database's
/// estimate instead (PostgreSQL; exact below 10 000 and always on SQLite),
/// and the answer says so with `Preference-Applied: count=estimated`.
#[utoipa::path(
    operation_id = "list-companies",
    tag = "Companies",
    params(
        CompanyListParams,
        ("Prefer" = Option<String>, Header, description = "`count=estimated` lets a large `totalResults` be an estimate.", example = "count=estimated"),
    ),
    responses(
        (status = 200, description = "A page of companies.", body = Companies,
         headers(("Preference-Applied" = String, description = "`count=estimated` when `totalResults` is an estimate."))),
        ListErrors,
    )
)]
#[get("/companies")]
pub async fn list_companies(
    caller: Caller,
    state: web::Data<AppState>,
    params: web::Query<CompanyListParams>,
    request: HttpRequest,
) -> ApiResult<HttpResponse> {
    let params = params.into_inner();
    let page = PageRequest::new(params.page, params.page_size)?;
    let mut query = CompanyListQuery::parse(
        params.query.as_deref(),
        params.tags.as_deref(),
        params.order_by.as_deref(),
        page,
    )?;
    if prefers_estimated_count(&request) {
        query.count = CountMode::Estimated;
    }
    let found = state.store.list_companies(caller.client, &query).await?;
    let estimated = found.total_is_estimate;
    let paging = PagingInfo::of(&found, "/companies", request.query_string());
    let results = bodies(&state, caller.client, found.items).await?;
    let mut response = HttpResponse::Ok();
    if estimated {
        response.insert_header(("Preference-Applied", "count=estimated"));
    }
    Ok(response.json(Companies { results, paging }))
}

/// Whether the request's `Prefer` headers (RFC 7240) ask for `count=estimated`.
fn prefers_estimated_count(request: &HttpRequest) -> bool {
    request
        .headers()
        .get_all("prefer")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|preference| preference.trim().eq_ignore_ascii_case("count=estimated"))
}

/// Create company
///
/// Creates a company for one of the client's customers. Its journey starts
/// when the client creates a connection and sends the customer to its `linkUrl`.
#[utoipa::path(
    operation_id = "create-company",
    tag = "Companies",
    request_body = CompanyRequestBody,
    responses(
        (status = 200, description = "The new company.", body = CompanyBody),
        CreateErrors,
    )
)]
#[post("/companies")]
pub async fn create_company(
    caller: Caller,
    state: web::Data<AppState>,
    body: crate::extract::Json<CompanyRequestBody>,
) -> ApiResult<web::Json<CompanyBody>> {
    let fields = CompanyFields::try_from(body.into_inner())?;
    let company = state.store.create_company(caller.client, fields).await?;
    Ok(web::Json(CompanyBody::new(
        company,
        Vec::new(),
        &state.public_url,
    )))
}

/// Get company
#[utoipa::path(
    operation_id = "get-company",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses(
        (status = 200, description = "The company.", body = CompanyBody),
        ItemErrors,
    )
)]
#[get("/companies/{companyId}")]
pub async fn get_company(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<web::Json<CompanyBody>> {
    let id = id.into_inner();
    let company = state
        .store
        .get_company(caller.client, CompanyId::from(id))
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(id)))?;
    company_body(&state, caller.client, company).await
}

/// Replace company
///
/// Replaces the name, description and tags; anything left out is cleared.
#[utoipa::path(
    operation_id = "replace-company",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body = CompanyRequestBody,
    responses(
        (status = 200, description = "The company as replaced.", body = CompanyBody),
        ItemWriteErrors,
    )
)]
#[put("/companies/{companyId}")]
pub async fn replace_company(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: crate::extract::Json<CompanyRequestBody>,
) -> ApiResult<web::Json<CompanyBody>> {
    let id = id.into_inner();
    let fields = CompanyFields::try_from(body.into_inner())?;
    let company = state
        .store
        .replace_company(caller.client, CompanyId::from(id), fields)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(id)))?;
    company_body(&state, caller.client, company).await
}

/// Update company
///
/// Changes only the fields sent; absent and `null` fields stay as they are.
#[utoipa::path(
    operation_id = "update-company",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    request_body = CompanyUpdateRequest,
    responses(
        (status = 200, description = "The company as updated.", body = CompanyBody),
        ItemWriteErrors,
    )
)]
#[patch("/companies/{companyId}")]
pub async fn update_company(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    body: crate::extract::Json<CompanyUpdateRequest>,
) -> ApiResult<web::Json<CompanyBody>> {
    let id = id.into_inner();
    let patch = CompanyPatch::try_from(body.into_inner())?;
    let company = state
        .store
        .update_company(caller.client, CompanyId::from(id), patch)
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(id)))?;
    company_body(&state, caller.client, company).await
}

/// Delete a company
///
/// Deletes the company for good, with its connections and their history,
/// their stored credentials and tokens, its consent ledger and its
/// invitations; its events stay. OAuth grants its connections held are then
/// revoked at the providers that support it, best effort, each attempt
/// recorded as a `connection.revocation` event.
#[utoipa::path(
    operation_id = "delete-company",
    tag = "Companies",
    params(("companyId" = Uuid, Path, description = "The company's id.")),
    responses(
        (status = 204, description = "The company is deleted."),
        ItemErrors,
    )
)]
#[delete("/companies/{companyId}")]
pub async fn delete_company(
    caller: Caller,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let deleted = state
        .store
        .delete_company(caller.client, CompanyId::from(id))
        .await
        .map_err(|e| ApiError::from_repo(e, ApiError::company_not_found(id)))?;
    crate::revocation::revoke_all(&state, deleted).await;
    Ok(HttpResponse::NoContent().finish())
}
