//! Companies.

use async_trait::async_trait;

use crate::company::{Company, CompanyFields, CompanyPatch};
use crate::company_query::CompanyListQuery;
use crate::connection::Connection;
use crate::ids::{ClientId, CompanyId};
use crate::paging::Page;

use super::connections::ConnectionSecret;
use super::error::RepoError;

#[async_trait]
pub trait CompanyRepository: Send + Sync {
    async fn create_company(
        &self,
        client: ClientId,
        fields: CompanyFields,
    ) -> Result<Company, RepoError>;

    async fn get_company(&self, client: ClientId, id: CompanyId) -> Result<Company, RepoError>;

    /// A company found by its id alone, for its hosted journey page (which
    /// carries no API key: the id in the URL names the company and its client).
    async fn find_company(&self, id: CompanyId) -> Result<Company, RepoError>;

    async fn list_companies(
        &self,
        client: ClientId,
        query: &CompanyListQuery,
    ) -> Result<Page<Company>, RepoError>;

    /// Replaces every client-set field.
    async fn replace_company(
        &self,
        client: ClientId,
        id: CompanyId,
        fields: CompanyFields,
    ) -> Result<Company, RepoError>;

    /// Changes only the fields the patch carries, in one atomic statement.
    async fn update_company(
        &self,
        client: ClientId,
        id: CompanyId,
        patch: CompanyPatch,
    ) -> Result<Company, RepoError>;

    /// Deletes the company with its connections and their secrets, and
    /// returns what was deleted that may outlive it elsewhere.
    async fn delete_company(
        &self,
        client: ClientId,
        id: CompanyId,
    ) -> Result<DeletedCompany, RepoError>;
}

/// A deleted company, and the OAuth tokens its connections held at the
/// moment of deletion (still encrypted), so their grants can be revoked at
/// the providers.
#[derive(Debug, Clone)]
pub struct DeletedCompany {
    pub company: Company,
    pub oauth_grants: Vec<(Connection, ConnectionSecret)>,
}
