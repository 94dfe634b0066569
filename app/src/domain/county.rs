//! A 直轄市 or 縣(市) by its name as staff jurisdictions spell it (`臺北市`): the 22 of today,
//! in the registry's order (the six special municipalities, then the others by place code).

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Every county and city: its name, and its name in English.
pub const COUNTIES: [(&str, &str); 22] = [
    ("臺北市", "Taipei City"),
    ("新北市", "New Taipei City"),
    ("桃園市", "Taoyuan City"),
    ("臺中市", "Taichung City"),
    ("臺南市", "Tainan City"),
    ("高雄市", "Kaohsiung City"),
    ("宜蘭縣", "Yilan County"),
    ("新竹縣", "Hsinchu County"),
    ("苗栗縣", "Miaoli County"),
    ("彰化縣", "Changhua County"),
    ("南投縣", "Nantou County"),
    ("雲林縣", "Yunlin County"),
    ("嘉義縣", "Chiayi County"),
    ("屏東縣", "Pingtung County"),
    ("臺東縣", "Taitung County"),
    ("花蓮縣", "Hualien County"),
    ("澎湖縣", "Penghu County"),
    ("基隆市", "Keelung City"),
    ("新竹市", "Hsinchu City"),
    ("嘉義市", "Chiayi City"),
    ("金門縣", "Kinmen County"),
    ("連江縣", "Lienchiang County"),
];

/// 直轄市、縣(市).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct County(usize);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CountyError {
    #[error("county is required")]
    Missing,
    #[error("no such county or city")]
    Unknown,
}

impl FieldError for CountyError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            CountyError::Missing => required_message(lang),
            CountyError::Unknown => lang.pick(
                "請選擇一個直轄市或縣(市)",
                "Choose one of the special municipalities, counties or cities",
            ),
        }
    }
}

impl County {
    /// Reads a name as people write it: `台` for `臺` is the same place.
    pub fn parse(input: &str) -> Result<County, CountyError> {
        let text = normalize_input(input).replace('台', "臺");
        if text.is_empty() {
            return Err(CountyError::Missing);
        }
        COUNTIES
            .iter()
            .position(|(name, _)| *name == text)
            .map(County)
            .ok_or(CountyError::Unknown)
    }

    pub fn all() -> impl Iterator<Item = County> {
        (0..COUNTIES.len()).map(County)
    }

    /// The name as jurisdictions and the registry spell it.
    pub fn name(self) -> &'static str {
        COUNTIES[self.0].0
    }

    pub fn label(self, lang: Lang) -> &'static str {
        lang.pick(COUNTIES[self.0].0, COUNTIES[self.0].1)
    }
}

impl fmt::Display for County {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Debug for County {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "County({})", self.name())
    }
}

parse_from_string!(County, CountyError);

impl From<County> for String {
    fn from(value: County) -> String {
        value.name().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn f2_county_is_one_of_the_22_by_its_jurisdiction_name() {
        assert_eq!(County::all().count(), 22);
        assert_eq!(County::parse("臺北市").unwrap().name(), "臺北市");
        assert_eq!(County::parse(" 台中市 ").unwrap().name(), "臺中市");
        assert_eq!(
            County::parse("連江縣").unwrap().label(Lang::English),
            "Lienchiang County"
        );
        assert_eq!(County::parse(""), Err(CountyError::Missing));
        assert_eq!(County::parse("臺北縣"), Err(CountyError::Unknown));
        for county in County::all() {
            assert_eq!(County::parse(county.name()), Ok(county));
        }
    }

    proptest! {
        #[test]
        fn f2_county_parse_never_panics(input in any::<String>()) {
            let _ = County::parse(&input);
        }
    }
}
