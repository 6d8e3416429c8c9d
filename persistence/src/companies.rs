//! The company repository, for both stores.

use async_trait::async_trait;
use domain::company::{Company, CompanyFields, CompanyPatch};
use domain::company_query::CompanyListQuery;
use domain::ids::{ClientId, CompanyId};
use domain::paging::{CountMode, Page, EXACT_COUNT_BELOW};
use domain::ports::{CompanyRepository, DeletedCompany, RepoError};
use sqlx::types::Json;

use crate::error::repo_error;
use crate::rows::{now, CompanyRow, COMPANY_COLUMNS};
use crate::sql::{self, Bind, Dialect};
use crate::SqlStore;

macro_rules! company_repository {
    ($module:ident, $db:ty, $dialect:expr) => {
        mod $module {
            use super::*;
            use crate::connections::$module as connections;
            use crate::events::$module as events;

            #[async_trait]
            impl CompanyRepository for SqlStore<$db> {
                async fn create_company(&self, client: ClientId, fields: CompanyFields) -> Result<Company, RepoError> {
                    let company = Company { id: CompanyId::new(), client_id: client, fields, created: now() };
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    sqlx::query(
                        "INSERT INTO companies (id, client_id, name, description, tags, created_at, next_reminder_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6)",
                    )
                    .bind(company.id.as_uuid())
                    .bind(client.as_uuid())
                    .bind(company.fields.name.as_str())
                    .bind(company.fields.description.as_deref())
                    .bind(Json(company.fields.tags.as_map()))
                    .bind(company.created)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                    events::emit(&mut tx, &company, "company.created", self.payloads.company(&company), self.payloads.correlation_id()).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(company)
                }

                async fn get_company(&self, client: ClientId, id: CompanyId) -> Result<Company, RepoError> {
                    let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE client_id = $1 AND id = $2");
                    sqlx::query_as::<_, CompanyRow>(&sql)
                        .bind(client.as_uuid())
                        .bind(id.as_uuid())
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .try_into()
                }

                async fn find_company(&self, id: CompanyId) -> Result<Company, RepoError> {
                    let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE id = $1");
                    sqlx::query_as::<_, CompanyRow>(&sql)
                        .bind(id.as_uuid())
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .try_into()
                }

                async fn list_companies(
                    &self,
                    client: ClientId,
                    query: &CompanyListQuery,
                ) -> Result<Page<Company>, RepoError> {
                    let mut scope = sql::scope($dialect, "companies", client.as_uuid(), None, query.filter.as_ref());
                    let estimate = match (query.count, $dialect) {
                        (CountMode::Estimated, Dialect::Postgres) => {
                            let explain = format!("EXPLAIN (FORMAT JSON) SELECT 1{}", scope.sql);
                            let plan: serde_json::Value = bind_all!(sqlx::query_scalar(&explain), &scope.binds)
                                .fetch_one(&mut *self.connection().await?)
                                .await
                                .map_err(repo_error)?;
                            plan[0]["Plan"]["Plan Rows"]
                                .as_f64()
                                .map(|rows| rows.max(0.0).round() as u64)
                                .filter(|rows| *rows >= EXACT_COUNT_BELOW)
                        }
                        // SQLite keeps no row estimates: it counts.
                        _ => None,
                    };
                    let total = match estimate {
                        Some(rows) => rows,
                        None => {
                            let count_sql = format!("SELECT COUNT(*){}", scope.sql);
                            let counted: i64 = bind_all!(sqlx::query_scalar(&count_sql), &scope.binds)
                                .fetch_one(&mut *self.connection().await?)
                                .await
                                .map_err(repo_error)?;
                            u64::try_from(counted).unwrap_or_default()
                        }
                    };
                    let order = sql::order(&query.order);
                    let limit = scope.bind(Bind::Int(i64::from(query.page.page_size())));
                    let offset = scope.bind(Bind::Int(i64::try_from(query.page.offset()).unwrap_or(i64::MAX)));
                    let page_sql = format!("SELECT {COMPANY_COLUMNS}{}{order} LIMIT {limit} OFFSET {offset}", scope.sql);
                    let rows: Vec<CompanyRow> = bind_all!(sqlx::query_as(&page_sql), &scope.binds)
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(Page {
                        items: rows.into_iter().map(Company::try_from).collect::<Result<_, _>>()?,
                        total,
                        total_is_estimate: estimate.is_some(),
                        request: query.page,
                    })
                }

                async fn replace_company(
                    &self,
                    client: ClientId,
                    id: CompanyId,
                    fields: CompanyFields,
                ) -> Result<Company, RepoError> {
                    let sql = format!(
                        "UPDATE companies SET name = $3, description = $4, tags = $5 \
                         WHERE client_id = $1 AND id = $2 RETURNING {COMPANY_COLUMNS}"
                    );
                    sqlx::query_as::<_, CompanyRow>(&sql)
                        .bind(client.as_uuid())
                        .bind(id.as_uuid())
                        .bind(fields.name.as_str())
                        .bind(fields.description.as_deref())
                        .bind(Json(fields.tags.as_map()))
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .try_into()
                }

                async fn update_company(
                    &self,
                    client: ClientId,
                    id: CompanyId,
                    patch: CompanyPatch,
                ) -> Result<Company, RepoError> {
                    let sql = format!(
                        "UPDATE companies SET name = COALESCE($3, name), \
                         description = CASE WHEN $4 THEN $5 ELSE description END, \
                         tags = COALESCE($6, tags) \
                         WHERE client_id = $1 AND id = $2 RETURNING {COMPANY_COLUMNS}"
                    );
                    sqlx::query_as::<_, CompanyRow>(&sql)
                        .bind(client.as_uuid())
                        .bind(id.as_uuid())
                        .bind(patch.name.as_ref().map(|n| n.as_str()))
                        .bind(patch.description.is_some())
                        .bind(patch.description.as_deref().filter(|d| !d.is_empty()))
                        .bind(patch.tags.as_ref().map(|t| Json(t.as_map())))
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .try_into()
                }

                async fn delete_company(&self, client: ClientId, id: CompanyId) -> Result<DeletedCompany, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Locking first takes the write lock and keeps the company's links out
                    // while its tokens are read; the event shows the company as it was.
                    connections::lock_company(&mut tx, client, id).await?;
                    let oauth_grants = connections::oauth_grants(&mut tx, client, id).await?;
                    let sql = format!("DELETE FROM companies WHERE client_id = $1 AND id = $2 RETURNING {COMPANY_COLUMNS}");
                    let company: Company = sqlx::query_as::<_, CompanyRow>(&sql)
                        .bind(client.as_uuid())
                        .bind(id.as_uuid())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .try_into()?;
                    events::emit(&mut tx, &company, "company.deleted", self.payloads.company(&company), self.payloads.correlation_id()).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(DeletedCompany { company, oauth_grants })
                }
            }
        }
    };
}

company_repository!(sqlite, sqlx::Sqlite, Dialect::Sqlite);
company_repository!(postgres, sqlx::Postgres, Dialect::Postgres);
