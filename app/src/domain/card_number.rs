//! The citizen-certificate IC card number (自然人憑證 IC 卡號) printed on the card: two letters
//! then 14 digits, as the MOICA status look-up asks for it (C-6).

use super::{normalize_input, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CardNumberError {
    #[error("card number is required")]
    Missing,
    #[error("card number must be 2 letters and 14 digits")]
    Format,
}

impl FieldError for CardNumberError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            CardNumberError::Missing => super::required_message(lang),
            CardNumberError::Format => lang.pick(
                "IC 卡號格式錯誤：應為 2 個英文字母加 14 個數字（如 TP03000000012345）",
                "The card number must be 2 letters followed by 14 digits (e.g. TP03000000012345)",
            ),
        }
    }
}

impl CardNumber {
    pub const LENGTH: usize = 16;

    pub fn parse(input: &str) -> Result<CardNumber, CardNumberError> {
        let text: String = normalize_input(input)
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>()
            .to_ascii_uppercase();
        if text.is_empty() {
            return Err(CardNumberError::Missing);
        }
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == Self::LENGTH
            && bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..].iter().all(u8::is_ascii_digit);
        if well_formed {
            Ok(CardNumber(text))
        } else {
            Err(CardNumberError::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.0)
    }
}

impl TryFrom<String> for CardNumber {
    type Error = CardNumberError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CardNumber::parse(&value)
    }
}

impl From<CardNumber> for String {
    fn from(value: CardNumber) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn c6_card_number_is_two_letters_and_fourteen_digits() {
        assert_eq!(
            CardNumber::parse(" tp03000000012345 ").map(|c| c.to_string()),
            Ok("TP03000000012345".to_owned())
        );
        assert_eq!(
            CardNumber::parse("TP03-0000-0001-2345").map(|c| c.to_string()),
            Ok("TP03000000012345".to_owned())
        );
        assert_eq!(CardNumber::parse(""), Err(CardNumberError::Missing));
        assert_eq!(
            CardNumber::parse("TP0300000001234"),
            Err(CardNumberError::Format)
        );
        assert_eq!(
            CardNumber::parse("T103000000012345"),
            Err(CardNumberError::Format)
        );
        assert_eq!(
            CardNumber::parse("ＴＰ０３０００００００１２３４５").map(|c| c.to_string()),
            Ok("TP03000000012345".to_owned())
        );
    }

    #[test]
    fn c6_card_number_errors_speak_both_languages() {
        let message = CardNumberError::Format.message(Lang::ZhTw);
        assert!(message.contains("IC 卡號"));
        assert!(CardNumberError::Format
            .message(Lang::English)
            .contains("14 digits"));
    }

    proptest! {
        #[test]
        fn c6_card_number_parse_never_panics(input in ".*") {
            let _ = CardNumber::parse(&input);
        }

        #[test]
        fn c6_card_number_round_trips(letters in "[A-Z]{2}", digits in "[0-9]{14}") {
            let card = CardNumber::parse(&format!("{letters}{digits}")).expect("valid");
            prop_assert_eq!(CardNumber::parse(&card.to_string()), Ok(card));
        }
    }
}
