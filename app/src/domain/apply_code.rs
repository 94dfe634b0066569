//! The kind of an ID-card issuance (換補發類別): first issue, reissue after loss, or replacement,
//! coded 1, 2 and 3 as the verification API has them.

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 換補發類別.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ApplyCode {
    /// 初發 (1).
    FirstIssue,
    /// 補發 (2): a new card after the old one was lost.
    Reissue,
    /// 換發 (3): a new card in exchange for the old one.
    Replacement,
}

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApplyCodeError {
    #[error("issuance type is required")]
    Missing,
    #[error("issuance type must be 1, 2 or 3")]
    Unknown,
}

impl FieldError for ApplyCodeError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            ApplyCodeError::Missing => required_message(lang),
            ApplyCodeError::Unknown => lang.pick(
                "換補發類別應為 1（初發）、2（補發）或 3（換發）",
                "The issuance type must be 1 (first issue), 2 (reissue) or 3 (replacement)",
            ),
        }
    }
}

impl ApplyCode {
    pub const ALL: [ApplyCode; 3] = [
        ApplyCode::FirstIssue,
        ApplyCode::Reissue,
        ApplyCode::Replacement,
    ];

    pub fn parse(input: &str) -> Result<ApplyCode, ApplyCodeError> {
        match normalize_input(input).as_str() {
            "" => Err(ApplyCodeError::Missing),
            "1" => Ok(ApplyCode::FirstIssue),
            "2" => Ok(ApplyCode::Reissue),
            "3" => Ok(ApplyCode::Replacement),
            _ => Err(ApplyCodeError::Unknown),
        }
    }

    /// The code the API uses: `"1"`, `"2"` or `"3"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApplyCode::FirstIssue => "1",
            ApplyCode::Reissue => "2",
            ApplyCode::Replacement => "3",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ApplyCode::FirstIssue => lang.pick("初發", "First issue"),
            ApplyCode::Reissue => lang.pick("補發", "Reissue"),
            ApplyCode::Replacement => lang.pick("換發", "Replacement"),
        }
    }
}

impl fmt::Display for ApplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

parse_from_string!(ApplyCode, ApplyCodeError);

impl From<ApplyCode> for String {
    fn from(value: ApplyCode) -> String {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_apply_code_reads_1_2_3_with_labels_in_both_languages() {
        assert_eq!(ApplyCode::parse("1"), Ok(ApplyCode::FirstIssue));
        assert_eq!(ApplyCode::parse(" ２ "), Ok(ApplyCode::Reissue));
        assert_eq!(ApplyCode::parse("3"), Ok(ApplyCode::Replacement));
        assert_eq!(ApplyCode::Reissue.label(Lang::ZhTw), "補發");
        assert_eq!(ApplyCode::Replacement.label(Lang::English), "Replacement");
        for code in ApplyCode::ALL {
            assert_eq!(ApplyCode::parse(&code.to_string()), Ok(code));
            assert_eq!(deserialize_str::<ApplyCode>(code.as_str()), Ok(code));
        }
    }

    #[test]
    fn f2_apply_code_rejects_other_codes() {
        assert_eq!(ApplyCode::parse(""), Err(ApplyCodeError::Missing));
        assert_eq!(ApplyCode::parse("0"), Err(ApplyCodeError::Unknown));
        assert_eq!(ApplyCode::parse("4"), Err(ApplyCodeError::Unknown));
        assert_eq!(ApplyCode::parse("01"), Err(ApplyCodeError::Unknown));
        assert_eq!(ApplyCode::parse("補發"), Err(ApplyCodeError::Unknown));
        assert!(ApplyCodeError::Unknown.message(Lang::ZhTw).contains("初發"));
    }

    proptest! {
        #[test]
        fn f2_apply_code_parse_never_panics(input in any::<String>()) {
            let _ = ApplyCode::parse(&input);
        }
    }
}
