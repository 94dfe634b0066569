//! A short one-line answer that is neither a person's nor a company's name (a job title, an
//! agency's name as a customer of 中華電信): tidied, at most 60 characters.

use super::{characters, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShortText(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShortTextError {
    #[error("this field is required")]
    Missing,
    #[error("longer than 60 characters")]
    TooLong,
    #[error("control characters")]
    Characters,
}

impl FieldError for ShortTextError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            ShortTextError::Missing => required_message(lang),
            ShortTextError::TooLong => lang.pick(
                "此欄位最多 60 個字",
                "This field may have at most 60 characters",
            ),
            ShortTextError::Characters => lang.pick(
                "此欄位含有無法使用的字元",
                "This field contains characters that cannot be used",
            ),
        }
    }
}

impl ShortText {
    pub const MAX_CHARACTERS: usize = 60;

    /// Runs of spaces fold to one; line breaks and other control characters are refused.
    pub fn parse(input: &str) -> Result<ShortText, ShortTextError> {
        if input.chars().any(char::is_control) {
            return Err(ShortTextError::Characters);
        }
        let text = normalize_input(input)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if text.is_empty() {
            return Err(ShortTextError::Missing);
        }
        if characters(&text) > Self::MAX_CHARACTERS {
            return Err(ShortTextError::TooLong);
        }
        Ok(ShortText(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ShortText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShortText({:?})", self.0)
    }
}

parse_from_string!(ShortText, ShortTextError);

impl From<ShortText> for String {
    fn from(value: ShortText) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn f2_short_text_is_one_tidy_line_of_at_most_60_characters() {
        assert_eq!(
            ShortText::parse("  資通安全長   兼 主任秘書 ").map(String::from),
            Ok("資通安全長 兼 主任秘書".into())
        );
        assert_eq!(ShortText::parse(" "), Err(ShortTextError::Missing));
        assert_eq!(ShortText::parse("a\nb"), Err(ShortTextError::Characters));
        assert!(ShortText::parse(&"字".repeat(60)).is_ok());
        assert_eq!(
            ShortText::parse(&"字".repeat(61)),
            Err(ShortTextError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn f2_short_text_parse_never_panics(input in any::<String>()) {
            let _ = ShortText::parse(&input);
        }
    }
}
