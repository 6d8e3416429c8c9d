//! Invitations: what happens to them as a company's journey goes on.

use chrono::Utc;
use domain::ids::{ClientId, CompanyId};
use domain::invitation::Invitation;
use domain::journey::JourneyStatus;
use domain::link_settings::CategorySet;
use domain::ports::{ConnectionRepository, InvitationRepository};
use uuid::Uuid;

use crate::ports::ClientSettings;
use crate::AppError;

/// Marks the company's open invitations whose categories are now all linked
/// as completed. Called after a connection becomes `Linked`.
pub async fn complete<S>(
    store: &S,
    settings: &dyn ClientSettings,
    client: ClientId,
    company: CompanyId,
) -> Result<(), AppError>
where
    S: InvitationRepository + ConnectionRepository + ?Sized,
{
    let now = Utc::now();
    let open: Vec<Invitation> = store
        .list_invitations(client, company)
        .await?
        .into_iter()
        .filter(|i| i.completed_at.is_none() && i.usable(now))
        .collect();
    if open.is_empty() {
        return Ok(());
    }
    let settings = settings.link_settings(client).await?;
    let connections = store.connections_of(client, &[company]).await?;
    let status = JourneyStatus::new(&settings, &[], &connections);
    let done: Vec<Uuid> = open
        .iter()
        .filter(|i| {
            status
                .clone()
                .invited(CategorySet::of(&i.categories))
                .complete()
        })
        .map(|i| i.id)
        .collect();
    store.mark_invitations_completed(client, &done, now).await?;
    Ok(())
}
