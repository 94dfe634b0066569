//! The password a citizen sets when reporting an ID card lost online (撤銷掛失預設密碼), needed
//! to revoke the report later: four letters or digits, case-sensitive.

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 撤銷掛失預設密碼. It has no `Display` and its `Debug` hides it, so it cannot end up in a page
/// or a log by accident; [`RevocationPassword::expose`] says where it is read on purpose.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RevocationPassword(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RevocationPasswordError {
    #[error("revocation password is required")]
    Missing,
    #[error("revocation password must be exactly 4 characters")]
    Length,
    #[error("revocation password may use only letters A-Z, a-z and digits 0-9")]
    Characters,
}

impl FieldError for RevocationPasswordError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            RevocationPasswordError::Missing => required_message(lang),
            RevocationPasswordError::Length => lang.pick(
                "撤銷掛失密碼應為 4 個字元（英文字母或數字，大小寫有別）",
                "The revocation password must be exactly 4 characters (letters or digits, case-sensitive)",
            ),
            RevocationPasswordError::Characters => lang.pick(
                "撤銷掛失密碼只能使用英文字母（A-Z、a-z）與數字（0-9）",
                "The revocation password may use only letters (A-Z, a-z) and digits (0-9)",
            ),
        }
    }
}

impl RevocationPassword {
    pub const LENGTH: usize = 4;

    pub fn parse(input: &str) -> Result<RevocationPassword, RevocationPasswordError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(RevocationPasswordError::Missing);
        }
        if !text.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(RevocationPasswordError::Characters);
        }
        if text.len() != Self::LENGTH {
            return Err(RevocationPasswordError::Length);
        }
        Ok(RevocationPassword(text))
    }

    /// The password itself, for checking it against the stored one.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RevocationPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RevocationPassword(****)")
    }
}

parse_from_string!(RevocationPassword, RevocationPasswordError);

impl From<RevocationPassword> for String {
    fn from(value: RevocationPassword) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_revocation_password_is_four_letters_or_digits_case_sensitive() {
        let password = RevocationPassword::parse("aB3z").expect("valid");
        assert_eq!(password.expose(), "aB3z");
        assert_ne!(RevocationPassword::parse("AB3Z"), Ok(password));
        assert_eq!(
            RevocationPassword::parse(" ａＢ３ｚ ").map(|p| p.expose().to_owned()),
            Ok("aB3z".into())
        );
    }

    #[test]
    fn f2_revocation_password_names_length_and_character_errors() {
        assert_eq!(
            RevocationPassword::parse(""),
            Err(RevocationPasswordError::Missing)
        );
        assert_eq!(
            RevocationPassword::parse("abc"),
            Err(RevocationPasswordError::Length)
        );
        assert_eq!(
            RevocationPassword::parse("abcde"),
            Err(RevocationPasswordError::Length)
        );
        assert_eq!(
            RevocationPassword::parse("ab-1"),
            Err(RevocationPasswordError::Characters)
        );
        assert_eq!(
            RevocationPassword::parse("ab 1"),
            Err(RevocationPasswordError::Characters)
        );
        assert_eq!(
            RevocationPassword::parse("密碼12"),
            Err(RevocationPasswordError::Characters)
        );
        assert_eq!(
            RevocationPassword::parse("abçd"),
            Err(RevocationPasswordError::Characters)
        );
    }

    #[test]
    fn f2_revocation_password_never_shows_in_debug() {
        let password = RevocationPassword::parse("Zz99").expect("valid");
        assert_eq!(format!("{password:?}"), "RevocationPassword(****)");
        assert_eq!(
            format!("{:?}", Ok::<_, ()>(password)),
            "Ok(RevocationPassword(****))"
        );
    }

    #[test]
    fn f2_revocation_password_deserialises_only_through_parse() {
        assert!(deserialize_str::<RevocationPassword>("Zz99").is_ok());
        assert!(deserialize_str::<RevocationPassword>("Zz9").is_err());
    }

    #[test]
    fn f2_revocation_password_errors_speak_both_languages() {
        assert!(RevocationPasswordError::Length
            .message(Lang::ZhTw)
            .contains("4 個字元"));
        assert!(RevocationPasswordError::Length
            .message(Lang::English)
            .contains("4 characters"));
    }

    proptest! {
        #[test]
        fn f2_revocation_password_parse_never_panics(input in any::<String>()) {
            let _ = RevocationPassword::parse(&input);
        }

        #[test]
        fn f2_revocation_password_round_trips(input in "[A-Za-z0-9]{4}") {
            let password = RevocationPassword::parse(&input).expect("valid");
            prop_assert_eq!(password.expose(), input.as_str());
            prop_assert_eq!(RevocationPassword::parse(&String::from(password.clone())), Ok(password));
        }
    }
}
