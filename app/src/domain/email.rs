//! An e-mail address that results can be sent to (F-7): the plain `local@domain.tld` form that
//! mail servers deliver, without the exotic corners of RFC 5322.

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// E-mail address, with the domain stored in lower case (the local part keeps its case: only
/// the receiving server may decide it is case-insensitive).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailError {
    #[error("e-mail address is required")]
    Missing,
    #[error("e-mail address must contain exactly one @")]
    At,
    #[error("the part before @ is empty, too long or has invalid characters")]
    LocalPart,
    #[error("the part after @ is not a valid domain name")]
    Domain,
    #[error("e-mail address is longer than 254 characters")]
    TooLong,
}

impl FieldError for EmailError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            EmailError::Missing => required_message(lang),
            EmailError::At => lang.pick(
                "電子郵件格式錯誤：應包含一個 @，如 name@example.com.tw",
                "The e-mail address must contain one @, e.g. name@example.com.tw",
            ),
            EmailError::LocalPart => lang.pick(
                "電子郵件 @ 前的名稱不可空白、不可超過 64 個字元，僅能使用英文字母、數字及 . _ - + 等符號，且不可有連續的點",
                "The name before @ must be 1 to 64 characters of letters, digits and symbols such as . _ - +, without consecutive dots",
            ),
            EmailError::Domain => lang.pick(
                "電子郵件 @ 後的網域名稱格式錯誤，如 example.com.tw",
                "The domain after @ is not valid, e.g. example.com.tw",
            ),
            EmailError::TooLong => lang.pick(
                "電子郵件地址不可超過 254 個字元",
                "The e-mail address can be at most 254 characters",
            ),
        }
    }
}

/// RFC 5322 `atext`: the characters of an unquoted local part besides the dots between them.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

fn local_part_ok(local: &str) -> bool {
    (1..=64).contains(&local.len())
        && local
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(is_atext))
}

/// A host name of at least two labels of letters, digits and inner hyphens, whose top-level
/// label is not all digits (which would make it an IPv4 address).
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |label: &&str| {
        (1..=63).contains(&label.len())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

impl Email {
    pub const MAX_LENGTH: usize = 254;

    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(EmailError::Missing);
        }
        if text.chars().count() > Self::MAX_LENGTH {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = match text.split_once('@') {
            Some((local, domain)) if !domain.contains('@') => (local, domain),
            _ => return Err(EmailError::At),
        };
        if !local_part_ok(local) {
            return Err(EmailError::LocalPart);
        }
        let domain = domain.to_ascii_lowercase();
        if !domain_ok(&domain) {
            return Err(EmailError::Domain);
        }
        Ok(Email(format!("{local}@{domain}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0
            .split_once('@')
            .map(|(local, _)| local)
            .unwrap_or_default()
    }

    pub fn domain(&self) -> &str {
        self.0
            .split_once('@')
            .map(|(_, domain)| domain)
            .unwrap_or_default()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}

parse_from_string!(Email, EmailError);

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_email_accepts_ordinary_addresses_and_lowercases_the_domain() {
        let email = Email::parse(" Wang.Xiao-Ming+huji@Mail.Example.COM.tw ").expect("valid");
        assert_eq!(email.as_str(), "Wang.Xiao-Ming+huji@mail.example.com.tw");
        assert_eq!(email.local_part(), "Wang.Xiao-Ming+huji");
        assert_eq!(email.domain(), "mail.example.com.tw");
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("user@xn--kpry57d.xn--kpry57d").is_ok());
        assert_eq!(
            Email::parse("ｕｓｅｒ＠ｍｏｉ．ｇｏｖ．ｔｗ").map(String::from),
            Ok("user@moi.gov.tw".into())
        );
    }

    #[test]
    fn f2_email_names_the_wrong_part() {
        assert_eq!(Email::parse(""), Err(EmailError::Missing));
        assert_eq!(Email::parse("user.example.com"), Err(EmailError::At));
        assert_eq!(Email::parse("a@b@example.com"), Err(EmailError::At));
        assert_eq!(Email::parse("@example.com"), Err(EmailError::LocalPart));
        assert_eq!(
            Email::parse(".user@example.com"),
            Err(EmailError::LocalPart)
        );
        assert_eq!(
            Email::parse("us..er@example.com"),
            Err(EmailError::LocalPart)
        );
        assert_eq!(
            Email::parse("user.@example.com"),
            Err(EmailError::LocalPart)
        );
        assert_eq!(
            Email::parse("us er@example.com"),
            Err(EmailError::LocalPart)
        );
        assert_eq!(
            Email::parse("\"us er\"@example.com"),
            Err(EmailError::LocalPart)
        );
        assert_eq!(
            Email::parse("王小明@example.com"),
            Err(EmailError::LocalPart)
        );
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(65))),
            Err(EmailError::LocalPart)
        );
        assert_eq!(Email::parse("user@"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@localhost"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@example..com"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@-example.com"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@example-.com"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@exa_mple.com"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@192.168.0.1"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@[192.168.0.1]"), Err(EmailError::Domain));
        assert_eq!(Email::parse("user@example.com."), Err(EmailError::Domain));
        assert_eq!(
            Email::parse(&format!("user@{}.tw", "a".repeat(64))),
            Err(EmailError::Domain)
        );
    }

    #[test]
    fn f2_email_is_at_most_254_characters() {
        let domain = format!(
            "{}.{}.{}.tw",
            "a".repeat(63),
            "b".repeat(63),
            "c".repeat(63)
        );
        let longest = format!("{}@{domain}", "u".repeat(254 - 1 - domain.len()));
        assert_eq!(longest.len(), 254);
        assert!(Email::parse(&longest).is_ok());
        assert_eq!(
            Email::parse(&format!("u{longest}")),
            Err(EmailError::TooLong)
        );
    }

    #[test]
    fn f2_email_deserialises_only_through_parse() {
        assert_eq!(
            deserialize_str::<Email>("a@EXAMPLE.tw").map(String::from),
            Ok("a@example.tw".into())
        );
        assert!(deserialize_str::<Email>("a@b").is_err());
    }

    #[test]
    fn f2_email_errors_speak_both_languages() {
        assert!(EmailError::At.message(Lang::ZhTw).contains("@"));
        assert!(EmailError::TooLong.message(Lang::English).contains("254"));
    }

    proptest! {
        #[test]
        fn f2_email_parse_never_panics(input in any::<String>()) {
            let _ = Email::parse(&input);
        }

        #[test]
        fn f2_email_round_trips(input in "[A-Za-z0-9_+-]{1,20}(\\.[a-z0-9]{1,5})?@([A-Za-z0-9]{1,10}\\.){1,3}[A-Za-z]{2,6}") {
            let email = Email::parse(&input).expect("valid");
            prop_assert_eq!(email.as_str(), format!("{}@{}", email.local_part(), email.domain()));
            prop_assert_eq!(Email::parse(&email.to_string()), Ok(email));
        }
    }
}
