//! Each company's consent ledger.

use async_trait::async_trait;

use crate::ids::{ClientId, CompanyId, ConnectionId};

use super::connections::Withdrawal;
use super::error::RepoError;

#[async_trait]
pub trait ConsentRepository: Send + Sync {
    /// A company's ledger in sequence order; `NotFound` if the company is not the client's.
    async fn consent_ledger(
        &self,
        client: ClientId,
        company: CompanyId,
    ) -> Result<Vec<crate::consent::ConsentRecord>, RepoError>;

    /// Appends a record; `Conflict` if its sequence number is taken, `NotFound` if the company is not the client's.
    async fn append_consent(
        &self,
        client: ClientId,
        company: CompanyId,
        record: &crate::consent::ConsentRecord,
    ) -> Result<(), RepoError>;

    /// Appends a withdrawal and carries out its cascade in one transaction.
    /// Returns the connections whose stored credentials or tokens were
    /// destroyed. `Conflict` if the ledger or any connection of those source
    /// types changed since the steps were decided; nothing is written then.
    async fn withdraw_consent(
        &self,
        client: ClientId,
        company: CompanyId,
        withdrawal: &Withdrawal,
    ) -> Result<Vec<ConnectionId>, RepoError>;
}
