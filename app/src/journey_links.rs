//! Signed journey links: minting a one-time address of a company's hosted
//! journey, for the API and for reminder emails.

use chrono::{DateTime, Utc};
use domain::ids::{ClientId, CompanyId};
use domain::journey_link::JourneyLink;
use domain::ports::{RepoError, Store};
use uuid::Uuid;

/// Stores a new link of `company`'s journey, unopened until `expires_at`,
/// and returns it with its address (which holds the only copy of its token).
pub async fn mint(
    store: &dyn Store,
    public_url: &str,
    client: ClientId,
    company: CompanyId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(JourneyLink, String), RepoError> {
    let token = crate::oauth::random_token(32);
    let link = JourneyLink {
        id: Uuid::now_v7(),
        client_id: client,
        company_id: company,
        created: now,
        expires_at,
        used_at: None,
        revoked_at: None,
    };
    store
        .create_journey_link(&link, &crate::oauth::state_hash(&token))
        .await?;
    Ok((
        link,
        format!("{public_url}/link/company/{company}?link={token}"),
    ))
}
