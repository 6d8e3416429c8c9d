//! Companies: the rules for names, descriptions and tags, and the company record.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::ids::{ClientId, CompanyId};
use crate::validation::{
    char_len, check_control_characters, ControlCharacters, FieldError, ValidationErrors,
};

/// Longest company name accepted, after forbidden characters are removed.
pub const MAX_NAME_LEN: usize = 250;
/// Longest description accepted.
pub const MAX_DESCRIPTION_LEN: usize = 2000;
/// Most tags one company may carry.
pub const MAX_TAGS: usize = 10;
/// Longest tag key.
pub const MAX_TAG_KEY_LEN: usize = 27;
/// Longest tag value.
pub const MAX_TAG_VALUE_LEN: usize = 100;

/// A company name: only letters A–Z, digits, white space and `- ' , & @ . ? !`.
///
/// Other characters are not an error: they are dropped, as the wire contract
/// describes (`Company (Codat[1])` becomes `Company Codat1`). What remains is
/// trimmed and must not be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyName(String);

impl CompanyName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        check_control_characters("name", raw, ControlCharacters::None)?;
        let kept: String = raw.chars().filter(|c| is_allowed_name_char(*c)).collect();
        let name = kept.trim();
        if name.is_empty() {
            return Err(FieldError::new(
                "name",
                "Required",
                "name must contain at least one letter, digit or allowed symbol.",
            ));
        }
        if char_len(name) > MAX_NAME_LEN {
            return Err(FieldError::new(
                "name",
                "MaxLength",
                format!("Max string length ({MAX_NAME_LEN}) for `name` reached."),
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

fn is_allowed_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_whitespace() || "-',&@.?!".contains(c)
}

/// Free text about a company, such as a foreign reference.
pub fn parse_description(raw: &str) -> Result<String, FieldError> {
    check_control_characters("description", raw, ControlCharacters::LineBreaks)?;
    if char_len(raw) > MAX_DESCRIPTION_LEN {
        return Err(FieldError::new(
            "description",
            "MaxLength",
            format!("Max string length ({MAX_DESCRIPTION_LEN}) for `description` reached."),
        ));
    }
    Ok(raw.to_owned())
}

/// User-defined key–value metadata: at most 10 pairs, keys 1–27 characters, values at most 100.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(BTreeMap<String, String>);

impl Tags {
    /// Checks every pair and reports all violations at once.
    pub fn parse(raw: BTreeMap<String, String>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if raw.len() > MAX_TAGS {
            errors.push(FieldError::new(
                "tags",
                "MaxProperties",
                format!(
                    "A company can have at most {MAX_TAGS} tags; {} were sent.",
                    raw.len()
                ),
            ));
        }
        for (key, value) in &raw {
            let field = format!("tags.{}", key.escape_debug());
            let check =
                |text: &str| check_control_characters(&field, text, ControlCharacters::None);
            if let Err(error) = check(key).and_then(|()| check(value)) {
                errors.push(error);
            }
            let key_len = char_len(key);
            if key_len == 0 || key_len > MAX_TAG_KEY_LEN {
                errors.push(FieldError::new(
                    field.clone(),
                    "KeyLength",
                    format!("Tag keys must be 1 to {MAX_TAG_KEY_LEN} characters long; `{key}` has {key_len}."),
                ));
            }
            if char_len(value) > MAX_TAG_VALUE_LEN {
                errors.push(FieldError::new(
                    field.clone(),
                    "MaxLength",
                    format!("Tag values must be at most {MAX_TAG_VALUE_LEN} characters long; the value of `{key}` is longer."),
                ));
            }
        }
        errors.into_result(Self(raw))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0
    }

    /// Rebuilds tags read back from storage, where they were validated on the way in.
    pub fn from_stored(map: BTreeMap<String, String>) -> Self {
        Self(map)
    }
}

/// The validated fields of a company as the client sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyFields {
    pub name: CompanyName,
    pub description: Option<String>,
    pub tags: Tags,
}

impl CompanyFields {
    /// Validates a whole company (create and replace): `name` is required,
    /// anything absent is cleared. Every problem is reported at once.
    pub fn parse(
        name: Option<&str>,
        description: Option<&str>,
        tags: Option<BTreeMap<String, String>>,
    ) -> Result<Self, ValidationErrors> {
        let parsed = CompanyPatch::parse(name, description, tags);
        match (parsed, name) {
            (
                Ok(CompanyPatch {
                    name: Some(name),
                    description,
                    tags,
                }),
                _,
            ) => Ok(Self {
                name,
                description: description.filter(|d| !d.is_empty()),
                tags: tags.unwrap_or_default(),
            }),
            (parsed, absent_name) => {
                let mut errors = parsed.err().unwrap_or_default();
                if absent_name.is_none() {
                    errors
                        .0
                        .insert(0, FieldError::new("name", "Required", "name is required."));
                }
                Err(errors)
            }
        }
    }
}

/// A partial change: only the fields present are changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyPatch {
    pub name: Option<CompanyName>,
    pub description: Option<String>,
    pub tags: Option<Tags>,
}

impl CompanyPatch {
    /// Validates the fields sent; `None` means "leave as it is". An empty
    /// description clears it.
    pub fn parse(
        name: Option<&str>,
        description: Option<&str>,
        tags: Option<BTreeMap<String, String>>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let name = name.and_then(|n| errors.collect(CompanyName::parse(n)));
        let description = description.and_then(|d| errors.collect(parse_description(d)));
        let tags = tags.and_then(|t| parse_tags(&mut errors, t));
        errors.into_result(Self {
            name,
            description,
            tags,
        })
    }
}

fn parse_tags(errors: &mut ValidationErrors, raw: BTreeMap<String, String>) -> Option<Tags> {
    Tags::parse(raw).map_err(|e| errors.0.extend(e.0)).ok()
}

/// A stored company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: CompanyId,
    pub client_id: ClientId,
    pub fields: CompanyFields,
    pub created: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn forbidden_name_characters_are_removed() {
        assert_eq!(
            CompanyName::parse("Company (Codat[1])").unwrap().as_str(),
            "Company Codat1"
        );
    }

    #[test]
    fn a_name_of_only_forbidden_characters_is_refused() {
        assert_eq!(CompanyName::parse("  ()[]  ").unwrap_err().rule, "Required");
    }

    #[test]
    fn allowed_punctuation_is_kept() {
        let name = "Smith & Sons, Ltd. - 'Best' @ London? Yes!";

        assert_eq!(CompanyName::parse(name).unwrap().as_str(), name);
    }

    #[test]
    fn control_characters_are_refused_in_names_descriptions_and_tags() {
        assert_eq!(
            CompanyName::parse("Acme\0Ltd").unwrap_err().rule,
            "ControlCharacter"
        );
        assert_eq!(
            CompanyName::parse("Acme\nLtd").unwrap_err().rule,
            "ControlCharacter"
        );
        assert_eq!(
            parse_description("a\0b").unwrap_err().rule,
            "ControlCharacter"
        );
        assert_eq!(
            parse_description("line one\nline two").unwrap(),
            "line one\nline two"
        );

        let errors = Tags::parse(tags(&[("re\0gion", "uk"), ("team", "a\u{1b}b")])).unwrap_err();

        let found: Vec<_> = errors
            .0
            .iter()
            .map(|e| (e.field.as_str(), e.rule))
            .collect();
        assert_eq!(
            found,
            [
                ("tags.re\\0gion", "ControlCharacter"),
                ("tags.team", "ControlCharacter")
            ]
        );
    }

    #[test]
    fn tag_limits_are_all_reported() {
        let mut many = tags(&[]);
        for i in 0..11 {
            many.insert(format!("k{i}"), "v".into());
        }
        many.insert("x".repeat(28), "y".repeat(101));

        let errors = Tags::parse(many).unwrap_err();

        let rules: Vec<_> = errors.0.iter().map(|e| e.rule).collect();
        assert_eq!(rules, ["MaxProperties", "KeyLength", "MaxLength"]);
    }

    #[test]
    fn tag_limits_count_characters_not_bytes() {
        let ok = tags(&[(&"é".repeat(27), &"ü".repeat(100))]);

        assert!(Tags::parse(ok).is_ok());
    }

    #[test]
    fn replacing_without_a_name_is_refused() {
        let errors = CompanyFields::parse(None, Some("d"), None).unwrap_err();

        assert_eq!(errors.0[0].field, "name");
    }
}
