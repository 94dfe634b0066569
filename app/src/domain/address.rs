//! 戶籍地址 as a citizen types it, and its comparison with the registry's (L4-1).
//!
//! People write the same address many ways. Both the typed address and the registry's are
//! brought to one form before they are compared ([`normalize_address`]):
//!
//! 1. full-width letters, digits and signs become half-width (`３樓` → `3樓`);
//! 2. spaces and separators (`,` `、` `.` `·`) go;
//! 3. `台` becomes `臺` (`台北市` → `臺北市`, `台灣大道` → `臺灣大道`), `号` becomes `號`;
//! 4. Chinese numerals before 段, 巷, 弄, 號, 樓, 鄰, 之 and after 之 become digits
//!    (`二段` → `2段`, `十二樓` → `12樓`, `一〇五號` → `105號`, `之一` → `之1`);
//! 5. `F`/`f` after a number is 樓 (`3F` → `3樓`), and a hyphen between numbers is 之
//!    (`7-1號` → `7之1號`, `3F-2` → `3樓之2`).
//!
//! Then [`RegisteredAddress::matches`] takes the typed address as the registry's county and
//! township, optionally its 村里 and 鄰 (people often leave them out), then the rest of the
//! address, which must be equal. A leading postal code (`106`, `10617`) is ignored.

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegisteredAddress(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddressError {
    #[error("address is required")]
    Missing,
    #[error("address is too long")]
    TooLong,
    #[error("address is too short")]
    TooShort,
}

impl FieldError for AddressError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            AddressError::Missing => required_message(lang),
            AddressError::TooLong => lang.pick(
                "地址最多 100 個字",
                "An address may have at most 100 characters",
            ),
            AddressError::TooShort => lang.pick(
                "請輸入完整地址，包含縣市、鄉鎮市區及門牌",
                "Enter the whole address: county or city, township and house number",
            ),
        }
    }
}

/// The parts of an address as the registry keeps them.
#[derive(Clone, Copy, Debug)]
pub struct RegistryAddress<'a> {
    pub county: &'a str,
    pub township: &'a str,
    pub village: &'a str,
    pub neighborhood: i64,
    pub street_address: &'a str,
}

impl RegisteredAddress {
    pub const MAX_CHARACTERS: usize = 100;

    pub fn parse(input: &str) -> Result<RegisteredAddress, AddressError> {
        let text = normalize_input(input);
        let length = text.chars().count();
        if length == 0 {
            return Err(AddressError::Missing);
        }
        if length > Self::MAX_CHARACTERS {
            return Err(AddressError::TooLong);
        }
        // The shortest real address: a county, a township and a house number (e.g. 連江縣南竿鄉1號).
        if normalize_address(&text).chars().count() < 7 {
            return Err(AddressError::TooShort);
        }
        Ok(RegisteredAddress(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the registry's address, written any of the ways the module describes.
    pub fn matches(&self, registry: &RegistryAddress<'_>) -> bool {
        let typed = normalize_address(&self.0);
        let typed = typed.trim_start_matches(|c: char| c.is_ascii_digit());
        let prefix = normalize_address(&format!("{}{}", registry.county, registry.township));
        let Some(rest) = typed.strip_prefix(prefix.as_str()) else {
            return false;
        };
        let village = normalize_address(registry.village);
        let rest = rest.strip_prefix(village.as_str()).unwrap_or(rest);
        let neighborhood = format!("{}鄰", registry.neighborhood);
        // Documents often pad the 鄰 to three digits (008鄰) or write 第8鄰.
        let padded = rest.trim_start_matches('第').trim_start_matches('0');
        let rest = padded.strip_prefix(neighborhood.as_str()).unwrap_or(rest);
        !rest.is_empty() && rest == normalize_address(registry.street_address)
    }
}

/// The one form both sides of an address comparison are brought to (see the module's rules).
pub fn normalize_address(input: &str) -> String {
    let folded: Vec<char> = normalize_input(input)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '、' | '.' | '·' | '，' | '。'))
        .map(|c| match c {
            '台' => '臺',
            '号' => '號',
            _ => c,
        })
        .collect();
    let mut out = String::with_capacity(folded.len() * 3);
    let mut i = 0;
    while i < folded.len() {
        let c = folded[i];
        if is_chinese_numeral(c) {
            let end = (i..folded.len())
                .find(|&j| !is_chinese_numeral(folded[j]))
                .unwrap_or(folded.len());
            let before_unit = folded.get(end).is_some_and(|u| is_unit(*u));
            let after_zhi = out.ends_with('之');
            match chinese_number(&folded[i..end]) {
                Some(value) if before_unit || after_zhi => out.push_str(&value.to_string()),
                _ => out.extend(&folded[i..end]),
            }
            i = end;
            continue;
        }
        let after_digit = out.ends_with(|p: char| p.is_ascii_digit());
        match c {
            'F' | 'f' if after_digit => out.push('樓'),
            '-' | '－' | '~' if after_digit || out.ends_with('樓') => out.push('之'),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

fn is_unit(c: char) -> bool {
    matches!(c, '段' | '巷' | '弄' | '號' | '樓' | '鄰' | '之')
}

fn is_chinese_numeral(c: char) -> bool {
    matches!(
        c,
        '〇' | '零'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
    )
}

/// `三` → 3, `十二` → 12, `二十` → 20, `一百零五` → 105, `一〇五` → 105.
fn chinese_number(numerals: &[char]) -> Option<u32> {
    let digit = |c: char| -> Option<u32> {
        Some(match c {
            '〇' | '零' => 0,
            '一' => 1,
            '二' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    if !numerals.iter().any(|c| matches!(c, '十' | '百' | '千')) {
        // Read digit by digit, as in 一〇五.
        return numerals
            .iter()
            .try_fold(0u32, |n, c| n.checked_mul(10)?.checked_add(digit(*c)?));
    }
    let (mut total, mut pending) = (0u32, None::<u32>);
    for &c in numerals {
        let multiplier = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => {
                pending = Some(digit(c)?);
                continue;
            }
        };
        total = total.checked_add(pending.take().unwrap_or(1).checked_mul(multiplier)?)?;
    }
    total.checked_add(pending.unwrap_or(0))
}

parse_from_string!(RegisteredAddress, AddressError);

impl fmt::Debug for RegisteredAddress {
    // Personal data: logs and panics see only that an address was there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RegisteredAddress(..)")
    }
}

impl From<RegisteredAddress> for String {
    fn from(address: RegisteredAddress) -> String {
        address.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANG: RegistryAddress<'static> = RegistryAddress {
        county: "臺北市",
        township: "大安區",
        village: "龍安里",
        neighborhood: 8,
        street_address: "新生南路二段86巷7號3樓",
    };

    fn matches(typed: &str, registry: &RegistryAddress<'_>) -> bool {
        RegisteredAddress::parse(typed).is_ok_and(|a| a.matches(registry))
    }

    #[test]
    fn l4_1_address_variants_of_the_same_address_match() {
        for typed in [
            "臺北市大安區龍安里8鄰新生南路二段86巷7號3樓",
            "台北市大安區新生南路二段86巷7號3樓",
            "臺北市大安區新生南路2段86巷7號3F",
            "台北市 大安區 新生南路 2 段 86 巷 7 號 3 樓",
            "臺北市大安區龍安里新生南路二段８６巷７號３樓",
            "臺北市大安區８鄰新生南路二段八十六巷七號三樓",
            "106臺北市大安區新生南路二段86巷7號3f",
            "10617 台北市大安區龍安里8鄰新生南路二段86巷7號3樓",
            "臺北市大安區龍安里008鄰新生南路二段86巷7號3樓",
            "臺北市大安區龍安里００８鄰新生南路二段86巷7號3樓",
            "臺北市大安區龍安里第八鄰新生南路二段86巷7號3樓",
        ] {
            assert!(matches(typed, &WANG), "{typed}");
        }
    }

    #[test]
    fn l4_1_zhi_and_hyphen_numbers_match() {
        let registry = RegistryAddress {
            county: "臺中市",
            township: "西屯區",
            village: "福安里",
            neighborhood: 5,
            street_address: "臺灣大道三段99之1號12樓之3",
        };
        for typed in [
            "臺中市西屯區台灣大道三段99之1號12樓之3",
            "台中市西屯區臺灣大道3段99-1號12F-3",
            "臺中市西屯區福安里5鄰台灣大道三段九十九之一號十二樓之三",
            "台中市西屯區台灣大道三段99－1號12樓－3",
        ] {
            assert!(matches(typed, &registry), "{typed}");
        }
    }

    #[test]
    fn l4_1_other_addresses_do_not_match() {
        for typed in [
            "臺北市大安區新生南路二段86巷7號4樓",
            "臺北市大安區新生南路二段86巷7號",
            "臺北市大安區新生南路二段86巷17號3樓",
            "臺北市信義區新生南路二段86巷7號3樓",
            "新北市大安區新生南路二段86巷7號3樓",
            "大安區新生南路二段86巷7號3樓",
            "臺北市大安區龍安里9鄰新生南路二段86巷7號3樓",
            "臺北市大安區龍泉里新生南路二段86巷7號3樓",
            "臺北市大安區",
            "臺北市大安區新生南路二段86巷7號3樓之1",
        ] {
            assert!(!matches(typed, &WANG), "{typed}");
        }
    }

    #[test]
    fn l4_1_road_names_keep_their_numerals() {
        assert_eq!(
            normalize_address("高雄市前鎮區中山三路5號"),
            "高雄市前鎮區中山三路5號"
        );
        assert_eq!(normalize_address("八德路三段12號"), "八德路3段12號");
        assert_eq!(normalize_address("十全一路一百零五號"), "十全一路105號");
    }

    #[test]
    fn l4_1_chinese_numbers_read_as_people_write_them() {
        let n = |s: &str| chinese_number(&s.chars().collect::<Vec<_>>());
        assert_eq!(n("三"), Some(3));
        assert_eq!(n("十"), Some(10));
        assert_eq!(n("十二"), Some(12));
        assert_eq!(n("二十"), Some(20));
        assert_eq!(n("二十三"), Some(23));
        assert_eq!(n("一百零五"), Some(105));
        assert_eq!(n("一〇五"), Some(105));
        // Too big for a house number: left as written, never a panic.
        assert_eq!(n("四二九四九六七二九九"), None);
        assert_eq!(
            normalize_address("四二九四九六七二九九號"),
            "四二九四九六七二九九號"
        );
    }

    #[test]
    fn f2_addresses_must_be_whole() {
        assert_eq!(RegisteredAddress::parse(" "), Err(AddressError::Missing));
        assert_eq!(
            RegisteredAddress::parse("臺北市"),
            Err(AddressError::TooShort)
        );
        assert_eq!(
            RegisteredAddress::parse(&"路".repeat(101)),
            Err(AddressError::TooLong)
        );
        assert_eq!(
            format!("{:?}", RegisteredAddress::parse("連江縣南竿鄉1號").unwrap()),
            "RegisteredAddress(..)"
        );
    }

    proptest::proptest! {
        #[test]
        fn l4_1_normalising_is_idempotent(text in "\\PC{0,40}") {
            let once = normalize_address(&text);
            proptest::prop_assert_eq!(normalize_address(&once), once.clone());
        }
    }
}
