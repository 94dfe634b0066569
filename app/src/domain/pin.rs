//! PINs of the IC-card certificates: the PIN typed to use a business (工商憑證) or citizen
//! (自然人憑證) card, a new citizen-card PIN chosen when applying or changing it, the default
//! PIN a new citizen card gets (C-3), and the 用戶代碼 that unlocks a locked card.

use super::roc_date::RocDate;
use super::{is_digits, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use chrono::Datelike;
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
    #[error("PIN must be 6 to 8 characters")]
    Length,
    #[error("PIN may use only letters and digits")]
    Characters,
}

impl FieldError for CardPinError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            CardPinError::Missing => required_message(lang),
            CardPinError::Length => lang.pick(
                "PIN 碼應為 6 至 8 個英文字母或數字",
                "The PIN must be 6 to 8 letters or digits",
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
        match letters_or_digits(input, PIN_LENGTH) {
            Ok(text) => Ok(CardPin(text)),
            Err(Shape::Missing) => Err(CardPinError::Missing),
            Err(Shape::Length) => Err(CardPinError::Length),
            Err(Shape::Characters) => Err(CardPinError::Characters),
        }
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

/// What is wrong with a card secret made of letters and digits.
enum Shape {
    Missing,
    Length,
    Characters,
}

/// How long the PIN of any card the portal takes may be: 6 to 8 characters, as the citizen,
/// business and government cards all print on their PIN mailers. A new citizen PIN is the
/// narrower 6 to 8 digits ([`NewMoicaPin`]), so every PIN the portal sets is one it takes.
/// The fields where a PIN is typed to use a card still take up to 16 characters (what a card
/// holds): a longer PIN pasted there is refused by this rule, never cut short and tried on
/// the card at the cost of a try.
pub const PIN_LENGTH: std::ops::RangeInclusive<usize> = 6..=8;

/// A card secret of ASCII letters or digits whose length is in `length` (the card's reference
/// data holds up to 16 bytes; `card-helper`'s `is_valid_reference`).
fn letters_or_digits(
    input: &str,
    length: std::ops::RangeInclusive<usize>,
) -> Result<String, Shape> {
    let text = normalize_input(input);
    if text.is_empty() {
        Err(Shape::Missing)
    } else if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
        Err(Shape::Characters)
    } else if !length.contains(&text.len()) {
        Err(Shape::Length)
    } else {
        Ok(text)
    }
}

/// 用戶代碼: chosen by the citizen when applying, written to the card at issuance, and typed to
/// unlock a card that three wrong PINs locked (C-3). The seed gives no rule for it; the card
/// takes 6 to 16 letters or digits, case-sensitive. Hidden like a PIN.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserCode(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserCodeError {
    #[error("user code is required")]
    Missing,
    #[error("user code must be 6 to 16 characters")]
    Length,
    #[error("user code may use only letters and digits")]
    Characters,
}

impl FieldError for UserCodeError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            UserCodeError::Missing => required_message(lang),
            UserCodeError::Length => lang.pick(
                "用戶代碼應為 6 至 16 個字元",
                "The user code must be 6 to 16 characters",
            ),
            UserCodeError::Characters => lang.pick(
                "用戶代碼只能使用英文字母與數字",
                "The user code may use only letters and digits",
            ),
        }
    }
}

impl UserCode {
    pub fn parse(input: &str) -> Result<UserCode, UserCodeError> {
        match letters_or_digits(input, 6..=16) {
            Ok(text) => Ok(UserCode(text)),
            Err(Shape::Missing) => Err(UserCodeError::Missing),
            Err(Shape::Length) => Err(UserCodeError::Length),
            Err(Shape::Characters) => Err(UserCodeError::Characters),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserCode(****)")
    }
}

parse_from_string!(UserCode, UserCodeError);

impl From<UserCode> for String {
    fn from(value: UserCode) -> String {
        value.0
    }
}

/// A new 自然人憑證 PIN, chosen when applying or changing it: 6 to 8 digits.
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
        if is_digits(&text, PIN_LENGTH) {
            Ok(NewMoicaPin(text))
        } else {
            Err(NewMoicaPinError::Format)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The PIN a new citizen card gets unless the applicant chose one (C-3): the ROC birth
    /// date, year month day, six digits (1984-01-01 → `730101`). Someone born in ROC 100
    /// (2011) or later would get seven digits, still a valid PIN.
    pub fn default_for(birth: RocDate) -> NewMoicaPin {
        let date = birth.to_naive();
        NewMoicaPin(format!(
            "{:02}{:02}{:02}",
            birth.roc_year(),
            date.month(),
            date.day()
        ))
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
    fn f2_card_pin_is_6_to_8_letters_or_digits() {
        assert_eq!(
            CardPin::parse("123456").map(|p| p.expose().to_owned()),
            Ok("123456".into())
        );
        assert!(CardPin::parse("Abcd1234").is_ok());
        assert_eq!(CardPin::parse(""), Err(CardPinError::Missing));
        assert_eq!(CardPin::parse("12345"), Err(CardPinError::Length));
        assert_eq!(CardPin::parse("Abcd12345"), Err(CardPinError::Length));
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
    fn f2_user_code_is_6_to_16_letters_or_digits_case_sensitive() {
        let code = UserCode::parse("Abc12345").expect("valid");
        assert_eq!(code.expose(), "Abc12345");
        assert_ne!(UserCode::parse("ABC12345"), Ok(code));
        assert_eq!(UserCode::parse(""), Err(UserCodeError::Missing));
        assert_eq!(UserCode::parse("abc12"), Err(UserCodeError::Length));
        assert_eq!(
            UserCode::parse("abcdefgh123456789"),
            Err(UserCodeError::Length)
        );
        assert_eq!(UserCode::parse("abc 12345"), Err(UserCodeError::Characters));
        assert_eq!(
            UserCode::parse("用戶代碼1234"),
            Err(UserCodeError::Characters)
        );
        assert!(UserCodeError::Length
            .message(Lang::ZhTw)
            .contains("6 至 16"));
        assert!(UserCodeError::Characters
            .message(Lang::English)
            .contains("letters and digits"));
    }

    #[test]
    fn c3_the_default_pin_is_the_roc_birth_date() {
        let pin = |text: &str| NewMoicaPin::default_for(RocDate::parse(text).expect("date"));
        assert_eq!(pin("73/01/01").expose(), "730101");
        assert_eq!(pin("5/05/04").expose(), "050504");
        assert_eq!(pin("100/01/01").expose(), "1000101");
        assert!(NewMoicaPin::parse(pin("100/01/01").expose()).is_ok());
    }

    #[test]
    fn f2_pins_never_show_in_debug() {
        let pin = CardPin::parse("secret12").expect("valid");
        assert_eq!(format!("{pin:?}"), "CardPin(****)");
        let new_pin = NewMoicaPin::parse("135790").expect("valid");
        assert_eq!(format!("{new_pin:?}"), "NewMoicaPin(****)");
        let code = UserCode::parse("Abc12345").expect("valid");
        assert_eq!(format!("{code:?}"), "UserCode(****)");
    }

    #[test]
    fn f2_pins_deserialise_only_through_parse() {
        assert!(deserialize_str::<CardPin>("secret12").is_ok());
        assert!(deserialize_str::<CardPin>("short").is_err());
        assert!(deserialize_str::<NewMoicaPin>("135790").is_ok());
        assert!(deserialize_str::<NewMoicaPin>("secret12").is_err());
        assert!(deserialize_str::<UserCode>("Abc12345").is_ok());
        assert!(deserialize_str::<UserCode>("ab").is_err());
    }

    #[test]
    fn f2_pin_errors_speak_both_languages() {
        assert!(CardPinError::Length.message(Lang::ZhTw).contains("6 至 8"));
        assert!(NewMoicaPinError::Format
            .message(Lang::English)
            .contains("6 to 8 digits"));
    }

    proptest! {
        #[test]
        fn f2_pin_parsers_never_panic(input in any::<String>()) {
            let _ = CardPin::parse(&input);
            let _ = NewMoicaPin::parse(&input);
            let _ = UserCode::parse(&input);
        }

        #[test]
        fn f2_user_code_round_trips(input in "[A-Za-z0-9]{6,16}") {
            let code = UserCode::parse(&input).expect("valid");
            prop_assert_eq!(code.expose(), input.as_str());
            prop_assert_eq!(UserCode::parse(&String::from(code.clone())), Ok(code));
        }

        #[test]
        fn f2_card_pin_round_trips(input in "[A-Za-z0-9]{6,8}") {
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
