//! What became of a deleted company's OAuth grants at their providers
//! (revoked by `app::revocation`), each attempt recorded as a
//! `connection.revocation` event, which outlives the company.

use chrono::{SubsecRound, Utc};
use domain::ports::DeletedCompany;
use domain::webhook::{tag_list, Event};

use crate::events::ReferenceCompany;
use crate::state::AppState;

/// The event type that records a revocation attempt.
pub const EVENT_TYPE: &str = "connection.revocation";

/// Revokes the deleted company's grants at their providers, all at once,
/// and records each attempt.
pub async fn revoke_all(state: &AppState, deleted: DeletedCompany) {
    let company = deleted.company.clone();
    let store = state.store.as_ref();
    let attempts = app::revocation::revoke_all(store, state, &state.cipher, deleted).await;
    for (connection, revocation) in attempts {
        tracing::info!(
            connection = %connection.id,
            platform = %connection.platform_key,
            outcome = ?revocation.outcome,
            detail = revocation.detail.as_deref().unwrap_or_default(),
            "grant revocation at the provider after company deletion"
        );
        let payload = serde_json::json!({
            "referenceCompany": ReferenceCompany::from(&company),
            "connection": state.connection_body(connection.clone()),
            "revocation": revocation,
        });
        let event = Event {
            id: uuid::Uuid::now_v7(),
            client_id: company.client_id,
            company_id: Some(company.id),
            event_type: EVENT_TYPE.into(),
            generated: Utc::now().trunc_subsecs(6),
            company_tags: tag_list(&company.fields.tags),
            payload: payload.to_string(),
            correlation_id: crate::correlation::in_request(),
        };
        if let Err(error) = state.store.add_event(&event).await {
            tracing::warn!(connection = %connection.id, %error, "could not record a revocation");
        }
    }
}
