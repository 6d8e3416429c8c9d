//! Consents and withdrawals on the wire.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::consent::ConsentRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::link_settings::ConsentTextsBody;

/// Who gave the consent, as the journey UI knows them.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConsentActor {
    #[schema(
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// A customer's consent to share the data of some categories.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"categories": ["accounting"], "settingsVersion": 3, "actor": {"name": "Ada Lovelace", "email": "ada@example.com"}, "locale": "en-GB"}))]
pub struct GrantConsent {
    /// `accounting`, `banking` and/or `commerce`.
    pub categories: Vec<String>,
    /// The link settings version whose texts were shown; the newest when left out.
    pub settings_version: Option<i64>,
    #[serde(default)]
    pub actor: ConsentActor,
    /// The language the texts were shown in, e.g. `en-GB`.
    #[schema(
        max_length = 35,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub locale: Option<String>,
    /// What the journey showed in place of the link settings version, by
    /// category (an embedded component's `text` and `dataTypes` options):
    /// the record keeps these texts, and its `dataTypes` and `textHash` follow
    /// them. Each category named must be among `categories`.
    #[serde(default)]
    #[schema(example = json!({"accounting": {"consentTexts": {"purpose": "To price your loan."}, "dataTypes": ["invoices", "bills"]}}))]
    pub shown: BTreeMap<String, ShownCategory>,
}

/// What the journey showed for one category instead of the settings version.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShownCategory {
    /// The texts shown; each one left out is the settings version's.
    #[serde(default)]
    pub consent_texts: ShownTexts,
    /// The data types shown; the settings version's when left out.
    pub data_types: Option<Vec<String>>,
}

/// Consent texts of which any may be left out.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShownTexts {
    #[schema(max_length = 4000)]
    pub purpose: Option<String>,
    #[schema(max_length = 4000)]
    pub access: Option<String>,
    #[schema(max_length = 4000)]
    pub account_information: Option<String>,
    #[schema(max_length = 4000)]
    pub platform_data: Option<String>,
    #[schema(max_length = 4000)]
    pub retention: Option<String>,
}

impl ShownTexts {
    /// The texts in the order of [`ConsentTexts::parts_mut`].
    pub fn in_order(self) -> [Option<String>; 5] {
        [
            self.purpose,
            self.access,
            self.account_information,
            self.platform_data,
            self.retention,
        ]
    }
}

/// One record of a company's consent ledger.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentBody {
    pub id: Uuid,
    pub sequence: i64,
    /// `Granted` or `Withdrawn`.
    pub kind: &'static str,
    pub categories: Vec<String>,
    pub data_types: Vec<String>,
    pub settings_version: i64,
    /// SHA-256 of the exact texts shown.
    pub text_hash: String,
    /// The consent texts shown in place of the settings version's, by
    /// category; left out when the version's own were shown.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub shown_texts: BTreeMap<String, ConsentTextsBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdraws: Option<Uuid>,
    #[schema(value_type = String, format = DateTime)]
    pub created: chrono::DateTime<Utc>,
    pub previous_hash: String,
    pub hash: String,
}

impl From<ConsentRecord> for ConsentBody {
    fn from(r: ConsentRecord) -> Self {
        Self {
            id: r.id,
            sequence: r.sequence,
            kind: r.kind.as_str(),
            categories: r.categories,
            data_types: r.data_types,
            settings_version: r.settings_version,
            text_hash: r.text_hash,
            shown_texts: r
                .shown_texts
                .into_iter()
                .map(|(category, texts)| (category, ConsentTextsBody::from(&texts)))
                .collect(),
            locale: r.locale,
            actor_name: r.actor_name,
            actor_email: r.actor_email,
            ip: r.ip,
            user_agent: r.user_agent,
            withdraws: r.withdraws,
            created: r.created,
            previous_hash: r.previous_hash,
            hash: r.hash,
        }
    }
}

/// A company's ledger, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct Consents {
    pub results: Vec<ConsentBody>,
}

/// Whether a ledger is intact.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChainVerification {
    pub valid: bool,
    pub records: usize,
    /// The sequence number of the first record that does not check out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// What a withdrawal may say about itself.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"actor": {"name": "Ada Lovelace", "email": "ada@example.com"}, "locale": "en-GB"}))]
pub struct WithdrawConsent {
    #[serde(default)]
    pub actor: ConsentActor,
    /// The language the customer used, e.g. `en-GB`.
    #[schema(
        max_length = 35,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
    )]
    pub locale: Option<String>,
}

/// What a withdrawal did to one connection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawnConnection {
    pub id: Uuid,
    pub platform_key: String,
    pub source_type: &'static str,
    /// Its status before the withdrawal.
    pub previous_status: &'static str,
    /// Its status now: a linked connection is `Deauthorized`, the others keep theirs.
    pub status: &'static str,
    /// Whether stored credentials or tokens existed and were destroyed.
    pub credentials_destroyed: bool,
}

/// The receipt of a withdrawal.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WithdrawalReceipt {
    /// The record appended to the ledger.
    pub withdrawal: ConsentBody,
    /// The consent's categories no other active consent covers: their connections lost access.
    pub withdrawn_categories: Vec<String>,
    /// The consent's categories another active consent still covers; their connections are untouched.
    pub still_consented: Vec<String>,
    /// Every connection of the withdrawn categories, and what happened to it.
    pub connections: Vec<WithdrawnConnection>,
}
