//! Consents: a customer's consent recorded, and one withdrawn with what it
//! takes away, each appended to the company's hash-chained ledger. Records
//! are never edited. Two writers racing for the ledger's next place: the
//! one that loses reads the ledger again and retries, a few times.

use std::collections::BTreeMap;

use chrono::{SubsecRound, Utc};
use domain::connection::{self, Actor, Cause, Connection, ConnectionStatus};
use domain::consent::{self, ConsentKind, ConsentRecord, WithdrawalRefused};
use domain::ids::{ClientId, CompanyId};
use domain::integration::SourceType;
use domain::link_settings::{CategorySet, CategorySettings, ConsentTexts, LinkSettings};
use domain::ports::{CascadeStep, ConnectionRepository, ConsentRepository, RepoError, Withdrawal};
use domain::{FieldError, ValidationErrors};
use uuid::Uuid;

use crate::AppError;

/// How many times a write that lost the race for the ledger is tried again.
const ATTEMPTS: usize = 3;

/// Who and where a ledger record comes from: the actor as the journey names
/// them, the locale of the texts read, and the caller's address and user agent.
#[derive(Debug, Clone, Default)]
pub struct Witness {
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub locale: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Witness {
    /// A record of `kind` with a new id, the witness's fields and the
    /// current time; not yet chained to the ledger.
    fn record(&self, kind: ConsentKind) -> ConsentRecord {
        ConsentRecord {
            id: Uuid::now_v7(),
            sequence: 0,
            kind,
            categories: Vec::new(),
            data_types: Vec::new(),
            settings_version: 0,
            text_hash: String::new(),
            shown_texts: BTreeMap::new(),
            locale: self.locale.clone(),
            actor_name: self.actor_name.clone(),
            actor_email: self.actor_email.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            withdraws: None,
            created: Utc::now().trunc_subsecs(6),
            previous_hash: String::new(),
            hash: String::new(),
        }
    }
}

/// How the journey reworded one category's consent: each of the five texts
/// in order (`None` keeps the settings' own), and the data types it listed.
#[derive(Debug, Clone, Default)]
pub struct Rewording {
    pub texts: [Option<String>; 5],
    pub data_types: Option<Vec<String>>,
}

/// What each consented category showed: the settings version's texts and
/// data types with the journey's rewording over them. A rewording of a
/// category not consented to, or one beyond the settings' limits, is an
/// error under `shown.<category>`.
pub fn shown_categories(
    errors: &mut ValidationErrors,
    settings: &LinkSettings,
    categories: &[String],
    mut reworded: BTreeMap<String, Rewording>,
) -> Vec<CategorySettings> {
    for name in reworded.keys().filter(|name| !categories.contains(name)) {
        errors.push(FieldError::new(
            format!("shown.{}", name.escape_debug()),
            "NotConsented",
            "shown rewords only the categories this consent names.",
        ));
    }
    categories
        .iter()
        .filter_map(|name| settings.category(name))
        .map(|own| {
            let mut shown = own.clone();
            let Some(change) = reworded.remove(own.name) else {
                return shown;
            };
            for ((_, part), text) in shown.texts.parts_mut().into_iter().zip(change.texts) {
                if let Some(text) = text {
                    *part = text;
                }
            }
            if let Some(data_types) = change.data_types {
                shown.data_types = data_types;
            }
            shown.check_shown(&format!("shown.{}", own.name), errors);
            shown
        })
        .collect()
}

/// A consent to record: its categories (checked and in order), the link
/// settings version the customer read, what each category showed (see
/// [`shown_categories`]), and who gave it.
pub struct Grant<'a> {
    pub categories: Vec<String>,
    pub settings: &'a LinkSettings,
    pub shown: Vec<CategorySettings>,
    pub witness: Witness,
}

/// Appends a consent to the company's ledger: its categories, settings
/// version and data types, the hash of the exact texts shown (and the texts
/// themselves where the journey reworded them), and its witness.
pub async fn record<S>(
    store: &S,
    client: ClientId,
    company: CompanyId,
    grant: Grant<'_>,
) -> Result<ConsentRecord, AppError>
where
    S: ConsentRepository + ?Sized,
{
    let Grant {
        categories,
        settings,
        shown,
        witness,
    } = grant;
    let data_types: Vec<String> = shown
        .iter()
        .flat_map(|c| c.data_types.iter().cloned())
        .collect();
    let shown_texts: BTreeMap<String, ConsentTexts> = shown
        .iter()
        .filter(|c| {
            settings
                .category(c.name)
                .is_none_or(|own| own.texts != c.texts)
        })
        .map(|c| (c.name.to_owned(), c.texts.clone()))
        .collect();
    let text_hash = consent::shown_hash(
        &shown.iter().collect::<Vec<_>>(),
        settings.terms_url.as_deref(),
    );
    for _ in 0..ATTEMPTS {
        let ledger = ledger(store, client, company).await?;
        let record = ConsentRecord {
            categories: categories.clone(),
            data_types: data_types.clone(),
            settings_version: settings.version,
            text_hash: text_hash.clone(),
            shown_texts: shown_texts.clone(),
            ..witness.record(ConsentKind::Granted)
        }
        .chained_to(&ledger);
        match store.append_consent(client, company, &record).await {
            Ok(()) => return Ok(record),
            Err(RepoError::Conflict(_)) => continue,
            Err(other) => return Err(in_company(other, company)),
        }
    }
    Err(AppError::ConcurrentChange("ledger"))
}

/// What a withdrawal did to one connection.
pub struct Withdrawn {
    pub connection: Connection,
    /// Its status now: a linked connection is `Deauthorized`, the others keep theirs.
    pub status: ConnectionStatus,
    /// Whether stored credentials or tokens existed and were destroyed.
    pub credentials_destroyed: bool,
}

/// What withdrawing a consent did.
pub struct WithdrawalReceipt {
    /// The withdrawal appended to the ledger.
    pub record: ConsentRecord,
    /// The consent's categories no other active consent covers: their connections lost access.
    pub uncovered: Vec<String>,
    /// The consent's categories another active consent still covers.
    pub still_covered: Vec<String>,
    /// Every connection of the uncovered categories, and what happened to it.
    pub connections: Vec<Withdrawn>,
}

/// Withdraws the consent `consent` (the consent itself is never edited) and,
/// in the same transaction, takes access away from every connection of the
/// categories no other active consent covers: `Linked` ones become
/// `Deauthorized`, and the stored credentials and tokens of all of them are
/// destroyed. A caller limited to `covered` categories (an invitation's
/// token) may withdraw only a consent within them.
pub async fn withdraw<S>(
    store: &S,
    (client, company): (ClientId, CompanyId),
    consent: Uuid,
    witness: &Witness,
    (actor, covered): (Actor, Option<CategorySet>),
) -> Result<WithdrawalReceipt, AppError>
where
    S: ConsentRepository + ConnectionRepository + ?Sized,
{
    for _ in 0..ATTEMPTS {
        let ledger = ledger(store, client, company).await?;
        let plan = consent::plan_withdrawal(&ledger, consent).map_err(|refused| match refused {
            WithdrawalRefused::Unknown => AppError::ConsentNotFound(consent),
            other => AppError::Refused(other.to_string()),
        })?;
        for category in &plan.grant.categories {
            crate::error::check_covered(covered, Some(category))?;
        }
        let source_types: Vec<SourceType> = plan
            .uncovered
            .iter()
            .flat_map(|c| SourceType::of_category(c))
            .collect();
        let affected: Vec<Connection> = store
            .connections_of(client, &[company])
            .await?
            .into_iter()
            .filter(|c| source_types.contains(&c.source_type))
            .collect();
        let steps = affected
            .iter()
            .map(|c| CascadeStep {
                connection: c.id,
                expected_version: c.version,
                transition: connection::transition(Some(c.status), Cause::ConsentWithdrawn).ok(),
            })
            .collect::<Vec<_>>();
        let grant = &plan.grant;
        let record = ConsentRecord {
            categories: grant.categories.clone(),
            data_types: grant.data_types.clone(),
            settings_version: grant.settings_version,
            text_hash: grant.text_hash.clone(),
            withdraws: Some(grant.id),
            ..witness.record(ConsentKind::Withdrawn)
        }
        .chained_to(&ledger);
        let withdrawal = Withdrawal {
            record,
            source_types,
            steps,
            actor,
        };
        let destroyed = match store.withdraw_consent(client, company, &withdrawal).await {
            Ok(destroyed) => destroyed,
            Err(RepoError::Conflict(_)) => continue,
            Err(other) => return Err(in_company(other, company)),
        };
        let connections = affected
            .into_iter()
            .zip(&withdrawal.steps)
            .map(|(connection, step)| Withdrawn {
                status: step
                    .transition
                    .and_then(|t| t.to)
                    .unwrap_or(connection.status),
                credentials_destroyed: destroyed.contains(&connection.id),
                connection,
            })
            .collect();
        return Ok(WithdrawalReceipt {
            record: withdrawal.record,
            uncovered: plan.uncovered,
            still_covered: plan.still_covered,
            connections,
        });
    }
    Err(AppError::ConcurrentChange("ledger"))
}

/// The company's ledger, oldest first.
pub async fn ledger<S>(
    store: &S,
    client: ClientId,
    company: CompanyId,
) -> Result<Vec<ConsentRecord>, AppError>
where
    S: ConsentRepository + ?Sized,
{
    store
        .consent_ledger(client, company)
        .await
        .map_err(|e| in_company(e, company))
}

/// A store error of a company's ledger: `NotFound` there means the company.
fn in_company(error: RepoError, company: CompanyId) -> AppError {
    match error {
        RepoError::NotFound => AppError::CompanyNotFound(company),
        other => other.into(),
    }
}
