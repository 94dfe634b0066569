//! The place where an ID card was issued (發證地點代碼), as the verification API names it: a
//! five-digit code of a city or county, including the counties merged into cities in 2010.

use super::{is_digits, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// 發證地點代碼, one row of the fixed table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct IssueSiteId {
    code: &'static str,
    name_zh: &'static str,
    name_en: &'static str,
}

const fn site(code: &'static str, name_zh: &'static str, name_en: &'static str) -> IssueSiteId {
    IssueSiteId {
        code,
        name_zh,
        name_en,
    }
}

/// The short names are those printed on the card; 北縣, 桃縣, 中縣, 南縣 and 高縣 issued cards
/// before they became 新北市, 桃園市, 臺中市, 臺南市 and 高雄市.
static SITES: [IssueSiteId; 27] = [
    site("63000", "北市", "Taipei City"),
    site("65000", "新北市", "New Taipei City"),
    site("64000", "高市", "Kaohsiung City"),
    site("66000", "中市", "Taichung City"),
    site("67000", "南市", "Tainan City"),
    site("68000", "桃市", "Taoyuan City"),
    site("10001", "北縣", "Taipei County"),
    site("10002", "宜縣", "Yilan County"),
    site("10003", "桃縣", "Taoyuan County"),
    site("10004", "竹縣", "Hsinchu County"),
    site("10005", "苗縣", "Miaoli County"),
    site("10006", "中縣", "Taichung County"),
    site("10007", "彰縣", "Changhua County"),
    site("10008", "投縣", "Nantou County"),
    site("10009", "雲縣", "Yunlin County"),
    site("10010", "嘉縣", "Chiayi County"),
    site("10011", "南縣", "Tainan County"),
    site("10012", "高縣", "Kaohsiung County"),
    site("10013", "屏縣", "Pingtung County"),
    site("10014", "東縣", "Taitung County"),
    site("10015", "花縣", "Hualien County"),
    site("10016", "澎縣", "Penghu County"),
    site("10017", "基市", "Keelung City"),
    site("10018", "竹市", "Hsinchu City"),
    site("10020", "嘉市", "Chiayi City"),
    site("09007", "連江", "Lienchiang County"),
    site("09020", "金門", "Kinmen County"),
];

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueSiteIdError {
    #[error("issuing place is required")]
    Missing,
    #[error("issuing place code must be 5 digits")]
    Format,
    #[error("no issuing place has this code")]
    Unknown,
}

impl FieldError for IssueSiteIdError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            IssueSiteIdError::Missing => required_message(lang),
            IssueSiteIdError::Format => lang.pick(
                "發證地點代碼應為 5 位數字",
                "The issuing place code must be 5 digits",
            ),
            IssueSiteIdError::Unknown => lang.pick(
                "查無此發證地點代碼，請由選單選擇發證地點",
                "There is no issuing place with this code; choose one from the list",
            ),
        }
    }
}

impl IssueSiteId {
    pub fn parse(input: &str) -> Result<IssueSiteId, IssueSiteIdError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(IssueSiteIdError::Missing);
        }
        if !is_digits(&text, 5..=5) {
            return Err(IssueSiteIdError::Format);
        }
        SITES
            .iter()
            .find(|site| site.code == text)
            .copied()
            .ok_or(IssueSiteIdError::Unknown)
    }

    /// Every issuing place, in the order a selection list shows them.
    pub fn all() -> &'static [IssueSiteId] {
        &SITES
    }

    pub fn as_str(&self) -> &'static str {
        self.code
    }

    /// The short name printed on the card: `北市`.
    pub fn name_zh(&self) -> &'static str {
        self.name_zh
    }

    pub fn name_en(&self) -> &'static str {
        self.name_en
    }

    pub fn name(&self, lang: Lang) -> &'static str {
        lang.pick(self.name_zh, self.name_en)
    }
}

impl fmt::Display for IssueSiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl fmt::Debug for IssueSiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssueSiteId({} {})", self.code, self.name_zh)
    }
}

// Written out because a derived `Deserialize` would require the input to live for `'static`, for
// the `&'static str` fields, even though `parse` never borrows from it.
impl<'de> Deserialize<'de> for IssueSiteId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        IssueSiteId::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl From<IssueSiteId> for String {
    fn from(value: IssueSiteId) -> String {
        value.code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn f2_issue_site_reads_known_codes_with_names() {
        let taipei = IssueSiteId::parse("63000").expect("known");
        assert_eq!(
            (taipei.name_zh(), taipei.name_en()),
            ("北市", "Taipei City")
        );
        let matsu = IssueSiteId::parse(" ０９００７ ").expect("known");
        assert_eq!(matsu.as_str(), "09007");
        assert_eq!(matsu.name(Lang::ZhTw), "連江");
        assert_eq!(matsu.name(Lang::English), "Lienchiang County");
        assert_eq!(IssueSiteId::parse("10020").map(|s| s.name_zh()), Ok("嘉市"));
    }

    #[test]
    fn f2_issue_site_rejects_unknown_and_malformed_codes() {
        assert_eq!(IssueSiteId::parse(""), Err(IssueSiteIdError::Missing));
        assert_eq!(IssueSiteId::parse("10019"), Err(IssueSiteIdError::Unknown));
        assert_eq!(IssueSiteId::parse("00000"), Err(IssueSiteIdError::Unknown));
        assert_eq!(IssueSiteId::parse("6300"), Err(IssueSiteIdError::Format));
        assert_eq!(IssueSiteId::parse("630000"), Err(IssueSiteIdError::Format));
        assert_eq!(IssueSiteId::parse("北市"), Err(IssueSiteIdError::Format));
    }

    #[test]
    fn f2_issue_site_table_has_27_distinct_five_digit_codes_and_names() {
        let all = IssueSiteId::all();
        assert_eq!(all.len(), 27);
        assert_eq!(
            all.iter().map(|s| s.as_str()).collect::<HashSet<_>>().len(),
            27
        );
        assert_eq!(
            all.iter()
                .map(|s| s.name_zh())
                .collect::<HashSet<_>>()
                .len(),
            27
        );
        assert_eq!(
            all.iter()
                .map(|s| s.name_en())
                .collect::<HashSet<_>>()
                .len(),
            27
        );
        for site in all {
            assert_eq!(IssueSiteId::parse(site.as_str()), Ok(*site));
            assert_eq!(deserialize_str::<IssueSiteId>(&site.to_string()), Ok(*site));
        }
    }

    #[test]
    fn f2_issue_site_errors_speak_both_languages() {
        assert!(IssueSiteIdError::Format
            .message(Lang::ZhTw)
            .contains("5 位數字"));
        assert!(IssueSiteIdError::Unknown
            .message(Lang::English)
            .contains("issuing place"));
    }

    proptest! {
        #[test]
        fn f2_issue_site_parse_never_panics(input in any::<String>()) {
            let _ = IssueSiteId::parse(&input);
        }

        #[test]
        fn f2_issue_site_any_five_digits_is_known_or_unknown_never_format(code in "[0-9]{5}") {
            let result = IssueSiteId::parse(&code);
            prop_assert_ne!(result.clone(), Err(IssueSiteIdError::Format));
            prop_assert_eq!(result.is_ok(), IssueSiteId::all().iter().any(|s| s.as_str() == code));
        }
    }
}
