//! The consent ledger: append-only records per company, each chaining the
//! hash of the one before, so an edited or removed record is detected.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::link_settings::{CategorySettings, ConsentTexts, LinkSettings};

/// The hash that stands before a company's first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentKind {
    Granted,
    Withdrawn,
}

impl ConsentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "Granted",
            Self::Withdrawn => "Withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Granted, Self::Withdrawn]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// One entry of a company's ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRecord {
    pub id: Uuid,
    /// Position in the company's ledger, from 1.
    pub sequence: i64,
    pub kind: ConsentKind,
    pub categories: Vec<String>,
    pub data_types: Vec<String>,
    pub settings_version: i64,
    /// SHA-256 of the exact texts shown for those categories.
    pub text_hash: String,
    /// The consent texts shown in place of the settings version's, by
    /// category, when the journey reworded them for one showing (an
    /// embedded component's options); empty when the version's were shown.
    pub shown_texts: BTreeMap<String, ConsentTexts>,
    pub locale: Option<String>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// For a withdrawal: the consent it withdraws.
    pub withdraws: Option<Uuid>,
    pub created: DateTime<Utc>,
    pub previous_hash: String,
    pub hash: String,
}

impl ConsentRecord {
    /// The hash of this record's content and the previous hash.
    pub fn compute_hash(&self) -> String {
        let optional = |value: &Option<String>| value.clone().unwrap_or_default();
        let fields = [
            self.id.to_string(),
            self.sequence.to_string(),
            self.kind.as_str().to_owned(),
            self.categories.join(","),
            self.data_types.join(","),
            self.settings_version.to_string(),
            self.text_hash.clone(),
            optional(&self.locale),
            optional(&self.actor_name),
            optional(&self.actor_email),
            optional(&self.ip),
            optional(&self.user_agent),
            self.withdraws.map(|w| w.to_string()).unwrap_or_default(),
            self.created.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.previous_hash.clone(),
        ];
        // Reworded texts are hashed only when there are some, so the records
        // written before they existed keep their hashes.
        let shown = self.shown_texts.iter().flat_map(|(category, texts)| {
            std::iter::once(category.clone())
                .chain(texts.parts().into_iter().map(|(_, text)| text.to_owned()))
        });
        let mut hasher = Sha256::new();
        for field in fields.into_iter().chain(shown) {
            // Length-prefixed, so no two different records hash alike by shifting text between fields.
            hasher.update((field.len() as u64).to_be_bytes());
            hasher.update(field.as_bytes());
        }
        hex::encode(hasher.finalize())
    }

    /// Places the record at the end of `ledger`: its sequence, the previous
    /// hash and its own hash.
    pub fn chained_to(mut self, ledger: &[ConsentRecord]) -> Self {
        self.sequence = i64::try_from(ledger.len()).unwrap_or(i64::MAX) + 1;
        self.previous_hash = ledger
            .last()
            .map_or_else(|| GENESIS.to_owned(), |r| r.hash.clone());
        self.hash = self.compute_hash();
        self
    }
}

/// The hash of the texts and data types shown for `categories` under `settings`.
pub fn text_hash(settings: &LinkSettings, categories: &[String]) -> String {
    let shown: Vec<&CategorySettings> = categories
        .iter()
        .filter_map(|name| settings.category(name))
        .collect();
    shown_hash(&shown, settings.terms_url.as_deref())
}

/// The hash of what the customer was shown: each category's texts and data
/// types, in the order given, and the terms link.
pub fn shown_hash(categories: &[&CategorySettings], terms_url: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    for category in categories {
        hasher.update(category.name.as_bytes());
        for (part, text) in category.texts.parts() {
            hasher.update(part.as_bytes());
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
        hasher.update(category.data_types.join(",").as_bytes());
    }
    if let Some(terms) = terms_url {
        hasher.update(terms.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Where a ledger stops being consistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenChain {
    /// The sequence number of the first record that does not check out.
    pub sequence: i64,
    pub reason: &'static str,
}

/// Checks a company's records, in sequence order.
pub fn verify_chain(records: &[ConsentRecord]) -> Result<(), BrokenChain> {
    let mut previous = GENESIS.to_owned();
    for (index, record) in records.iter().enumerate() {
        let expected_sequence = i64::try_from(index).unwrap_or(i64::MAX) + 1;
        let broken = |reason| {
            Err(BrokenChain {
                sequence: record.sequence,
                reason,
            })
        };
        if record.sequence != expected_sequence {
            return broken("a record is missing before this one");
        }
        if record.previous_hash != previous {
            return broken("it does not chain to the record before");
        }
        if record.compute_hash() != record.hash {
            return broken("its content does not match its hash");
        }
        previous = record.hash.clone();
    }
    Ok(())
}

/// The grants of a ledger that no withdrawal took back.
fn active_grants(records: &[ConsentRecord]) -> impl Iterator<Item = &ConsentRecord> {
    let withdrawn: BTreeSet<Uuid> = records.iter().filter_map(|r| r.withdraws).collect();
    records
        .iter()
        .filter(move |r| r.kind == ConsentKind::Granted && !withdrawn.contains(&r.id))
}

/// The categories covered by a grant that no later withdrawal took back.
pub fn active_categories(records: &[ConsentRecord]) -> BTreeSet<String> {
    active_grants(records)
        .flat_map(|r| r.categories.iter().cloned())
        .collect()
}

/// Why a ledger record cannot be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WithdrawalRefused {
    #[error("the ledger has no such record")]
    Unknown,
    #[error("This record is itself a withdrawal; only a consent can be withdrawn.")]
    NotAGrant,
    #[error("This consent was already withdrawn.")]
    AlreadyWithdrawn,
}

/// What withdrawing one consent changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawalPlan {
    pub grant: ConsentRecord,
    /// The grant's categories that no other active consent covers: their
    /// connections lose access.
    pub uncovered: Vec<String>,
    /// The grant's categories that another active consent still covers.
    pub still_covered: Vec<String>,
}

/// Decides what withdrawing the consent `id` does to a ledger.
pub fn plan_withdrawal(
    records: &[ConsentRecord],
    id: Uuid,
) -> Result<WithdrawalPlan, WithdrawalRefused> {
    let grant = records
        .iter()
        .find(|r| r.id == id)
        .ok_or(WithdrawalRefused::Unknown)?;
    if grant.kind != ConsentKind::Granted {
        return Err(WithdrawalRefused::NotAGrant);
    }
    if records.iter().any(|r| r.withdraws == Some(id)) {
        return Err(WithdrawalRefused::AlreadyWithdrawn);
    }
    let others: BTreeSet<&String> = active_grants(records)
        .filter(|r| r.id != id)
        .flat_map(|r| &r.categories)
        .collect();
    let (still_covered, uncovered) = grant
        .categories
        .iter()
        .cloned()
        .partition(|c| others.contains(c));
    Ok(WithdrawalPlan {
        grant: grant.clone(),
        uncovered,
        still_covered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(
        sequence: i64,
        previous: &str,
        kind: ConsentKind,
        categories: &[&str],
        withdraws: Option<Uuid>,
    ) -> ConsentRecord {
        let mut record = ConsentRecord {
            id: Uuid::new_v4(),
            sequence,
            kind,
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            data_types: vec!["invoices".into()],
            settings_version: 1,
            text_hash: "t".into(),
            shown_texts: BTreeMap::new(),
            locale: Some("en-GB".into()),
            actor_name: Some("Ada".into()),
            actor_email: None,
            ip: Some("127.0.0.1".into()),
            user_agent: None,
            withdraws,
            created: Utc::now(),
            previous_hash: previous.to_owned(),
            hash: String::new(),
        };
        record.hash = record.compute_hash();
        record
    }

    fn ledger() -> Vec<ConsentRecord> {
        let first = record(
            1,
            GENESIS,
            ConsentKind::Granted,
            &["accounting", "banking"],
            None,
        );
        let second = record(2, &first.hash, ConsentKind::Granted, &["commerce"], None);
        let third = record(
            3,
            &second.hash,
            ConsentKind::Withdrawn,
            &["commerce"],
            Some(second.id),
        );
        vec![first, second, third]
    }

    #[test]
    fn an_untouched_ledger_verifies_and_withdrawals_take_categories_back() {
        let ledger = ledger();

        assert_eq!(verify_chain(&ledger), Ok(()));
        assert_eq!(
            active_categories(&ledger).into_iter().collect::<Vec<_>>(),
            ["accounting", "banking"]
        );
    }

    #[test]
    fn an_edited_removed_or_reordered_record_is_detected() {
        let mut edited = ledger();
        edited[1].actor_name = Some("Mallory".into());
        let mut removed = ledger();
        removed.remove(1);
        let mut rehashed = ledger();
        rehashed[0].categories = vec!["accounting".into()];
        rehashed[0].hash = rehashed[0].compute_hash();

        assert_eq!(verify_chain(&edited).unwrap_err().sequence, 2);
        assert_eq!(verify_chain(&removed).unwrap_err().sequence, 3);
        assert_eq!(
            verify_chain(&rehashed).unwrap_err().sequence,
            2,
            "re-hashing an edit breaks the next link"
        );
    }

    #[test]
    fn a_withdrawal_uncovers_only_what_no_other_consent_covers() {
        let mut ledger = ledger();
        let both = ledger[0].clone();
        let again = record(4, &ledger[2].hash, ConsentKind::Granted, &["banking"], None);
        ledger.push(again);

        let plan = plan_withdrawal(&ledger, both.id).unwrap();

        assert_eq!(plan.uncovered, ["accounting"]);
        assert_eq!(plan.still_covered, ["banking"]);
        assert_eq!(
            plan_withdrawal(&ledger, ledger[1].id),
            Err(WithdrawalRefused::AlreadyWithdrawn)
        );
        assert_eq!(
            plan_withdrawal(&ledger, ledger[2].id),
            Err(WithdrawalRefused::NotAGrant)
        );
        assert_eq!(
            plan_withdrawal(&ledger, Uuid::new_v4()),
            Err(WithdrawalRefused::Unknown)
        );
    }

    #[test]
    fn a_record_chained_to_a_ledger_continues_it() {
        let mut ledger = ledger();
        let next = record(0, "", ConsentKind::Granted, &["commerce"], None).chained_to(&ledger);
        ledger.push(next);

        assert_eq!(ledger[3].sequence, 4);
        assert_eq!(verify_chain(&ledger), Ok(()));
    }

    #[test]
    fn the_text_hash_follows_the_texts_shown() {
        let settings = LinkSettings::defaults();
        let mut changed = settings.clone();
        changed.categories[0].texts.purpose.push('!');
        let accounting = vec!["accounting".to_owned()];

        assert_eq!(
            text_hash(&settings, &accounting),
            text_hash(&settings, &accounting)
        );
        assert_ne!(
            text_hash(&settings, &accounting),
            text_hash(&changed, &accounting)
        );
        assert_ne!(
            text_hash(&settings, &accounting),
            text_hash(&settings, &["banking".to_owned()])
        );
    }

    #[test]
    fn reworded_texts_are_part_of_the_record_and_leave_older_hashes_alone() {
        let mut ledger = ledger();
        let before = ledger[0].compute_hash();
        assert_eq!(
            before, ledger[0].hash,
            "no reworded texts: the hash is as before they existed"
        );

        let mut texts = LinkSettings::defaults().categories[0].texts.clone();
        texts.purpose = "To price your loan.".into();
        ledger[0].shown_texts.insert("accounting".into(), texts);
        assert_ne!(ledger[0].compute_hash(), before);
        assert_eq!(
            verify_chain(&ledger).unwrap_err().sequence,
            1,
            "an edited reworded text is detected"
        );
    }

    #[test]
    fn the_shown_hash_of_the_settings_own_categories_is_the_text_hash() {
        let settings = LinkSettings::defaults();
        let accounting = settings.category("accounting").unwrap();
        let mut reworded = accounting.clone();
        reworded.data_types.truncate(1);

        assert_eq!(
            shown_hash(&[accounting], settings.terms_url.as_deref()),
            text_hash(&settings, &["accounting".to_owned()])
        );
        assert_ne!(
            shown_hash(&[&reworded], settings.terms_url.as_deref()),
            text_hash(&settings, &["accounting".to_owned()])
        );
    }
}
