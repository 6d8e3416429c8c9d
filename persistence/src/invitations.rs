//! Invitations, for both stores.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::email::OutgoingEmail;
use domain::ids::{ClientId, CompanyId};
use domain::invitation::Invitation;
use domain::ports::{EventPayloads, InvitationRepository, RepoError};
use uuid::Uuid;

use crate::emails::{DeliveryRow, DELIVERY_COLUMNS};
use crate::error::repo_error;
use crate::rows::split_list;
use crate::SqlStore;

/// An invitation's columns, read from [`FROM`] with [`DELIVERY_COLUMNS`].
const COLUMNS: &str =
    "i.id, i.client_id, i.company_id, i.categories, i.recipient_name, i.recipient_email, i.message, \
     i.created_at, i.expires_at, i.opened_at, i.completed_at, i.revoked_at";
const FROM: &str = "invitations i LEFT JOIN emails m ON m.invitation_id = i.id";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    client_id: Uuid,
    company_id: Uuid,
    categories: String,
    recipient_name: Option<String>,
    recipient_email: Option<String>,
    message: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    opened_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    email: DeliveryRow,
}

impl From<Row> for Invitation {
    fn from(row: Row) -> Self {
        Self {
            id: row.id,
            client_id: row.client_id.into(),
            company_id: row.company_id.into(),
            categories: split_list(&row.categories),
            recipient_name: row.recipient_name,
            recipient_email: row.recipient_email,
            message: row.message,
            created: row.created_at,
            expires_at: row.expires_at,
            opened_at: row.opened_at,
            completed_at: row.completed_at,
            revoked_at: row.revoked_at,
            email: row.email.delivery(),
        }
    }
}

macro_rules! invitation_repository {
    ($module:ident, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use crate::events::$module as events;

            type Connection = <$db as sqlx::Database>::Connection;

            async fn invitation(connection: &mut Connection, client: ClientId, id: Uuid) -> Result<Invitation, RepoError> {
                let row: Option<Row> = sqlx::query_as(&format!(
                    "SELECT {COLUMNS}, {DELIVERY_COLUMNS} FROM {FROM} WHERE i.client_id = $1 AND i.id = $2"
                ))
                .bind(client.as_uuid())
                .bind(id)
                .fetch_optional(&mut *connection)
                .await
                .map_err(repo_error)?;
                row.map(Invitation::from).ok_or(RepoError::NotFound)
            }

            /// Writes the invitation's event (read back in the transaction) about its company.
            pub(crate) async fn announce(
                connection: &mut Connection,
                payloads: &dyn EventPayloads,
                client: ClientId,
                id: Uuid,
                event_type: &str,
            ) -> Result<Invitation, RepoError> {
                let invitation = invitation(connection, client, id).await?;
                let owner = events::company(connection, client, invitation.company_id).await?;
                let payload = payloads.invitation(&owner, &invitation);
                events::emit(connection, &owner, event_type, payload, payloads.correlation_id()).await?;
                Ok(invitation)
            }

            #[async_trait]
            impl InvitationRepository for SqlStore<$db> {
                async fn create_invitation(&self, i: &Invitation, email: Option<&OutgoingEmail>) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let inserted = sqlx::query(
                        "INSERT INTO invitations (id, client_id, company_id, categories, recipient_name, recipient_email, \
                         message, created_at, expires_at) \
                         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
                         WHERE EXISTS (SELECT 1 FROM companies WHERE id = $3 AND client_id = $2)",
                    )
                    .bind(i.id)
                    .bind(i.client_id.as_uuid())
                    .bind(i.company_id.as_uuid())
                    .bind(i.categories.join(","))
                    .bind(i.recipient_name.as_deref())
                    .bind(i.recipient_email.as_deref())
                    .bind(i.message.as_deref())
                    .bind(i.created)
                    .bind(i.expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    if inserted == 0 {
                        return Err(RepoError::NotFound);
                    }
                    if let Some(email) = email {
                        crate::emails::$module::check_journey_cap(&mut tx, email).await?;
                        crate::emails::$module::insert(&mut tx, email).await?;
                    }
                    announce(&mut tx, self.payloads.as_ref(), i.client_id, i.id, "invitation.created").await?;
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn list_invitations(&self, client: ClientId, company: CompanyId) -> Result<Vec<Invitation>, RepoError> {
                    ensure_company!(&mut *self.connection().await?, client, company);
                    let rows: Vec<Row> = sqlx::query_as(&format!(
                        "SELECT {COLUMNS}, {DELIVERY_COLUMNS} FROM {FROM} WHERE i.client_id = $1 AND i.company_id = $2 \
                         ORDER BY i.created_at DESC, i.id DESC"
                    ))
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .fetch_all(&mut *self.connection().await?)
                    .await
                    .map_err(repo_error)?;
                    Ok(rows.into_iter().map(Invitation::from).collect())
                }

                async fn get_invitation(&self, client: ClientId, id: Uuid) -> Result<Invitation, RepoError> {
                    let mut connection = self.connection().await?;
                    invitation(&mut connection, client, id).await
                }

                async fn mark_invitation_opened(&self, client: ClientId, id: Uuid, at: DateTime<Utc>) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let first = sqlx::query("UPDATE invitations SET opened_at = $1 WHERE client_id = $2 AND id = $3 AND opened_at IS NULL")
                        .bind(at)
                        .bind(client.as_uuid())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                    if first > 0 {
                        announce(&mut tx, self.payloads.as_ref(), client, id, "invitation.opened").await?;
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn mark_invitations_completed(&self, client: ClientId, ids: &[Uuid], at: DateTime<Utc>) -> Result<(), RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    for id in ids {
                        let first = sqlx::query(
                            "UPDATE invitations SET completed_at = $1 WHERE client_id = $2 AND id = $3 \
                             AND completed_at IS NULL AND revoked_at IS NULL",
                        )
                        .bind(at)
                        .bind(client.as_uuid())
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(repo_error)?
                        .rows_affected();
                        if first > 0 {
                            announce(&mut tx, self.payloads.as_ref(), client, *id, "invitation.completed").await?;
                        }
                    }
                    tx.commit().await.map_err(repo_error)?;
                    Ok(())
                }

                async fn revoke_invitation(&self, client: ClientId, company: CompanyId, id: Uuid, at: DateTime<Utc>) -> Result<Invitation, RepoError> {
                    let mut pooled = self.connection().await?;
                    let mut tx = pooled.begin().await.map_err(repo_error)?;
                    let first = sqlx::query(
                        "UPDATE invitations SET revoked_at = $1 \
                         WHERE client_id = $2 AND company_id = $3 AND id = $4 AND revoked_at IS NULL",
                    )
                    .bind(at)
                    .bind(client.as_uuid())
                    .bind(company.as_uuid())
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(repo_error)?
                    .rows_affected();
                    let revoked = if first > 0 {
                        announce(&mut tx, self.payloads.as_ref(), client, id, "invitation.revoked").await?
                    } else {
                        invitation(&mut tx, client, id).await?
                    };
                    tx.commit().await.map_err(repo_error)?;
                    if revoked.company_id != company {
                        return Err(RepoError::NotFound);
                    }
                    Ok(revoked)
                }
            }
        }
    };
}

invitation_repository!(sqlite, sqlx::Sqlite);
invitation_repository!(postgres, sqlx::Postgres);
