//! The event outbox, webhook consumers and their deliveries, for both stores.
//!
//! Events are written by the other repositories inside their own
//! transactions (see `emit`). The dispatcher then fans each event out into
//! deliveries, leases due deliveries, and records each attempt.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, SubsecRound, Utc};
use domain::company::Company;
use domain::ids::{ClientId, CompanyId};
use domain::paging::{Page, PageRequest};
use domain::ports::{
    Attempt, DeliveryLog, DeliveryNext, DeliveryRepository, DueDelivery, EventQuery,
    EventRepository, Outcome, RepoError, StoredWebhook, WebhookRepository,
};
use domain::secrets::SealedSecret;
use domain::webhook::{tag_list, Event, Webhook, MAX_WEBHOOKS};
use sqlx::types::Json;
use uuid::Uuid;

use crate::error::repo_error;
use crate::rows::{CompanyRow, COMPANY_COLUMNS};
use crate::sql::{Bind, Dialect, Statement};
use crate::SqlStore;

const EVENT_COLUMNS: &str =
    "e.id, e.client_id, e.company_id, e.event_type, e.generated_at, e.company_tags, e.payload, e.correlation_id";
const WEBHOOK_COLUMNS: &str =
    "w.id, w.client_id, w.url, w.disabled, w.event_types, w.company_tags, w.created_at, \
     w.secret_key_version, w.secret, w.previous_key_version, w.previous_secret, w.previous_until";

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    client_id: Uuid,
    company_id: Option<Uuid>,
    event_type: String,
    generated_at: DateTime<Utc>,
    company_tags: Json<Vec<String>>,
    payload: String,
    correlation_id: Option<String>,
}

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Self {
        Self {
            id: row.id,
            client_id: row.client_id.into(),
            company_id: row.company_id.map(Into::into),
            event_type: row.event_type,
            generated: row.generated_at,
            company_tags: row.company_tags.0,
            payload: row.payload,
            correlation_id: row.correlation_id,
        }
    }
}

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: Uuid,
    client_id: Uuid,
    url: String,
    disabled: bool,
    event_types: Json<Vec<String>>,
    company_tags: Json<Vec<String>>,
    created_at: DateTime<Utc>,
    secret_key_version: i64,
    secret: Vec<u8>,
    previous_key_version: Option<i64>,
    previous_secret: Option<Vec<u8>>,
    previous_until: Option<DateTime<Utc>>,
}

fn sealed(key_version: i64, bytes: Vec<u8>) -> Result<SealedSecret, RepoError> {
    let key_version = u32::try_from(key_version)
        .map_err(|_| RepoError::Failure(format!("stored key version {key_version}")))?;
    Ok(SealedSecret { key_version, bytes })
}

impl TryFrom<WebhookRow> for StoredWebhook {
    type Error = RepoError;

    fn try_from(row: WebhookRow) -> Result<Self, RepoError> {
        let previous = match (
            row.previous_key_version,
            row.previous_secret,
            row.previous_until,
        ) {
            (Some(version), Some(bytes), Some(until)) => Some((sealed(version, bytes)?, until)),
            _ => None,
        };
        Ok(Self {
            webhook: Webhook {
                id: row.id,
                client_id: row.client_id.into(),
                url: row.url,
                disabled: row.disabled,
                event_types: row.event_types.0,
                company_tags: row.company_tags.0,
                created: row.created_at,
            },
            secret: sealed(row.secret_key_version, row.secret)?,
            previous,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    event_id: Uuid,
    event_type: String,
    status: String,
    next_attempt_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct AttemptRow {
    delivery_id: Uuid,
    attempted_at: DateTime<Utc>,
    status_code: Option<i64>,
    latency_ms: i64,
    error: Option<String>,
}

impl From<AttemptRow> for Attempt {
    fn from(row: AttemptRow) -> Self {
        Self {
            at: row.attempted_at,
            status_code: row.status_code.and_then(|c| u16::try_from(c).ok()),
            latency_ms: row.latency_ms,
            error: row.error,
        }
    }
}

/// The `IN (…)` list of a statement.
fn placeholders(statement: &mut Statement, ids: &[Uuid]) -> String {
    ids.iter()
        .map(|id| statement.bind(Bind::Uuid(*id)))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! event_repository {
    ($module:ident, $db:ty, $dialect:expr) => {
        pub(crate) mod $module {
            use super::*;

            type Connection = <$db as sqlx::Database>::Connection;

            /// A company read inside the caller's transaction.
            pub(crate) async fn company(
                connection: &mut Connection,
                client: ClientId,
                id: CompanyId,
            ) -> Result<Company, RepoError> {
                let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE client_id = $1 AND id = $2");
                sqlx::query_as::<_, CompanyRow>(&sql)
                    .bind(client.as_uuid())
                    .bind(id.as_uuid())
                    .fetch_one(&mut *connection)
                    .await
                    .map_err(repo_error)?
                    .try_into()
            }

            /// Writes an event about `company` in the caller's transaction; returns its id.
            pub(crate) async fn emit(
                connection: &mut Connection,
                company: &Company,
                event_type: &str,
                payload: String,
                correlation_id: Option<String>,
            ) -> Result<Uuid, RepoError> {
                let event = Event {
                    id: Uuid::now_v7(),
                    client_id: company.client_id,
                    company_id: Some(company.id),
                    event_type: event_type.to_owned(),
                    generated: Utc::now().trunc_subsecs(6),
                    company_tags: tag_list(&company.fields.tags),
                    payload,
                    correlation_id,
                };
                insert_event(connection, &event, false).await?;
                Ok(event.id)
            }

            async fn insert_event(connection: &mut Connection, event: &Event, fanned_out: bool) -> Result<(), RepoError> {
                sqlx::query(
                    "INSERT INTO events (id, client_id, company_id, event_type, generated_at, company_tags, payload, fanned_out, correlation_id) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(event.id)
                .bind(event.client_id.as_uuid())
                .bind(event.company_id.map(|c| c.as_uuid()))
                .bind(&event.event_type)
                .bind(event.generated)
                .bind(Json(&event.company_tags))
                .bind(&event.payload)
                .bind(fanned_out)
                .bind(event.correlation_id.as_deref())
                .execute(&mut *connection)
                .await
                .map_err(repo_error)?;
                Ok(())
            }

            /// Makes a pending delivery of each event to each consumer named with it,
            /// a few hundred rows a statement.
            async fn insert_deliveries(connection: &mut Connection, targets: &[(&Event, Uuid)], now: DateTime<Utc>) -> Result<(), RepoError> {
                for chunk in targets.chunks(200) {
                    let mut insert = Statement::default();
                    let at = insert.bind(Bind::DateTime(now));
                    let rows: Vec<String> = chunk
                        .iter()
                        .map(|(event, webhook)| {
                            let id = insert.bind(Bind::Uuid(Uuid::now_v7()));
                            let client = insert.bind(Bind::Uuid(event.client_id.as_uuid()));
                            let event = insert.bind(Bind::Uuid(event.id));
                            let webhook = insert.bind(Bind::Uuid(*webhook));
                            format!("({id}, {client}, {event}, {webhook}, 'Pending', 0, {at}, {at})")
                        })
                        .collect();
                    insert.push(&format!(
                        "INSERT INTO deliveries (id, client_id, event_id, webhook_id, status, attempts, next_attempt_at, created_at) VALUES {}",
                        rows.join(", ")
                    ));
                    bind_all!(sqlx::query(&insert.sql), &insert.binds)
                        .execute(&mut *connection)
                        .await
                        .map_err(repo_error)?;
                }
                Ok(())
            }

            async fn webhooks_of(connection: &mut Connection, client: ClientId) -> Result<Vec<StoredWebhook>, RepoError> {
                let rows: Vec<WebhookRow> = sqlx::query_as(&format!(
                    "SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.client_id = $1 ORDER BY w.created_at, w.id"
                ))
                .bind(client.as_uuid())
                .fetch_all(&mut *connection)
                .await
                .map_err(repo_error)?;
                rows.into_iter().map(StoredWebhook::try_from).collect()
            }

            async fn event(connection: &mut Connection, client: ClientId, id: Uuid) -> Result<Event, RepoError> {
                let row: EventRow = sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} FROM events e WHERE e.client_id = $1 AND e.id = $2"))
                    .bind(client.as_uuid())
                    .bind(id)
                    .fetch_one(&mut *connection)
                    .await
                    .map_err(repo_error)?;
                Ok(row.into())
            }

            /// On SQLite, takes the write lock before reading, so two
            /// dispatchers take turns instead of failing on upgrade.
            async fn write_lock(connection: &mut Connection) -> Result<(), RepoError> {
                if matches!($dialect, Dialect::Sqlite) {
                    sqlx::query("UPDATE events SET fanned_out = fanned_out WHERE 0 = 1")
                        .execute(&mut *connection)
                        .await
                        .map_err(repo_error)?;
                }
                Ok(())
            }

            fn skip_locked(of: &str) -> String {
                match $dialect {
                    Dialect::Postgres => format!(" FOR UPDATE OF {of} SKIP LOCKED"),
                    Dialect::Sqlite => String::new(),
                }
            }

            #[async_trait]
            impl WebhookRepository for SqlStore<$db> {
                async fn create_webhook(&self, webhook: &Webhook, secret: &SealedSecret) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Locking the client row keeps the limit exact under concurrent creates.
                    sqlx::query("UPDATE clients SET id = id WHERE id = $1")
                        .bind(webhook.client_id.as_uuid())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks WHERE client_id = $1")
                        .bind(webhook.client_id.as_uuid())
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_WEBHOOKS {
                        return Err(RepoError::LimitReached("webhook consumers"));
                    }
                    sqlx::query(
                        "INSERT INTO webhooks (id, client_id, url, disabled, event_types, company_tags, secret_key_version, secret, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(webhook.id)
                    .bind(webhook.client_id.as_uuid())
                    .bind(&webhook.url)
                    .bind(webhook.disabled)
                    .bind(Json(&webhook.event_types))
                    .bind(Json(&webhook.company_tags))
                    .bind(i64::from(secret.key_version))
                    .bind(secret.bytes.as_slice())
                    .bind(webhook.created)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn list_webhooks(&self, client: ClientId) -> Result<Vec<Webhook>, RepoError> {
                    let mut connection = self.connection().await?;
                    Ok(webhooks_of(&mut connection, client).await?.into_iter().map(|w| w.webhook).collect())
                }

                async fn get_webhook(&self, client: ClientId, id: Uuid) -> Result<StoredWebhook, RepoError> {
                    let row: WebhookRow = sqlx::query_as(&format!(
                        "SELECT {WEBHOOK_COLUMNS} FROM webhooks w WHERE w.client_id = $1 AND w.id = $2"
                    ))
                    .bind(client.as_uuid())
                    .bind(id)
                    .fetch_one(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    row.try_into()
                }

                async fn update_webhook(&self, webhook: &Webhook) -> Result<(), RepoError> {
                    let updated = sqlx::query(
                        "UPDATE webhooks SET url = $1, disabled = $2, event_types = $3, company_tags = $4 \
                         WHERE client_id = $5 AND id = $6",
                    )
                    .bind(&webhook.url)
                    .bind(webhook.disabled)
                    .bind(Json(&webhook.event_types))
                    .bind(Json(&webhook.company_tags))
                    .bind(webhook.client_id.as_uuid())
                    .bind(webhook.id)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if updated == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                }

                async fn delete_webhook(&self, client: ClientId, id: Uuid) -> Result<(), RepoError> {
                    let deleted = sqlx::query("DELETE FROM webhooks WHERE client_id = $1 AND id = $2")
                        .bind(client.as_uuid())
                        .bind(id)
                        .execute(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                    if deleted == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                }

                async fn rotate_webhook_secret(
                    &self,
                    client: ClientId,
                    id: Uuid,
                    secret: &SealedSecret,
                    previous_until: DateTime<Utc>,
                ) -> Result<(), RepoError> {
                    let rotated = sqlx::query(
                        "UPDATE webhooks SET previous_key_version = secret_key_version, previous_secret = secret, \
                         previous_until = $1, secret_key_version = $2, secret = $3 WHERE client_id = $4 AND id = $5",
                    )
                    .bind(previous_until)
                    .bind(i64::from(secret.key_version))
                    .bind(secret.bytes.as_slice())
                    .bind(client.as_uuid())
                    .bind(id)
                    .execute(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if rotated == 0 {
                        return Err(RepoError::NotFound);
                    }
                    Ok(())
                }
            }

            #[async_trait]
            impl EventRepository for SqlStore<$db> {
                async fn list_events(&self, client: ClientId, query: &EventQuery, page: PageRequest) -> Result<Page<Event>, RepoError> {
                    let mut scope = Statement::default();
                    let client = scope.bind(Bind::Uuid(client.as_uuid()));
                    scope.push(&format!(" FROM events e WHERE e.client_id = {client}"));
                    if let Some(event_type) = &query.event_type {
                        let value = scope.bind(Bind::Text(event_type.clone()));
                        scope.push(&format!(" AND e.event_type = {value}"));
                    }
                    if let Some(company) = query.company {
                        let value = scope.bind(Bind::Uuid(company.as_uuid()));
                        scope.push(&format!(" AND e.company_id = {value}"));
                    }
                    if let Some(from) = query.from {
                        let value = scope.bind(Bind::DateTime(from));
                        scope.push(&format!(" AND e.generated_at >= {value}"));
                    }
                    if let Some(to) = query.to {
                        let value = scope.bind(Bind::DateTime(to));
                        scope.push(&format!(" AND e.generated_at < {value}"));
                    }
                    let count_sql = format!("SELECT COUNT(*){}", scope.sql);
                    let total: i64 = bind_all!(sqlx::query_scalar(&count_sql), &scope.binds)
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    let limit = scope.bind(Bind::Int(i64::from(page.page_size())));
                    let offset = scope.bind(Bind::Int(i64::try_from(page.offset()).unwrap_or(i64::MAX)));
                    let sql = format!("SELECT {EVENT_COLUMNS}{} ORDER BY e.generated_at DESC, e.id DESC LIMIT {limit} OFFSET {offset}", scope.sql);
                    let rows: Vec<EventRow> = bind_all!(sqlx::query_as(&sql), &scope.binds)
                        .fetch_all(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    Ok(Page {
                        items: rows.into_iter().map(Event::from).collect(),
                        total: u64::try_from(total).unwrap_or_default(),
                        total_is_estimate: false,
                        request: page,
                    })
                }

                async fn get_event(&self, client: ClientId, id: Uuid) -> Result<Event, RepoError> {
                    let mut connection = self.connection().await?;
                    event(&mut connection, client, id).await
                }

                async fn add_event(&self, event: &Event) -> Result<(), RepoError> {
                    let mut connection = self.connection().await?;
                    insert_event(&mut connection, event, false).await
                }

                async fn add_event_for(&self, event: &Event, webhook: Uuid, now: DateTime<Utc>) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    // Writing first takes the write lock; a consumer of another client undoes it.
                    insert_event(&mut tx, event, true).await?;
                    let owned: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhooks WHERE client_id = $1 AND id = $2")
                        .bind(event.client_id.as_uuid())
                        .bind(webhook)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    if owned == 0 {
                        return Err(RepoError::NotFound);
                    }
                    insert_deliveries(&mut tx, &[(event, webhook)], now).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn replay_event(&self, client: ClientId, id: Uuid, webhook: Option<Uuid>, now: DateTime<Utc>) -> Result<Vec<Uuid>, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    write_lock(&mut tx).await?;
                    let event = event(&mut tx, client, id).await?;
                    let consumers = webhooks_of(&mut tx, client).await?;
                    let targets: Vec<Uuid> = match webhook {
                        Some(target) => {
                            if !consumers.iter().any(|w| w.webhook.id == target) {
                                return Err(RepoError::NotFound);
                            }
                            vec![target]
                        }
                        None => consumers
                            .iter()
                            .filter(|w| w.webhook.wants(&event.event_type, &event.company_tags))
                            .map(|w| w.webhook.id)
                            .collect(),
                    };
                    let pairs: Vec<(&Event, Uuid)> = targets.iter().map(|target| (&event, *target)).collect();
                    insert_deliveries(&mut tx, &pairs, now).await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(targets)
                }
            }

            #[async_trait]
            impl DeliveryRepository for SqlStore<$db> {
                async fn fan_out(&self, now: DateTime<Utc>, limit: u32) -> Result<usize, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    write_lock(&mut tx).await?;
                    let rows: Vec<EventRow> = sqlx::query_as(&format!(
                        "SELECT {EVENT_COLUMNS} FROM events e WHERE NOT e.fanned_out ORDER BY e.generated_at, e.id LIMIT $1{}",
                        skip_locked("e")
                    ))
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                    let handled = rows.len();
                    let mut consumers: HashMap<ClientId, Vec<StoredWebhook>> = HashMap::new();
                    for row in &rows {
                        let client: ClientId = row.client_id.into();
                        if !consumers.contains_key(&client) {
                            let found = webhooks_of(&mut tx, client).await?;
                            consumers.insert(client, found);
                        }
                    }
                    let events: Vec<Event> = rows.into_iter().map(Event::from).collect();
                    let targets: Vec<(&Event, Uuid)> = events
                        .iter()
                        .flat_map(|event| {
                            consumers
                                .get(&event.client_id)
                                .into_iter()
                                .flatten()
                                .filter(|w| w.webhook.wants(&event.event_type, &event.company_tags))
                                .map(move |w| (event, w.webhook.id))
                        })
                        .collect();
                    insert_deliveries(&mut tx, &targets, now).await?;
                    let ids: Vec<Uuid> = events.iter().map(|event| event.id).collect();
                    for chunk in ids.chunks(500) {
                        let mut update = Statement::default();
                        let list = placeholders(&mut update, chunk);
                        update.push(&format!("UPDATE events SET fanned_out = TRUE WHERE id IN ({list})"));
                        bind_all!(sqlx::query(&update.sql), &update.binds)
                            .execute(&mut *tx)
                            .await
                            .map_err(repo_error)?;
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(handled)
                }

                async fn claim_deliveries(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: u32) -> Result<Vec<DueDelivery>, RepoError> {
                    let lease_until = lease_until.trunc_subsecs(6);
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    if matches!($dialect, Dialect::Postgres) {
                        // Due deliveries are few as a rule, so the planner expects few and would
                        // read and sort every one of a sudden burst to find the oldest; walking
                        // the partial index in order stops at the limit, however many are due.
                        // And the table may have been empty when a generic plan was cached, which
                        // would then scan it whole for each claimed row: plan each claim afresh.
                        sqlx::query(
                            "SELECT set_config('enable_sort', 'off', true), \
                             set_config('plan_cache_mode', 'force_custom_plan', true)",
                        )
                            .execute(&mut *tx)
                            .await
                            .map_err(repo_error)?;
                    }
                    // The due rows are picked (and, on PostgreSQL, locked) once, in a
                    // materialized CTE: a LIMIT in an IN subquery may be evaluated again
                    // for each row the UPDATE looks at, and so lease far more than `limit`.
                    let claimed: Vec<(Uuid, i64)> = sqlx::query_as(&format!(
                        "WITH due AS MATERIALIZED (SELECT d.id FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                           WHERE d.status = 'Pending' AND d.next_attempt_at <= $2 \
                           AND (d.lease_until IS NULL OR d.lease_until < $2) AND NOT w.disabled \
                           ORDER BY d.next_attempt_at LIMIT $3{}) \
                         UPDATE deliveries SET lease_until = $1 WHERE id IN (SELECT id FROM due) \
                         RETURNING id, attempts",
                        skip_locked("d")
                    ))
                    .bind(lease_until)
                    .bind(now)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(repo_error)?;
                    if claimed.is_empty() {
                        tx.commit().await.map_err(repo_error)?;
                        return Ok(Vec::new());
                    }
                    let ids: Vec<Uuid> = claimed.iter().map(|(id, _)| *id).collect();
                    let mut select = Statement::default();
                    let list = placeholders(&mut select, &ids);
                    select.push(&format!(
                        "SELECT d.id AS delivery_id, d.webhook_id, {EVENT_COLUMNS} FROM deliveries d \
                         JOIN events e ON e.id = d.event_id WHERE d.id IN ({list})"
                    ));
                    #[derive(sqlx::FromRow)]
                    struct Joined {
                        delivery_id: Uuid,
                        webhook_id: Uuid,
                        #[sqlx(flatten)]
                        event: EventRow,
                    }
                    let joined: Vec<Joined> = bind_all!(sqlx::query_as(&select.sql), &select.binds)
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    let mut webhooks: HashMap<Uuid, StoredWebhook> = HashMap::new();
                    let mut due = Vec::new();
                    for row in joined {
                        let event = Event::from(row.event);
                        if !webhooks.contains_key(&row.webhook_id) {
                            for found in webhooks_of(&mut tx, event.client_id).await? {
                                webhooks.insert(found.webhook.id, found);
                            }
                        }
                        let (Some(webhook), Some((_, attempts))) =
                            (webhooks.get(&row.webhook_id), claimed.iter().find(|(id, _)| *id == row.delivery_id))
                        else {
                            continue;
                        };
                        due.push(DueDelivery {
                            id: row.delivery_id,
                            attempts: *attempts,
                            lease_until,
                            event,
                            webhook: webhook.clone(),
                        });
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(due)
                }

                async fn record_attempts(&self, outcomes: &[Outcome]) -> Result<Vec<bool>, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let mut held = Vec::with_capacity(outcomes.len());
                    for outcome in outcomes {
                        let (status, retry_at) = match outcome.next {
                            DeliveryNext::Delivered => ("Delivered", None),
                            DeliveryNext::RetryAt(at) => ("Pending", Some(at)),
                            DeliveryNext::Failed => ("Failed", None),
                        };
                        let updated = sqlx::query(
                            "UPDATE deliveries SET status = $1, attempts = attempts + 1, \
                             next_attempt_at = COALESCE($2, next_attempt_at), lease_until = NULL \
                             WHERE id = $3 AND lease_until = $4",
                        )
                        .bind(status)
                        .bind(retry_at)
                        .bind(outcome.delivery)
                        .bind(outcome.lease_until.trunc_subsecs(6))
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                        held.push(updated > 0);
                        if updated == 0 {
                            continue;
                        }
                        let attempt = &outcome.attempt;
                        sqlx::query(
                            "INSERT INTO delivery_attempts (id, delivery_id, attempted_at, status_code, latency_ms, error) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(Uuid::now_v7())
                        .bind(outcome.delivery)
                        .bind(attempt.at)
                        .bind(attempt.status_code.map(i64::from))
                        .bind(attempt.latency_ms)
                        .bind(attempt.error.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?;
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(held)
                }

                async fn deliveries_of(&self, client: ClientId, webhook: Uuid, page: PageRequest) -> Result<Page<DeliveryLog>, RepoError> {
                    self.get_webhook(client, webhook).await?;
                    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deliveries WHERE webhook_id = $1")
                        .bind(webhook)
                        .fetch_one(&mut *self.connection().await?)
                        .await
                        .map_err(repo_error)?;
                    let rows: Vec<DeliveryRow> = sqlx::query_as(
                        "SELECT d.id, d.event_id, e.event_type, d.status, d.next_attempt_at, d.created_at \
                         FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.webhook_id = $1 \
                         ORDER BY d.created_at DESC, d.id DESC LIMIT $2 OFFSET $3",
                    )
                    .bind(webhook)
                    .bind(i64::from(page.page_size()))
                    .bind(i64::try_from(page.offset()).unwrap_or(i64::MAX))
                    .fetch_all(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    let mut attempts: HashMap<Uuid, Vec<Attempt>> = HashMap::new();
                    if !rows.is_empty() {
                        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
                        let mut select = Statement::default();
                        let list = placeholders(&mut select, &ids);
                        select.push(&format!(
                            "SELECT delivery_id, attempted_at, status_code, latency_ms, error FROM delivery_attempts \
                             WHERE delivery_id IN ({list}) ORDER BY attempted_at, id"
                        ));
                        let found: Vec<AttemptRow> = bind_all!(sqlx::query_as(&select.sql), &select.binds)
                            .fetch_all(&mut *self.connection().await?)
                            .await
                            .map_err(repo_error)?;
                        for row in found {
                            attempts.entry(row.delivery_id).or_default().push(row.into());
                        }
                    }
                    Ok(Page {
                        items: rows
                            .into_iter()
                            .map(|r| DeliveryLog {
                                attempts: attempts.remove(&r.id).unwrap_or_default(),
                                next_attempt_at: (r.status == "Pending").then_some(r.next_attempt_at),
                                id: r.id,
                                event_id: r.event_id,
                                event_type: r.event_type,
                                status: r.status,
                                created: r.created_at,
                            })
                            .collect(),
                        total: u64::try_from(total).unwrap_or_default(),
                        total_is_estimate: false,
                        request: page,
                    })
                }
            }
        }
    };
}

event_repository!(sqlite, sqlx::Sqlite, Dialect::Sqlite);
event_repository!(postgres, sqlx::Postgres, Dialect::Postgres);
