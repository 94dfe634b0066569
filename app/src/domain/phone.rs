//! Telephone numbers on the application forms: a landline with area code and optional
//! extension (市內電話), and a mobile number (行動電話).

use super::{is_digits, normalize_input, required_message, without_separators, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 市內電話, kept as `(02)12345678` or `(02)12345678#123`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Landline(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LandlineError {
    #[error("telephone number is required")]
    Missing,
    #[error("area code must be in parentheses: 0 and 1 to 3 digits")]
    AreaCode,
    #[error("telephone number must be 5 to 8 digits after the area code")]
    Number,
    #[error("extension must be 1 to 6 digits after #")]
    Extension,
}

impl FieldError for LandlineError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            LandlineError::Missing => required_message(lang),
            LandlineError::AreaCode => lang.pick(
                "區碼請以括號標示，為 0 加 1 至 3 位數字，如 (02)1234XXXX",
                "Put the area code in parentheses: 0 and 1 to 3 digits, e.g. (02)1234XXXX",
            ),
            LandlineError::Number => lang.pick(
                "電話號碼應為區碼後 5 至 8 位數字，如 (02)1234XXXX",
                "The number after the area code must be 5 to 8 digits, e.g. (02)1234XXXX",
            ),
            LandlineError::Extension => lang.pick(
                "分機請以 # 接 1 至 6 位數字，如 (02)1234XXXX#12XX",
                "Write the extension as # and 1 to 6 digits, e.g. (02)1234XXXX#12XX",
            ),
        }
    }
}

impl Landline {
    pub const HINT_ZH: &'static str = "有分機(02)1234XXXX#12XX,無分機(02)1234XXXX";
    pub const HINT_EN: &'static str =
        "With extension (02)1234XXXX#12XX, without extension (02)1234XXXX";

    /// The format hint shown under the field.
    pub fn hint(lang: Lang) -> &'static str {
        lang.pick(Self::HINT_ZH, Self::HINT_EN)
    }

    /// Spaces and hyphens anywhere are dropped: `(02) 2345-6789 # 12` is `(02)23456789#12`.
    pub fn parse(input: &str) -> Result<Landline, LandlineError> {
        let text = without_separators(&normalize_input(input));
        if text.is_empty() {
            return Err(LandlineError::Missing);
        }
        let (_, rest) = text
            .strip_prefix('(')
            .and_then(|t| t.split_once(')'))
            .filter(|(area, _)| area.starts_with('0') && is_digits(area, 2..=4))
            .ok_or(LandlineError::AreaCode)?;
        let (number, extension) = match rest.split_once('#') {
            Some((number, extension)) => (number, Some(extension)),
            None => (rest, None),
        };
        if !is_digits(number, 5..=8) {
            return Err(LandlineError::Number);
        }
        match extension {
            Some(extension) if !is_digits(extension, 1..=6) => Err(LandlineError::Extension),
            _ => Ok(Landline(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The area code with its leading 0, without parentheses: `02`.
    pub fn area_code(&self) -> &str {
        self.parts().0
    }

    /// The subscriber number: `12345678`.
    pub fn number(&self) -> &str {
        self.parts().1
    }

    pub fn extension(&self) -> Option<&str> {
        self.parts().2
    }

    fn parts(&self) -> (&str, &str, Option<&str>) {
        let (area, rest) = self
            .0
            .strip_prefix('(')
            .and_then(|t| t.split_once(')'))
            .unwrap_or_default();
        match rest.split_once('#') {
            Some((number, extension)) => (area, number, Some(extension)),
            None => (area, rest, None),
        }
    }
}

impl fmt::Display for Landline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Landline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Landline({})", self.0)
    }
}

parse_from_string!(Landline, LandlineError);

impl From<Landline> for String {
    fn from(value: Landline) -> String {
        value.0
    }
}

/// 行動電話, kept as ten digits `09XXXXXXXX`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MobileError {
    #[error("mobile number is required")]
    Missing,
    #[error("mobile number must be 10 digits starting with 09")]
    Format,
}

impl FieldError for MobileError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            MobileError::Missing => required_message(lang),
            MobileError::Format => lang.pick(
                "手機號碼格式錯誤：應為 09 開頭的 10 位數字，如 090000XXXX",
                "The mobile number must be 10 digits starting with 09, e.g. 090000XXXX",
            ),
        }
    }
}

impl Mobile {
    pub const HINT: &'static str = "090000XXXX";

    /// Spaces and hyphens are dropped, and the international form `+886 9…` becomes `09…`.
    pub fn parse(input: &str) -> Result<Mobile, MobileError> {
        let text = without_separators(&normalize_input(input));
        if text.is_empty() {
            return Err(MobileError::Missing);
        }
        let text = match text.strip_prefix("+886") {
            Some(national) => format!("0{national}"),
            None => text,
        };
        if text.starts_with("09") && is_digits(&text, 10..=10) {
            Ok(Mobile(text))
        } else {
            Err(MobileError::Format)
        }
    }

    /// An optional mobile number: `None` when nothing but separators was typed.
    pub fn parse_optional(input: &str) -> Result<Option<Mobile>, MobileError> {
        match Mobile::parse(input) {
            Err(MobileError::Missing) => Ok(None),
            parsed => parsed.map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mobile({})", self.0)
    }
}

parse_from_string!(Mobile, MobileError);

impl From<Mobile> for String {
    fn from(value: Mobile) -> String {
        value.0
    }
}

/// 聯絡電話 where either kind will do: a mobile number, else a landline.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContactPhone(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContactPhoneError {
    #[error("telephone number is required")]
    Missing,
    #[error("neither a mobile nor a landline number")]
    Format,
}

impl FieldError for ContactPhoneError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            ContactPhoneError::Missing => required_message(lang),
            ContactPhoneError::Format => lang.pick(
                "請輸入手機號碼（如 090000XXXX）或市內電話（如 (02)1234XXXX#12XX）",
                "Enter a mobile number (e.g. 090000XXXX) or a landline (e.g. (02)1234XXXX#12XX)",
            ),
        }
    }
}

impl ContactPhone {
    pub fn parse(input: &str) -> Result<ContactPhone, ContactPhoneError> {
        if let Ok(mobile) = Mobile::parse(input) {
            return Ok(ContactPhone(mobile.0));
        }
        match Landline::parse(input) {
            Ok(landline) => Ok(ContactPhone(landline.0)),
            Err(LandlineError::Missing) => Err(ContactPhoneError::Missing),
            Err(_) => Err(ContactPhoneError::Format),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

parse_from_string!(ContactPhone, ContactPhoneError);

impl fmt::Debug for ContactPhone {
    // Personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ContactPhone(..)")
    }
}

impl From<ContactPhone> for String {
    fn from(value: ContactPhone) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_landline_accepts_the_seed_example_with_extension() {
        let phone = Landline::parse("(02)3939889#86201").expect("valid");
        assert_eq!(phone.area_code(), "02");
        assert_eq!(phone.number(), "3939889");
        assert_eq!(phone.extension(), Some("86201"));
        assert_eq!(phone.to_string(), "(02)3939889#86201");
    }

    #[test]
    fn f2_landline_drops_spaces_hyphens_and_full_width_forms() {
        let phone = Landline::parse(" (02) 2345-6789 ").expect("valid");
        assert_eq!(phone.as_str(), "(02)23456789");
        assert_eq!(phone.extension(), None);
        assert_eq!(
            Landline::parse("（０３７）１２３４５６＃１２").map(String::from),
            Ok("(037)123456#12".into())
        );
        assert_eq!(
            Landline::parse("(0836)22345").map(String::from),
            Ok("(0836)22345".into())
        );
    }

    #[test]
    fn f2_landline_names_the_wrong_part() {
        assert_eq!(Landline::parse(""), Err(LandlineError::Missing));
        assert_eq!(Landline::parse("0223456789"), Err(LandlineError::AreaCode));
        assert_eq!(Landline::parse("02-23456789"), Err(LandlineError::AreaCode));
        assert_eq!(Landline::parse("(2)23456789"), Err(LandlineError::AreaCode));
        assert_eq!(Landline::parse("(02)"), Err(LandlineError::Number));
        assert_eq!(
            Landline::parse("(08266)23456"),
            Err(LandlineError::AreaCode)
        );
        assert_eq!(Landline::parse("(0)23456789"), Err(LandlineError::AreaCode));
        assert_eq!(Landline::parse("(02"), Err(LandlineError::AreaCode));
        assert_eq!(Landline::parse("(02)1234"), Err(LandlineError::Number));
        assert_eq!(Landline::parse("(02)123456789"), Err(LandlineError::Number));
        assert_eq!(Landline::parse("(02)2345678x"), Err(LandlineError::Number));
        assert_eq!(
            Landline::parse("(02)23456789#"),
            Err(LandlineError::Extension)
        );
        assert_eq!(
            Landline::parse("(02)23456789#1234567"),
            Err(LandlineError::Extension)
        );
        assert_eq!(
            Landline::parse("(02)23456789#12#3"),
            Err(LandlineError::Extension)
        );
    }

    #[test]
    fn f2_mobile_is_09_and_eight_digits() {
        assert_eq!(
            Mobile::parse("0912-345-678").map(String::from),
            Ok("0912345678".into())
        );
        assert_eq!(
            Mobile::parse("0912 345 678").map(String::from),
            Ok("0912345678".into())
        );
        assert_eq!(
            Mobile::parse("+886 912 345 678").map(String::from),
            Ok("0912345678".into())
        );
        assert_eq!(
            Mobile::parse("０９１２３４５６７８").map(String::from),
            Ok("0912345678".into())
        );
        assert_eq!(Mobile::parse(""), Err(MobileError::Missing));
        assert_eq!(Mobile::parse("0812345678"), Err(MobileError::Format));
        assert_eq!(Mobile::parse("091234567"), Err(MobileError::Format));
        assert_eq!(Mobile::parse("09123456789"), Err(MobileError::Format));
        assert_eq!(Mobile::parse("(09)12345678"), Err(MobileError::Format));
    }

    #[test]
    fn f2_phone_hints_and_errors_speak_both_languages() {
        assert_eq!(
            Landline::hint(Lang::ZhTw),
            "有分機(02)1234XXXX#12XX,無分機(02)1234XXXX"
        );
        assert!(Landline::hint(Lang::English).contains("(02)1234XXXX#12XX"));
        assert!(LandlineError::Extension
            .message(Lang::ZhTw)
            .contains("分機"));
        assert!(MobileError::Format.message(Lang::English).contains("09"));
    }

    #[test]
    fn f2_phones_deserialise_only_through_parse() {
        assert!(deserialize_str::<Landline>("(02)23456789").is_ok());
        assert!(deserialize_str::<Landline>("23456789").is_err());
        assert!(deserialize_str::<Mobile>("0912345678").is_ok());
        assert!(deserialize_str::<Mobile>("12345").is_err());
    }

    proptest! {
        #[test]
        fn f2_phone_parsers_never_panic(input in any::<String>()) {
            let _ = Landline::parse(&input);
            let _ = Mobile::parse(&input);
        }

        #[test]
        fn f2_landline_round_trips(input in "\\(0[0-9]{1,3}\\)[0-9]{5,8}(#[0-9]{1,6})?") {
            let phone = Landline::parse(&input).expect("valid");
            prop_assert_eq!(phone.as_str(), input.as_str());
            prop_assert_eq!(Landline::parse(&phone.to_string()), Ok(phone));
        }

        #[test]
        fn f2_mobile_round_trips(input in "09[0-9]{8}") {
            let mobile = Mobile::parse(&input).expect("valid");
            prop_assert_eq!(Mobile::parse(&mobile.to_string()), Ok(mobile));
        }
    }

    #[test]
    fn f2_a_contact_phone_is_a_mobile_or_a_landline() {
        assert_eq!(
            ContactPhone::parse("0912-345-678").unwrap().as_str(),
            "0912345678"
        );
        assert_eq!(
            ContactPhone::parse("(02)2345-6789#12").unwrap().as_str(),
            "(02)23456789#12"
        );
        assert_eq!(ContactPhone::parse(" "), Err(ContactPhoneError::Missing));
        assert_eq!(ContactPhone::parse("12345"), Err(ContactPhoneError::Format));
    }
}
