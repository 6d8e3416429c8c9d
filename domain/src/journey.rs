//! Journey status: where a company stands in each category of its journey,
//! and whether the journey is complete.

use crate::connection::{Connection, ConnectionStatus};
use crate::consent::{self, ConsentRecord};
use crate::link_settings::{CategorySet, LinkSettings};

/// Where one category stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryStatus<'a> {
    pub name: &'static str,
    /// Whether the journey needs a linked connection of this category.
    pub required: bool,
    /// Whether an active consent covers it.
    pub consented: bool,
    /// The company's connections of this category, oldest first.
    pub connections: Vec<&'a Connection>,
}

impl CategoryStatus<'_> {
    /// Whether a connection of the category is linked.
    pub fn linked(&self) -> bool {
        self.connections
            .iter()
            .any(|c| c.status == ConnectionStatus::Linked)
    }

    /// Whether the journey has what it needs from this category: it is
    /// linked, or optional (an optional category may be skipped).
    pub fn satisfied(&self) -> bool {
        self.linked() || !self.required
    }
}

/// Where a company stands in its journey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JourneyStatus<'a> {
    pub categories: Vec<CategoryStatus<'a>>,
}

impl<'a> JourneyStatus<'a> {
    /// The categories still to link, optional ones only when asked
    /// (`include_optional`), each with whether it is required: what a
    /// reminder is about.
    pub fn missing(&self, include_optional: bool) -> Vec<(&'static str, bool)> {
        self.categories
            .iter()
            .filter(|c| !c.linked() && (c.required || include_optional))
            .map(|c| (c.name, c.required))
            .collect()
    }

    /// Every category of the settings, with the company's consents and connections.
    pub fn new(
        settings: &LinkSettings,
        ledger: &[ConsentRecord],
        connections: &'a [Connection],
    ) -> Self {
        let consented = consent::active_categories(ledger);
        let categories = settings
            .categories
            .iter()
            .map(|category| CategoryStatus {
                name: category.name,
                required: category.required,
                consented: consented.contains(category.name),
                connections: connections
                    .iter()
                    .filter(|c| c.source_type.category() == Some(category.name))
                    .collect(),
            })
            .collect();
        Self { categories }
    }

    /// The journey as an invitee sees it: only the invited categories, each
    /// of them required.
    pub fn invited(mut self, invited: CategorySet) -> Self {
        self.categories.retain(|c| invited.contains(c.name));
        for category in &mut self.categories {
            category.required = true;
        }
        self
    }

    /// Complete when every required category is linked.
    pub fn complete(&self) -> bool {
        self.categories.iter().all(CategoryStatus::satisfied)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::ids::{ClientId, CompanyId, ConnectionId};
    use crate::integration::{PlatformKey, SourceType};

    fn connection(source_type: SourceType, status: ConnectionStatus) -> Connection {
        Connection {
            id: ConnectionId::new(),
            client_id: ClientId::new(),
            company_id: CompanyId::new(),
            platform_key: PlatformKey::parse("abcd").unwrap(),
            source_type,
            status,
            version: 1,
            created: Utc::now(),
            errors: Vec::new(),
        }
    }

    #[test]
    fn a_journey_is_complete_once_every_required_category_is_linked() {
        let settings = LinkSettings::defaults();
        let pending = [connection(
            SourceType::Accounting,
            ConnectionStatus::PendingAuth,
        )];
        let linked = [
            connection(SourceType::Accounting, ConnectionStatus::Linked),
            connection(SourceType::BankFeed, ConnectionStatus::Deauthorized),
        ];

        let before = JourneyStatus::new(&settings, &[], &pending);
        let after = JourneyStatus::new(&settings, &[], &linked);

        assert!(!before.complete());
        assert_eq!(before.categories[0].connections.len(), 1);
        assert!(
            after.complete(),
            "banking and commerce are optional: skipped"
        );
        assert_eq!(
            after.categories[1].connections.len(),
            1,
            "a bank feed is banking"
        );
    }

    #[test]
    fn an_invitee_sees_the_invited_categories_each_required() {
        let settings = LinkSettings::defaults();
        let linked = [connection(SourceType::Accounting, ConnectionStatus::Linked)];

        let invited =
            JourneyStatus::new(&settings, &[], &linked).invited(CategorySet::of(&["banking"]));

        assert_eq!(invited.categories.len(), 1);
        assert!(invited.categories[0].required);
        assert!(
            !invited.complete(),
            "banking is optional for the client, not for the invitee"
        );
    }

    #[test]
    fn a_category_made_required_must_be_linked_too() {
        let mut settings = LinkSettings::defaults();
        settings.categories[2].required = true;
        let linked = [connection(SourceType::Accounting, ConnectionStatus::Linked)];

        assert!(!JourneyStatus::new(&settings, &[], &linked).complete());
    }
}
