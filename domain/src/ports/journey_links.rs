//! Signed links to a company's journey.

use async_trait::async_trait;

use crate::ids::{ClientId, CompanyId};

use super::error::RepoError;

#[async_trait]
pub trait JourneyLinkRepository: Send + Sync {
    /// Stores a new link under the hash of its token; `NotFound` if the company is not the client's.
    async fn create_journey_link(
        &self,
        link: &crate::journey_link::JourneyLink,
        token_hash: &str,
    ) -> Result<(), RepoError>;

    /// Opens the link of `company` whose token hashes to `token_hash`: only
    /// one caller ever gets `Opened`. Another company's link is left as it is.
    async fn use_journey_link(
        &self,
        company: CompanyId,
        token_hash: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<crate::journey_link::LinkUse, RepoError>;

    /// The link whose token hashes to `token_hash`, as it stands, changing nothing.
    async fn peek_journey_link(
        &self,
        token_hash: &str,
    ) -> Result<Option<crate::journey_link::JourneyLink>, RepoError>;

    /// A link by its id, for the browser that opened it.
    async fn find_journey_link(
        &self,
        id: uuid::Uuid,
    ) -> Result<Option<crate::journey_link::JourneyLink>, RepoError>;

    /// Ends a link at once (opened or not); `NotFound` if it is not the company's.
    async fn revoke_journey_link(
        &self,
        client: ClientId,
        company: CompanyId,
        id: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), RepoError>;
}
