//! A person's name as typed into a form (姓名, (養)父或(養)母姓名): Chinese, an indigenous name
//! in romanisation, or a foreign name in Latin letters, with the separators the registry uses.

use super::{characters, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonNameError {
    #[error("name is required")]
    Missing,
    #[error("name is too long")]
    TooLong,
    #[error("name has characters a name cannot have")]
    Characters,
}

impl FieldError for PersonNameError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            PersonNameError::Missing => required_message(lang),
            PersonNameError::TooLong => {
                lang.pick("姓名最多 40 個字", "A name may have at most 40 characters")
            }
            PersonNameError::Characters => lang.pick(
                "姓名只能包含文字、空格及「·」「-」",
                "A name may contain only letters, spaces, \"·\" and \"-\"",
            ),
        }
    }
}

impl PersonName {
    pub const MAX_CHARACTERS: usize = 40;

    pub fn parse(input: &str) -> Result<PersonName, PersonNameError> {
        // Runs of spaces fold to one; the middle dots people type fold to the registry's "·".
        let text = normalize_input(input)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .replace(['‧', '•', '・', '．'], "·");
        if text.is_empty() {
            return Err(PersonNameError::Missing);
        }
        if characters(&text) > Self::MAX_CHARACTERS {
            return Err(PersonNameError::TooLong);
        }
        if !text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '·' | '-' | '\''))
        {
            return Err(PersonNameError::Characters);
        }
        Ok(PersonName(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the same name as one held in the registry: exact after the same
    /// normalisation, ignoring case and spaces (a romanised name may be typed either way).
    pub fn matches(&self, registered: &str) -> bool {
        let fold = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_whitespace())
                .flat_map(char::to_lowercase)
                .collect()
        };
        PersonName::parse(registered).is_ok_and(|r| fold(&r.0) == fold(&self.0))
    }
}

parse_from_string!(PersonName, PersonNameError);

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PersonName {
    // Personal data: logs and panics see only that a name was there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(..)")
    }
}

impl From<PersonName> for String {
    fn from(name: PersonName) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f2_names_in_chinese_and_latin_letters_parse() {
        for name in [
            "王小明",
            "歐陽 娜娜",
            "Kolas Yotaka",
            "Mayaw·Biho",
            "O'Neil-Smith",
        ] {
            assert!(PersonName::parse(name).is_ok(), "{name}");
        }
        assert_eq!(
            PersonName::parse("  王　小明 ").unwrap().as_str(),
            "王 小明"
        );
        assert_eq!(
            PersonName::parse("Mayaw‧Biho").unwrap().as_str(),
            "Mayaw·Biho"
        );
    }

    #[test]
    fn f2_empty_long_and_odd_names_are_refused() {
        assert_eq!(PersonName::parse("  "), Err(PersonNameError::Missing));
        assert_eq!(
            PersonName::parse(&"王".repeat(41)),
            Err(PersonNameError::TooLong)
        );
        for bad in ["王小明1", "<script>", "王;小明", "a@b"] {
            assert_eq!(
                PersonName::parse(bad),
                Err(PersonNameError::Characters),
                "{bad}"
            );
        }
    }

    #[test]
    fn l4_1_names_match_the_registry_ignoring_spaces_and_case() {
        let typed = PersonName::parse("王 小明").unwrap();
        assert!(typed.matches("王小明"));
        assert!(!typed.matches("王小名"));
        assert!(PersonName::parse("kolas yotaka")
            .unwrap()
            .matches("Kolas Yotaka"));
    }

    #[test]
    fn f2_debug_hides_the_name() {
        assert_eq!(
            format!("{:?}", PersonName::parse("王小明").unwrap()),
            "PersonName(..)"
        );
    }
}
