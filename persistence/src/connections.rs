//! Connections, their errors and history, for both stores.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::connection::{
    Actor, Cause, Connection, ConnectionError, ConnectionStatus, HistoryEntry,
};
use domain::connection_query::ConnectionListQuery;
use domain::ids::{ClientId, CompanyId, ConnectionId};
use domain::integration::{PlatformKey, SourceType};
use domain::paging::Page;
use domain::ports::{
    ConnectionRepository, ConnectionSecret, EventPayloads, NewConnection, RepoError, SecretChange,
    SecretKind, TransitionRequest,
};
use domain::secrets::SealedSecret;
use uuid::Uuid;

use crate::error::repo_error;
use crate::rows::now;
use crate::sql::{self, Bind, Dialect, Statement};
use crate::SqlStore;

const COLUMNS: &str = "c.id, c.client_id, c.company_id, c.platform_key, c.source_type, c.status, c.version, c.created_at";

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: Uuid,
    client_id: Uuid,
    company_id: Uuid,
    platform_key: String,
    source_type: String,
    status: String,
    version: i64,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ErrorRow {
    connection_id: Uuid,
    status_code: String,
    status_text: String,
    error_message: String,
    errored_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    from_status: Option<String>,
    to_status: Option<String>,
    cause: String,
    actor: String,
    occurred_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SecretRow {
    kind: String,
    key_version: i64,
    ciphertext: Vec<u8>,
    access_expires_at: Option<DateTime<Utc>>,
}

/// A stored secret with the connection it belongs to.
#[derive(sqlx::FromRow)]
struct OwnedSecretRow {
    connection_id: Uuid,
    #[sqlx(flatten)]
    secret: SecretRow,
}

impl TryFrom<SecretRow> for ConnectionSecret {
    type Error = RepoError;

    fn try_from(row: SecretRow) -> Result<Self, RepoError> {
        let kind = match row.kind.as_str() {
            "Credentials" => SecretKind::Credentials,
            "OAuthTokens" => SecretKind::OAuthTokens,
            other => return Err(corrupt("secret kind", other)),
        };
        let key_version = u32::try_from(row.key_version)
            .map_err(|_| corrupt("key version", &row.key_version.to_string()))?;
        Ok(Self {
            kind,
            sealed: SealedSecret {
                key_version,
                bytes: row.ciphertext,
            },
            access_expires_at: row.access_expires_at,
        })
    }
}

fn corrupt(what: &str, value: &str) -> RepoError {
    RepoError::Failure(format!(
        "stored connection data has an invalid {what}: {value}"
    ))
}

fn status(text: &str) -> Result<ConnectionStatus, RepoError> {
    ConnectionStatus::parse(text).ok_or_else(|| corrupt("status", text))
}

/// Builds connections from rows and their errors (newest error first).
fn assemble(rows: Vec<ConnectionRow>, errors: Vec<ErrorRow>) -> Result<Vec<Connection>, RepoError> {
    let mut by_connection: HashMap<Uuid, Vec<ConnectionError>> = HashMap::new();
    for e in errors {
        by_connection
            .entry(e.connection_id)
            .or_default()
            .push(ConnectionError {
                status_code: e.status_code,
                status_text: e.status_text,
                error_message: e.error_message,
                errored_on: e.errored_at,
                resolved_on: e.resolved_at,
            });
    }
    rows.into_iter()
        .map(|row| {
            let mut errors = by_connection.remove(&row.id).unwrap_or_default();
            errors.sort_by_key(|e| std::cmp::Reverse(e.errored_on));
            Ok(Connection {
                id: row.id.into(),
                client_id: row.client_id.into(),
                company_id: row.company_id.into(),
                platform_key: PlatformKey::parse(&row.platform_key)
                    .map_err(|_| corrupt("platform key", &row.platform_key))?,
                source_type: SourceType::parse(&row.source_type)
                    .ok_or_else(|| corrupt("source type", &row.source_type))?,
                status: status(&row.status)?,
                version: row.version,
                created: row.created_at,
                errors,
            })
        })
        .collect()
}

impl TryFrom<HistoryRow> for HistoryEntry {
    type Error = RepoError;

    fn try_from(row: HistoryRow) -> Result<Self, RepoError> {
        Ok(Self {
            from: row.from_status.as_deref().map(status).transpose()?,
            to: row.to_status.as_deref().map(status).transpose()?,
            cause: Cause::parse(&row.cause).ok_or_else(|| corrupt("cause", &row.cause))?,
            actor: Actor::parse(&row.actor).ok_or_else(|| corrupt("actor", &row.actor))?,
            occurred: row.occurred_at,
        })
    }
}

/// `WHERE c.id IN ($n, …)` over the given ids, appended to `statement`.
fn in_list(statement: &mut Statement, column: &str, ids: impl Iterator<Item = Uuid>) {
    let placeholders: Vec<String> = ids.map(|id| statement.bind(Bind::Uuid(id))).collect();
    statement.push(&format!(" AND {column} IN ({})", placeholders.join(", ")));
}

macro_rules! connection_repository {
    ($module:ident, $db:ty, $dialect:expr) => {
        pub(crate) mod $module {
            use super::*;
            use crate::events::$module as events;

            pub(crate) type Tx<'a> = sqlx::Transaction<'a, $db>;

            async fn history(
                tx: &mut Tx<'_>,
                client: ClientId,
                company: CompanyId,
                id: ConnectionId,
                request: &TransitionRequest,
                at: DateTime<Utc>,
            ) -> Result<(), sqlx::Error> {
                let t = &request.transition;
                sqlx::query(
                    "INSERT INTO connection_history \
                     (id, connection_id, company_id, client_id, from_status, to_status, cause, actor, occurred_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(Uuid::now_v7())
                .bind(id.as_uuid())
                .bind(company.as_uuid())
                .bind(client.as_uuid())
                .bind(t.from.map(ConnectionStatus::as_str))
                .bind(t.to.map(ConnectionStatus::as_str))
                .bind(t.cause.as_str())
                .bind(request.actor.to_text())
                .bind(at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            async fn put_secret(tx: &mut Tx<'_>, id: ConnectionId, secret: &ConnectionSecret, at: DateTime<Utc>) -> Result<(), sqlx::Error> {
                sqlx::query(
                    "INSERT INTO connection_secrets (connection_id, kind, key_version, ciphertext, access_expires_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (connection_id) DO UPDATE SET kind = excluded.kind, key_version = excluded.key_version, \
                     ciphertext = excluded.ciphertext, access_expires_at = excluded.access_expires_at, \
                     refresh_lease_until = NULL, updated_at = excluded.updated_at",
                )
                .bind(id.as_uuid())
                .bind(secret.kind.as_str())
                .bind(i64::from(secret.sealed.key_version))
                .bind(secret.sealed.bytes.as_slice())
                .bind(secret.access_expires_at)
                .bind(at)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Takes the company's write lock for the rest of the transaction,
            /// so consent checks and withdrawals of one company run one at a
            /// time. `NotFound` if the company is not the client's.
            pub(crate) async fn lock_company(tx: &mut Tx<'_>, client: ClientId, company: CompanyId) -> Result<(), RepoError> {
                let locked = sqlx::query("UPDATE companies SET client_id = client_id WHERE id = $1 AND client_id = $2")
                    .bind(company.as_uuid())
                    .bind(client.as_uuid())
                    .execute(&mut **tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                if locked == 0 {
                    return Err(RepoError::NotFound);
                }
                Ok(())
            }

            /// Writes a transition inside a transaction: compare-and-set on the
            /// version, errors, secret and history. Returns whether a stored
            /// secret was destroyed.
            pub(crate) async fn write_transition(
                tx: &mut Tx<'_>,
                payloads: &dyn EventPayloads,
                client: ClientId,
                company: CompanyId,
                request: &TransitionRequest,
            ) -> Result<bool, RepoError> {
                let id = request.connection;
                let at = now();
                // Compare-and-set first: it also takes the write lock before anything is read.
                let changed = sqlx::query(
                    "UPDATE connections SET status = COALESCE($1, status), version = version + 1, updated_at = $2 \
                     WHERE id = $3 AND client_id = $4 AND company_id = $5 AND version = $6",
                )
                .bind(request.transition.to.map(ConnectionStatus::as_str))
                .bind(at)
                .bind(id.as_uuid())
                .bind(client.as_uuid())
                .bind(company.as_uuid())
                .bind(request.expected_version)
                .execute(&mut **tx)
                .await
                .map_err(repo_error)?
                .rows_affected();
                if changed == 0 {
                    let current: Option<i64> = sqlx::query_scalar(
                        "SELECT version FROM connections WHERE id = $1 AND client_id = $2 AND company_id = $3",
                    )
                    .bind(id.as_uuid())
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(repo_error)?;
                    return Err(match current {
                        Some(_) => RepoError::Conflict("the connection changed meanwhile".into()),
                        None => RepoError::NotFound,
                    });
                }
                // A deleted connection's event shows it as it was.
                let deleted = match request.transition.to {
                    Some(_) => None,
                    None => {
                        let before = load(&mut **tx, one(client, company, id)).await?.pop();
                        sqlx::query("DELETE FROM connections WHERE id = $1")
                            .bind(id.as_uuid())
                            .execute(&mut **tx)
                            .await
                            .map_err(repo_error)?;
                        before
                    }
                };
                if request.transition.to == Some(ConnectionStatus::Linked) {
                    sqlx::query("UPDATE connection_errors SET resolved_at = $1 WHERE connection_id = $2 AND resolved_at IS NULL")
                        .bind(at)
                        .bind(id.as_uuid())
                        .execute(&mut **tx)
                        .await
                        .map_err(repo_error)?;
                }
                if let Some(error) = &request.error {
                    sqlx::query(
                        "INSERT INTO connection_errors \
                         (id, connection_id, status_code, status_text, error_message, errored_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(Uuid::now_v7())
                    .bind(id.as_uuid())
                    .bind(&error.status_code)
                    .bind(&error.status_text)
                    .bind(&error.error_message)
                    .bind(error.errored_on)
                    .execute(&mut **tx)
                    .await
                    .map_err(repo_error)?;
                }
                let destroyed = match &request.secret {
                    SecretChange::Keep => false,
                    SecretChange::Put(secret) => {
                        put_secret(tx, id, secret, at).await.map_err(repo_error)?;
                        false
                    }
                    SecretChange::Destroy => destroy_secret(tx, id).await?,
                };
                history(tx, client, company, id, request, at).await.map_err(repo_error)?;
                let subject = match deleted {
                    Some(before) => before,
                    None => load(&mut **tx, one(client, company, id)).await?.pop().ok_or(RepoError::NotFound)?,
                };
                let owner = events::company(&mut **tx, client, company).await?;
                let payload = payloads.connection(&owner, &subject);
                events::emit(&mut **tx, &owner, request.transition.event.event_type(), payload, payloads.correlation_id()).await?;
                Ok(destroyed)
            }

            /// The company's connections that hold OAuth tokens, with those tokens.
            pub(crate) async fn oauth_grants(
                tx: &mut Tx<'_>,
                client: ClientId,
                company: CompanyId,
            ) -> Result<Vec<(Connection, ConnectionSecret)>, RepoError> {
                let mut select = Statement::default();
                let (client, company, kind) = (
                    select.bind(Bind::Uuid(client.as_uuid())),
                    select.bind(Bind::Uuid(company.as_uuid())),
                    select.bind(Bind::Text(SecretKind::OAuthTokens.as_str().to_owned())),
                );
                select.push(&format!(
                    "SELECT {COLUMNS} FROM connections c WHERE c.client_id = {client} AND c.company_id = {company} \
                     AND EXISTS (SELECT 1 FROM connection_secrets s WHERE s.connection_id = c.id AND s.kind = {kind}) \
                     ORDER BY c.created_at, c.id"
                ));
                let connections = load(&mut **tx, select).await?;
                if connections.is_empty() {
                    return Ok(Vec::new());
                }
                let mut secrets = Statement::default();
                secrets.push(
                    "SELECT s.connection_id, s.kind, s.key_version, s.ciphertext, s.access_expires_at \
                     FROM connection_secrets s WHERE 1 = 1",
                );
                in_list(&mut secrets, "s.connection_id", connections.iter().map(|c| c.id.as_uuid()));
                let rows: Vec<OwnedSecretRow> = bind_all!(sqlx::query_as(&secrets.sql), &secrets.binds)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(repo_error)?;
                let mut by_connection: HashMap<Uuid, ConnectionSecret> = HashMap::new();
                for row in rows {
                    by_connection.insert(row.connection_id, ConnectionSecret::try_from(row.secret)?);
                }
                Ok(connections
                    .into_iter()
                    .filter_map(|c| by_connection.remove(&c.id.as_uuid()).map(|secret| (c, secret)))
                    .collect())
            }

            /// Deletes a connection's stored secret; whether there was one.
            pub(crate) async fn destroy_secret(tx: &mut Tx<'_>, id: ConnectionId) -> Result<bool, RepoError> {
                let deleted = sqlx::query("DELETE FROM connection_secrets WHERE connection_id = $1")
                    .bind(id.as_uuid())
                    .execute(&mut **tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                Ok(deleted > 0)
            }

            /// Connections matching a statement, with their errors.
            async fn load(
                connection: &mut <$db as sqlx::Database>::Connection,
                select: Statement,
            ) -> Result<Vec<Connection>, RepoError> {
                let rows: Vec<ConnectionRow> = bind_all!(sqlx::query_as(&select.sql), &select.binds)
                    .fetch_all(&mut *connection)
                    .await
                    .map_err(repo_error)?;
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let mut errors = Statement::default();
                errors.push(
                    "SELECT e.connection_id, e.status_code, e.status_text, e.error_message, e.errored_at, e.resolved_at \
                     FROM connection_errors e WHERE 1 = 1",
                );
                in_list(&mut errors, "e.connection_id", rows.iter().map(|r| r.id));
                let error_rows: Vec<ErrorRow> = bind_all!(sqlx::query_as(&errors.sql), &errors.binds)
                    .fetch_all(&mut *connection)
                    .await
                    .map_err(repo_error)?;
                assemble(rows, error_rows)
            }

            fn one(client: ClientId, company: CompanyId, id: ConnectionId) -> Statement {
                let mut select = Statement::default();
                let (client, company, id) = (
                    select.bind(Bind::Uuid(client.as_uuid())),
                    select.bind(Bind::Uuid(company.as_uuid())),
                    select.bind(Bind::Uuid(id.as_uuid())),
                );
                select.push(&format!(
                    "SELECT {COLUMNS} FROM connections c WHERE c.client_id = {client} AND c.company_id = {company} AND c.id = {id}"
                ));
                select
            }

            #[async_trait]
            impl ConnectionRepository for SqlStore<$db> {
                async fn create_connection(
                    &self,
                    client: ClientId,
                    new: NewConnection,
                    actor: Actor,
                ) -> Result<Connection, RepoError> {
                    let id = ConnectionId::new();
                    let created = now();
                    let transition = domain::connection::transition(None, Cause::Created)
                        .map_err(|e| RepoError::Failure(e.to_string()))?;
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Inserting only if the company is the client's checks and writes in one statement.
                    let inserted = sqlx::query(
                        "INSERT INTO connections \
                         (id, client_id, company_id, platform_key, source_type, status, version, created_at, updated_at) \
                         SELECT $1, $2, $3, $4, $5, $6, 1, $7, $7 \
                         WHERE EXISTS (SELECT 1 FROM companies WHERE id = $3 AND client_id = $2)",
                    )
                    .bind(id.as_uuid())
                    .bind(client.as_uuid())
                    .bind(new.company.as_uuid())
                    .bind(new.platform_key.as_str())
                    .bind(new.source_type.as_str())
                    .bind(ConnectionStatus::PendingAuth.as_str())
                    .bind(created)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if inserted == 0 {
                        return Err(RepoError::NotFound);
                    }
                    let request = TransitionRequest {
                        connection: id,
                        expected_version: 0,
                        transition,
                        actor,
                        error: None,
                        secret: SecretChange::Keep,
                        consent_for: None,
                    };
                    history(&mut tx, client, new.company, id, &request, created).await.map_err(repo_error)?;
                    let connection = Connection {
                        id,
                        client_id: client,
                        company_id: new.company,
                        platform_key: new.platform_key,
                        source_type: new.source_type,
                        status: ConnectionStatus::PendingAuth,
                        version: 1,
                        created,
                        errors: Vec::new(),
                    };
                    let owner = events::company(&mut tx, client, new.company).await?;
                    let payload = self.payloads.connection(&owner, &connection);
                    events::emit(&mut tx, &owner, request.transition.event.event_type(), payload, self.payloads.correlation_id()).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(connection)
                }

                async fn get_connection(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    id: ConnectionId,
                ) -> Result<Connection, RepoError> {
                    let mut connection = self.connection().await?;
                    load(&mut connection, one(client, company, id)).await?.pop().ok_or(RepoError::NotFound)
                }

                async fn list_connections(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    query: &ConnectionListQuery,
                ) -> Result<Page<Connection>, RepoError> {
                    ensure_company!(&mut *self.connection().await?, client, company);
                    let mut scope =
                        sql::scope($dialect, "connections", client.as_uuid(), Some(company.as_uuid()), query.filter.as_ref());
                    let count_sql = format!("SELECT COUNT(*){}", scope.sql);
                    let total: i64 = bind_all!(sqlx::query_scalar(&count_sql), &scope.binds)
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    let order = sql::order(&query.order);
                    let limit = scope.bind(Bind::Int(i64::from(query.page.page_size())));
                    let offset = scope.bind(Bind::Int(i64::try_from(query.page.offset()).unwrap_or(i64::MAX)));
                    scope.sql = format!("SELECT {COLUMNS}{}{order} LIMIT {limit} OFFSET {offset}", scope.sql);
                    let mut connection = self.connection().await?;
                    Ok(Page {
                        items: load(&mut connection, scope).await?,
                        total: u64::try_from(total).unwrap_or_default(),
                        total_is_estimate: false,
                        request: query.page,
                    })
                }

                async fn connections_of(&self, client: ClientId, companies: &[CompanyId]) -> Result<Vec<Connection>, RepoError> {
                    if companies.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut select = Statement::default();
                    let client = select.bind(Bind::Uuid(client.as_uuid()));
                    select.push(&format!("SELECT {COLUMNS} FROM connections c WHERE c.client_id = {client}"));
                    in_list(&mut select, "c.company_id", companies.iter().map(CompanyId::as_uuid));
                    select.push(" ORDER BY c.created_at, c.id");
                    let mut connection = self.connection().await?;
                    load(&mut connection, select).await
                }

                async fn apply_transition(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    request: TransitionRequest,
                ) -> Result<Option<Connection>, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    if let Some(category) = request.consent_for {
                        lock_company(&mut tx, client, company).await?;
                        let ledger = crate::consents::$module::ledger(&mut tx, client, company).await?;
                        if !domain::consent::active_categories(&ledger).contains(category) {
                            return Err(RepoError::ConsentMissing(category));
                        }
                    }
                    write_transition(&mut tx, self.payloads.as_ref(), client, company, &request).await?;
                    let after = match request.transition.to {
                        Some(_) => load(&mut *tx, one(client, company, request.connection)).await?.pop(),
                        None => None,
                    };
                    tx.commit().await.map_err(repo_error)?;
                    Ok(after)
                }

                async fn replace_connection_secret(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    id: ConnectionId,
                    secret: ConnectionSecret,
                ) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Touching the row first takes the write lock and proves it is still linked.
                    let linked = sqlx::query(
                        "UPDATE connections SET updated_at = $1 \
                         WHERE id = $2 AND client_id = $3 AND company_id = $4 AND status = 'Linked'",
                    )
                    .bind(now())
                    .bind(id.as_uuid())
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if linked == 0 {
                        let gone = load(&mut tx, one(client, company, id)).await?.is_empty();
                        return Err(if gone { RepoError::NotFound } else { RepoError::Conflict("not linked".into()) });
                    }
                    put_secret(&mut tx, id, &secret, now()).await.map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn get_connection_secret(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    id: ConnectionId,
                ) -> Result<Option<ConnectionSecret>, RepoError> {
                    let row: Option<SecretRow> = sqlx::query_as(
                        "SELECT s.kind, s.key_version, s.ciphertext, s.access_expires_at FROM connection_secrets s \
                         JOIN connections c ON c.id = s.connection_id \
                         WHERE c.id = $1 AND c.client_id = $2 AND c.company_id = $3",
                    )
                    .bind(id.as_uuid())
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .fetch_optional(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    row.map(ConnectionSecret::try_from).transpose()
                }

                async fn due_token_refreshes(&self, before: DateTime<Utc>, limit: u32) -> Result<Vec<Connection>, RepoError> {
                    let mut select = Statement::default();
                    let (before, at, kind, limit) = (
                        select.bind(Bind::DateTime(before)),
                        select.bind(Bind::DateTime(now())),
                        select.bind(Bind::Text(SecretKind::OAuthTokens.as_str().to_owned())),
                        select.bind(Bind::Int(i64::from(limit))),
                    );
                    select.push(&format!(
                        "SELECT {COLUMNS} FROM connections c JOIN connection_secrets s ON s.connection_id = c.id \
                         WHERE c.status = 'Linked' AND s.kind = {kind} AND s.access_expires_at < {before} \
                         AND (s.refresh_lease_until IS NULL OR s.refresh_lease_until < {at}) \
                         ORDER BY s.access_expires_at LIMIT {limit}"
                    ));
                    let mut connection = self.connection().await?;
                    load(&mut connection, select).await
                }

                async fn claim_token_refresh(&self, id: ConnectionId, until: DateTime<Utc>) -> Result<bool, RepoError> {
                    let claimed = sqlx::query(
                        "UPDATE connection_secrets SET refresh_lease_until = $1 \
                         WHERE connection_id = $2 AND (refresh_lease_until IS NULL OR refresh_lease_until < $3)",
                    )
                    .bind(until)
                    .bind(id.as_uuid())
                    .bind(now())
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    Ok(claimed == 1)
                }

                async fn connection_history(
                    &self,
                    client: ClientId,
                    company: CompanyId,
                    id: ConnectionId,
                ) -> Result<Vec<HistoryEntry>, RepoError> {
                    let rows: Vec<HistoryRow> = sqlx::query_as(
                        "SELECT from_status, to_status, cause, actor, occurred_at FROM connection_history \
                         WHERE client_id = $1 AND company_id = $2 AND connection_id = $3 ORDER BY occurred_at, id",
                    )
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_all(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    rows.into_iter().map(HistoryEntry::try_from).collect()
                }
            }
        }
    };
}

connection_repository!(sqlite, sqlx::Sqlite, Dialect::Sqlite);
connection_repository!(postgres, sqlx::Postgres, Dialect::Postgres);
