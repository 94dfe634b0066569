//! The free-text purpose or reason of an application (使用目的/原因), limited to 350 characters
//! as a person counts them.

use super::{characters, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 使用目的/原因: trimmed, without control characters other than line breaks and tabs.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Purpose(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PurposeError {
    #[error("purpose is required")]
    Missing,
    #[error("purpose is longer than {max} characters")]
    TooLong { max: usize },
}

impl FieldError for PurposeError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            PurposeError::Missing => required_message(lang),
            PurposeError::TooLong { .. } => lang.pick(
                "使用目的/原因最多 350 個字",
                "The purpose can be at most 350 characters",
            ),
        }
    }
}

/// Makes every line break `\n` (browsers send `\r\n`), drops the other control characters
/// except `\t`, then trims. Free text keeps what was typed: unlike codes and numbers, its
/// full-width punctuation (，。：) is how Chinese is written, not an input-method accident.
fn clean(input: &str) -> String {
    let kept: String = input
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect();
    kept.trim().to_owned()
}

impl Purpose {
    pub const MAX_CHARS: usize = 350;

    /// The number of characters `parse` counts in `input`, for the live counter under the
    /// field: user-perceived characters (a CJK character, an emoji, a family emoji joined by
    /// zero-width joiners each count as one), after the same cleaning.
    pub fn count_chars(input: &str) -> usize {
        characters(&clean(input))
    }

    pub fn parse(input: &str) -> Result<Purpose, PurposeError> {
        let text = clean(input);
        if text.is_empty() {
            return Err(PurposeError::Missing);
        }
        if characters(&text) > Self::MAX_CHARS {
            return Err(PurposeError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(Purpose(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Purpose({:?})", self.0)
    }
}

parse_from_string!(Purpose, PurposeError);

impl From<Purpose> for String {
    fn from(value: Purpose) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_purpose_counts_cjk_characters_not_bytes() {
        assert_eq!(Purpose::count_chars("員工到職身分查驗"), 8);
        let exactly = "查".repeat(350);
        assert_eq!(exactly.len(), 1050);
        assert!(Purpose::parse(&exactly).is_ok());
        assert_eq!(
            Purpose::parse(&format!("{exactly}驗")),
            Err(PurposeError::TooLong { max: 350 })
        );
    }

    #[test]
    fn f2_purpose_counts_emoji_zwj_sequence_as_one() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}";
        assert_eq!(Purpose::count_chars(family), 1);
        assert_eq!(Purpose::count_chars("👍🏽"), 1);
        assert_eq!(Purpose::count_chars("🇹🇼"), 1);
        assert_eq!(Purpose::count_chars("e\u{301}"), 1);
        assert!(Purpose::parse(&family.repeat(350)).is_ok());
        assert!(Purpose::parse(&family.repeat(351)).is_err());
    }

    #[test]
    fn f2_purpose_keeps_line_breaks_and_tabs_and_drops_other_controls() {
        let purpose =
            Purpose::parse("  第一行\r\n第二行\t說明\u{0}\u{7}\u{1b}\r第三行  ").expect("valid");
        assert_eq!(purpose.as_str(), "第一行\n第二行\t說明\n第三行");
        assert_eq!(Purpose::count_chars("第一行\r\n第二行"), 7);
    }

    #[test]
    fn f2_purpose_keeps_full_width_punctuation_as_typed() {
        let typed = "主機網路位址與戶役政資訊網路衝突，請更換：ＶＰＮ。";
        assert_eq!(
            Purpose::parse(&format!("\u{3000}{typed} "))
                .expect("valid")
                .as_str(),
            typed
        );
    }

    #[test]
    fn f2_purpose_is_required() {
        assert_eq!(Purpose::parse(""), Err(PurposeError::Missing));
        assert_eq!(
            Purpose::parse(" \n\t\u{3000}\u{0} "),
            Err(PurposeError::Missing)
        );
    }

    #[test]
    fn f2_purpose_too_long_message_names_the_limit() {
        let error = PurposeError::TooLong {
            max: Purpose::MAX_CHARS,
        };
        assert!(error.message(Lang::ZhTw).contains("350"));
        assert!(error.message(Lang::English).contains("350"));
    }

    #[test]
    fn f2_purpose_deserialises_only_through_parse() {
        assert!(deserialize_str::<Purpose>("查驗").is_ok());
        assert!(deserialize_str::<Purpose>(&"查".repeat(351)).is_err());
    }

    proptest! {
        #[test]
        fn f2_purpose_parse_never_panics(input in any::<String>()) {
            let _ = Purpose::parse(&input);
        }

        #[test]
        fn f2_purpose_counter_agrees_with_parse(input in any::<String>()) {
            let count = Purpose::count_chars(&input);
            let accepted = (1..=Purpose::MAX_CHARS).contains(&count);
            prop_assert_eq!(Purpose::parse(&input).is_ok(), accepted);
        }

        #[test]
        fn f2_purpose_round_trips(input in "\\PC{1,400}") {
            if let Ok(purpose) = Purpose::parse(&input) {
                prop_assert_eq!(Purpose::parse(&purpose.to_string()), Ok(purpose));
            }
        }
    }
}
