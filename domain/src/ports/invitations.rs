//! Invitations and their completion.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ids::{ClientId, CompanyId};
use crate::invitation::Invitation;

use super::error::RepoError;

#[async_trait]
pub trait InvitationRepository: Send + Sync {
    /// Stores a new invitation, with the email that carries it in the same
    /// transaction when there is one; `NotFound` if the company is not the client's.
    async fn create_invitation(
        &self,
        invitation: &Invitation,
        email: Option<&crate::email::OutgoingEmail>,
    ) -> Result<(), RepoError>;

    /// A company's invitations, newest first; `NotFound` if the company is not the client's.
    async fn list_invitations(
        &self,
        client: ClientId,
        company: CompanyId,
    ) -> Result<Vec<Invitation>, RepoError>;

    /// One of the client's invitations, by id.
    async fn get_invitation(&self, client: ClientId, id: Uuid) -> Result<Invitation, RepoError>;

    /// Records the first time an invitation was opened (later openings keep it).
    async fn mark_invitation_opened(
        &self,
        client: ClientId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Marks those of the invitations that are not yet completed or revoked as completed.
    async fn mark_invitations_completed(
        &self,
        client: ClientId,
        ids: &[Uuid],
        at: DateTime<Utc>,
    ) -> Result<(), RepoError>;

    /// Revokes an invitation of the company (a revoked one keeps its first
    /// revocation time) and returns it; `NotFound` if there is no such invitation.
    async fn revoke_invitation(
        &self,
        client: ClientId,
        company: CompanyId,
        id: Uuid,
        at: DateTime<Utc>,
    ) -> Result<Invitation, RepoError>;
}
