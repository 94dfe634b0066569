//! The agency code (機關代號) of a government agency, in the form of the 機關代碼 that
//! 行政院人事行政總處 assigns and every 電子公文 and GCA 機關憑證 names an agency by: ten
//! characters, a letter or digit, eight digits and a closing letter — `379000000A` (臺北市政府),
//! `A15000000E`, `301020800G`.
//!
//! The closing letter is a check letter, but its rule is not published; the portal checks the
//! shape only and learns whether an agency exists from its own registry (`agencies`).

use super::{normalize_input, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 機關代號.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AgencyCode(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgencyCodeError {
    #[error("agency code is required")]
    Missing,
    #[error("agency code must be a letter or digit, 8 digits and a letter")]
    Format,
}

impl FieldError for AgencyCodeError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            AgencyCodeError::Missing => super::required_message(lang),
            AgencyCodeError::Format => lang.pick(
                "機關代號格式錯誤：應為 10 碼，首碼為英文字母或數字，中間 8 碼為數字，末碼為英文字母（如 379000000A）",
                "The agency code must be 10 characters: a letter or digit, 8 digits and a closing letter (e.g. 379000000A)",
            ),
        }
    }
}

impl AgencyCode {
    pub const LENGTH: usize = 10;

    /// Accepts lower-case letters, full-width characters and surrounding spaces, as typed.
    pub fn parse(input: &str) -> Result<AgencyCode, AgencyCodeError> {
        let text = normalize_input(input).to_ascii_uppercase();
        if text.is_empty() {
            return Err(AgencyCodeError::Missing);
        }
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == Self::LENGTH
            && (bytes[0].is_ascii_uppercase() || bytes[0].is_ascii_digit())
            && bytes[1..9].iter().all(u8::is_ascii_digit)
            && bytes[9].is_ascii_uppercase();
        if well_formed {
            Ok(AgencyCode(text))
        } else {
            Err(AgencyCodeError::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AgencyCode({})", self.0)
    }
}

parse_from_string!(AgencyCode, AgencyCodeError);

impl From<AgencyCode> for String {
    fn from(value: AgencyCode) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_agency_code_accepts_the_codes_agencies_carry() {
        for valid in ["379000000A", "382000000A", "A15000000E", "301020800G"] {
            assert_eq!(
                AgencyCode::parse(valid).map(String::from),
                Ok(valid.to_owned())
            );
        }
    }

    #[test]
    fn f2_agency_code_folds_case_full_width_and_space() {
        assert_eq!(
            AgencyCode::parse(" ３７９００００００ａ ").map(String::from),
            Ok("379000000A".into())
        );
        assert_eq!(
            AgencyCode::parse("a15000000e").map(String::from),
            Ok("A15000000E".into())
        );
    }

    #[test]
    fn f2_agency_code_rejects_other_shapes() {
        assert_eq!(AgencyCode::parse(""), Err(AgencyCodeError::Missing));
        assert_eq!(AgencyCode::parse("   "), Err(AgencyCodeError::Missing));
        for invalid in [
            "379000000",   // nine characters
            "379000000AA", // eleven
            "3790000001",  // no closing letter
            "37900000AA",  // a letter among the digits
            "-79000000A",  // a sign first
            "379 00000A",  // a space inside
            "機關00000000A",
        ] {
            assert_eq!(
                AgencyCode::parse(invalid),
                Err(AgencyCodeError::Format),
                "{invalid}"
            );
        }
    }

    #[test]
    fn f2_agency_code_deserialises_only_through_parse() {
        assert_eq!(
            deserialize_str::<AgencyCode>("379000000A").map(String::from),
            Ok("379000000A".into())
        );
        assert!(deserialize_str::<AgencyCode>("3790000001").is_err());
    }

    #[test]
    fn f2_agency_code_errors_speak_both_languages() {
        assert!(AgencyCodeError::Format
            .message(Lang::ZhTw)
            .contains("機關代號"));
        assert!(AgencyCodeError::Format
            .message(Lang::English)
            .contains("agency code"));
        assert_eq!(
            AgencyCodeError::Missing.message(Lang::English),
            "This field is required"
        );
    }

    proptest! {
        #[test]
        fn f2_agency_code_parse_never_panics(input in any::<String>()) {
            let _ = AgencyCode::parse(&input);
        }

        #[test]
        fn f2_agency_code_well_formed_codes_round_trip(code in "[0-9A-Z][0-9]{8}[A-Z]") {
            let parsed = AgencyCode::parse(&code).expect("well formed");
            prop_assert_eq!(parsed.as_str(), code.as_str());
            prop_assert_eq!(AgencyCode::parse(&parsed.to_string()), Ok(parsed));
        }
    }
}
