//! PINs of the IC-card certificates: the PIN typed to use a business (工商憑證) or citizen
//! (自然人憑證) card, and a new citizen-card PIN chosen when changing it.

use super::{is_digits, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 憑證 PIN 碼. No `Display`, a hidden `Debug`: read it only through [`CardPin::expose`], on
/// its way to the card helper (F-5).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardPin(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardPinError {
    #[error("PIN is required")]
    Missing,
    #[error("PIN must be 6 to 16 characters")]
    Length,
    #[error("PIN may use only letters and digits")]
    Characters,
}

impl FieldError for CardPinError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            CardPinError::Missing => required_message(lang),
            CardPinError::Length => lang.pick(
                "PIN 碼應為 6 至 16 個字元",
                "The PIN must be 6 to 16 characters",
            ),
            CardPinError::Characters => lang.pick(
                "PIN 碼只能使用英文字母與數字",
                "The PIN may use only letters and digits",
            ),
        }
    }
}

impl CardPin {
    pub fn parse(input: &str) -> Result<CardPin, CardPinError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(CardPinError::Missing);
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(CardPinError::Characters);
        }
        if !(6..=16).contains(&text.len()) {
            return Err(CardPinError::Length);
        }
        Ok(CardPin(text))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CardPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CardPin(****)")
    }
}

parse_from_string!(CardPin, CardPinError);

impl From<CardPin> for String {
    fn from(value: CardPin) -> String {
        value.0
    }
}

/// A new 自然人憑證 PIN, chosen when changing it: 6 to 8 digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NewMoicaPin(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewMoicaPinError {
    #[error("new PIN is required")]
    Missing,
    #[error("new PIN must be 6 to 8 digits")]
    Format,
}

impl FieldError for NewMoicaPinError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            NewMoicaPinError::Missing => required_message(lang),
            NewMoicaPinError::Format => lang.pick(
                "新 PIN 碼應為 6 至 8 位數字",
                "The new PIN must be 6 to 8 digits",
            ),
        }
    }
}

impl NewMoicaPin {
    pub fn parse(input: &str) -> Result<NewMoicaPin, NewMoicaPinError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(NewMoicaPinError::Missing);
        }
        if is_digits(&text, 6..=8) {
            Ok(NewMoicaPin(text))
        } else {
            Err(NewMoicaPinError::Format)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewMoicaPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewMoicaPin(****)")
    }
}

parse_from_string!(NewMoicaPin, NewMoicaPinError);

impl From<NewMoicaPin> for String {
    fn from(value: NewMoicaPin) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_card_pin_is_6_to_16_letters_or_digits() {
        assert_eq!(
            CardPin::parse("123456").map(|p| p.expose().to_owned()),
            Ok("123456".into())
        );
        assert!(CardPin::parse("Abcdef1234567890").is_ok());
        assert_eq!(CardPin::parse(""), Err(CardPinError::Missing));
        assert_eq!(CardPin::parse("12345"), Err(CardPinError::Length));
        assert_eq!(
            CardPin::parse("Abcdef12345678901"),
            Err(CardPinError::Length)
        );
        assert_eq!(CardPin::parse("1234 56"), Err(CardPinError::Characters));
        assert_eq!(CardPin::parse("12345!"), Err(CardPinError::Characters));
        assert_eq!(
            CardPin::parse("１２３４５６").map(|p| p.expose().to_owned()),
            Ok("123456".into())
        );
    }

    #[test]
    fn f2_new_moica_pin_is_6_to_8_digits() {
        assert!(NewMoicaPin::parse("123456").is_ok());
        assert!(NewMoicaPin::parse("12345678").is_ok());
        assert_eq!(NewMoicaPin::parse(""), Err(NewMoicaPinError::Missing));
        assert_eq!(NewMoicaPin::parse("12345"), Err(NewMoicaPinError::Format));
        assert_eq!(
            NewMoicaPin::parse("123456789"),
            Err(NewMoicaPinError::Format)
        );
        assert_eq!(NewMoicaPin::parse("12345a"), Err(NewMoicaPinError::Format));
    }

    #[test]
    fn f2_pins_never_show_in_debug() {
        let pin = CardPin::parse("secret12").expect("valid");
        assert_eq!(format!("{pin:?}"), "CardPin(****)");
        let new_pin = NewMoicaPin::parse("135790").expect("valid");
        assert_eq!(format!("{new_pin:?}"), "NewMoicaPin(****)");
    }

    #[test]
    fn f2_pins_deserialise_only_through_parse() {
        assert!(deserialize_str::<CardPin>("secret12").is_ok());
        assert!(deserialize_str::<CardPin>("short").is_err());
        assert!(deserialize_str::<NewMoicaPin>("135790").is_ok());
        assert!(deserialize_str::<NewMoicaPin>("secret12").is_err());
    }

    #[test]
    fn f2_pin_errors_speak_both_languages() {
        assert!(CardPinError::Length.message(Lang::ZhTw).contains("6 至 16"));
        assert!(NewMoicaPinError::Format
            .message(Lang::English)
            .contains("6 to 8 digits"));
    }

    proptest! {
        #[test]
        fn f2_pin_parsers_never_panic(input in any::<String>()) {
            let _ = CardPin::parse(&input);
            let _ = NewMoicaPin::parse(&input);
        }

        #[test]
        fn f2_card_pin_round_trips(input in "[A-Za-z0-9]{6,16}") {
            let pin = CardPin::parse(&input).expect("valid");
            prop_assert_eq!(CardPin::parse(&String::from(pin.clone())), Ok(pin));
        }

        #[test]
        fn f2_new_moica_pin_round_trips(input in "[0-9]{6,8}") {
            let pin = NewMoicaPin::parse(&input).expect("valid");
            prop_assert_eq!(NewMoicaPin::parse(&String::from(pin.clone())), Ok(pin));
        }
    }
}
