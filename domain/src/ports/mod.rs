//! The storage ports the domain needs, one module per aggregate; the
//! persistence crate implements them, and [`Store`] is all of them at once.
//! Use cases take the narrow traits they need.

mod clients;
mod companies;
mod connections;
mod consents;
mod emails;
mod error;
mod idempotency;
mod integrations;
mod invitations;
mod journey_links;
mod oauth;
mod reminders;
mod secrets;
mod settings;
mod webhooks;

pub use clients::*;
pub use companies::*;
pub use connections::*;
pub use consents::*;
pub use emails::*;
pub use error::*;
pub use idempotency::*;
pub use integrations::*;
pub use invitations::*;
pub use journey_links::*;
pub use oauth::*;
pub use reminders::*;
pub use secrets::*;
pub use settings::*;
pub use webhooks::*;

use async_trait::async_trait;

/// Whether the store answers at all.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    async fn ping(&self) -> Result<(), RepoError>;
}

/// Everything the service needs from one store.
pub trait Store:
    ClientRepository
    + ApiKeyRepository
    + CompanyRepository
    + ConnectionRepository
    + IntegrationSettingsRepository
    + ProfileRepository
    + OAuthStateRepository
    + SandboxRepository
    + CorsRepository
    + LinkSettingsRepository
    + ConsentRepository
    + InvitationRepository
    + ReminderRepository
    + EmailRepository
    + JourneyLinkRepository
    + WebhookRepository
    + EventRepository
    + DeliveryRepository
    + IdempotencyRepository
    + SecretRepository
    + HealthCheck
{
}

impl<T> Store for T where
    T: ClientRepository
        + ApiKeyRepository
        + CompanyRepository
        + ConnectionRepository
        + IntegrationSettingsRepository
        + ProfileRepository
        + OAuthStateRepository
        + SandboxRepository
        + CorsRepository
        + LinkSettingsRepository
        + ConsentRepository
        + InvitationRepository
        + ReminderRepository
        + EmailRepository
        + JourneyLinkRepository
        + WebhookRepository
        + EventRepository
        + DeliveryRepository
        + IdempotencyRepository
        + SecretRepository
        + HealthCheck
{
}
