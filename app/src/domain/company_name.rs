//! A company's name as it applies (公司名稱): the registered name of a business, in Chinese or
//! English, e.g. 蝦蝦樂購股份有限公司. Compared with the business registry by the reviewer and
//! the yearly check (A-N10), so it is kept as typed, only tidied.

use super::{characters, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompanyName(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CompanyNameError {
    #[error("company name is required")]
    Missing,
    #[error("company name is too long")]
    TooLong,
    #[error("company name has control characters")]
    Characters,
}

impl FieldError for CompanyNameError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            CompanyNameError::Missing => required_message(lang),
            CompanyNameError::TooLong => lang.pick(
                "公司名稱最多 60 個字",
                "A company name may have at most 60 characters",
            ),
            CompanyNameError::Characters => lang.pick(
                "公司名稱含有無法使用的字元",
                "The company name contains characters that cannot be used",
            ),
        }
    }
}

impl CompanyName {
    pub const MAX_CHARACTERS: usize = 60;

    pub fn parse(input: &str) -> Result<CompanyName, CompanyNameError> {
        if input.chars().any(char::is_control) {
            return Err(CompanyNameError::Characters);
        }
        let text = normalize_input(input)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() {
            return Err(CompanyNameError::Missing);
        }
        if characters(&text) > Self::MAX_CHARACTERS {
            return Err(CompanyNameError::TooLong);
        }
        Ok(CompanyName(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CompanyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CompanyName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CompanyName({:?})", self.0)
    }
}

parse_from_string!(CompanyName, CompanyNameError);

impl From<CompanyName> for String {
    fn from(value: CompanyName) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_2_company_names_are_tidied_and_bounded() {
        assert_eq!(
            CompanyName::parse("  蝦蝦樂購股份有限公司 ")
                .unwrap()
                .as_str(),
            "蝦蝦樂購股份有限公司"
        );
        assert_eq!(
            CompanyName::parse("Acme   Taiwan Ltd.").unwrap().as_str(),
            "Acme Taiwan Ltd."
        );
        assert_eq!(CompanyName::parse(" "), Err(CompanyNameError::Missing));
        assert_eq!(
            CompanyName::parse(&"股".repeat(61)),
            Err(CompanyNameError::TooLong)
        );
        assert_eq!(
            CompanyName::parse("蝦\u{0}皮"),
            Err(CompanyNameError::Characters)
        );
    }
}
