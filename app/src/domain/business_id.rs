//! The business ID (營利事業統一編號, 統一編號) of a company: eight digits, the last completing a
//! weighted checksum.

use super::{is_digits, normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 營利事業統一編號.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BusinessId(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BusinessIdError {
    #[error("business ID is required")]
    Missing,
    #[error("business ID must be 8 digits")]
    Format,
    #[error("business ID checksum does not match")]
    Checksum,
}

impl FieldError for BusinessIdError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            BusinessIdError::Missing => required_message(lang),
            BusinessIdError::Format => lang.pick(
                "統一編號格式錯誤：應為 8 個數字",
                "The business ID (Unified Business Number) must be 8 digits",
            ),
            BusinessIdError::Checksum => lang.pick(
                "統一編號檢查碼不符，請確認是否輸入正確",
                "This business ID is not valid (checksum mismatch); please check it",
            ),
        }
    }
}

const WEIGHTS: [u32; 8] = [1, 2, 1, 2, 1, 2, 4, 1];

/// Whether eight digits pass the checksum: each digit times its weight, the digits of each
/// product added, the total divisible by 5 (since 2023; divisible by 10 before, which stays
/// valid). A 7th digit of 7 gives 4 × 7 = 28 → 10, which counts as 1 or as 0; as 0 it changes
/// nothing modulo 5, so only the reading as 1 needs a second look.
fn checksum_ok(digits: &[u32; 8]) -> bool {
    let total: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| {
            let product = d * w;
            product / 10 + product % 10
        })
        .sum();
    total.is_multiple_of(5) || (digits[6] == 7 && (total - 9).is_multiple_of(5))
}

impl BusinessId {
    pub fn parse(input: &str) -> Result<BusinessId, BusinessIdError> {
        let text = normalize_input(input);
        if text.is_empty() {
            return Err(BusinessIdError::Missing);
        }
        if !is_digits(&text, 8..=8) {
            return Err(BusinessIdError::Format);
        }
        let mut digits = [0u32; 8];
        for (slot, byte) in digits.iter_mut().zip(text.bytes()) {
            *slot = u32::from(byte - b'0');
        }
        if checksum_ok(&digits) {
            Ok(BusinessId(text))
        } else {
            Err(BusinessIdError::Checksum)
        }
    }

    /// Completes seven digits with the smallest last digit that passes the checksum, for the
    /// synthetic data generator. `None` when `seven_digits` has more than seven digits.
    pub fn with_checksum(seven_digits: u32) -> Option<BusinessId> {
        if seven_digits > 9_999_999 {
            return None;
        }
        (0..=9)
            .map(|last| format!("{seven_digits:07}{last}"))
            .find_map(|text| BusinessId::parse(&text).ok())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BusinessId({})", self.0)
    }
}

parse_from_string!(BusinessId, BusinessIdError);

impl From<BusinessId> for String {
    fn from(value: BusinessId) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_business_id_accepts_weighted_sum_divisible_by_5() {
        // 04595257: 0+8+5+(18→9)+5+4+(20→2)+7 = 40.
        // 22099131: 2+4+0+(18→9)+9+2+(12→3)+1 = 30.
        for valid in ["04595257", "22099131"] {
            assert!(BusinessId::parse(valid).is_ok(), "{valid}");
        }
        // 00000005: total 5, valid only under the 2023 rule.
        assert!(BusinessId::parse("00000005").is_ok());
    }

    #[test]
    fn f2_business_id_seventh_digit_7_counts_28_as_1_or_0() {
        // 10458575: 1+0+4+(10→1)+8+(10→1)+[28→1 or 0]+5 = 21 or 20.
        // 12345675: 1+4+3+8+5+(12→3)+[28→1 or 0]+5 = 30 or 29.
        for valid in ["10458575", "12345675"] {
            assert!(BusinessId::parse(valid).is_ok(), "{valid}");
        }
        // 00000070: [1 or 0] + 0 = 1 or 0, valid through the 0 reading.
        assert!(BusinessId::parse("00000070").is_ok());
        // 00000071: 2 or 1, neither divisible by 5.
        assert_eq!(
            BusinessId::parse("00000071"),
            Err(BusinessIdError::Checksum)
        );
    }

    #[test]
    fn f2_business_id_rejects_bad_checksum_and_format() {
        assert_eq!(
            BusinessId::parse("04595258"),
            Err(BusinessIdError::Checksum)
        );
        assert_eq!(
            BusinessId::parse("12345678"),
            Err(BusinessIdError::Checksum)
        );
        assert_eq!(
            BusinessId::parse("22099132"),
            Err(BusinessIdError::Checksum)
        );
        assert_eq!(BusinessId::parse(""), Err(BusinessIdError::Missing));
        assert_eq!(BusinessId::parse("0459525"), Err(BusinessIdError::Format));
        assert_eq!(BusinessId::parse("045952570"), Err(BusinessIdError::Format));
        assert_eq!(BusinessId::parse("0459525a"), Err(BusinessIdError::Format));
        assert_eq!(BusinessId::parse("+4595257"), Err(BusinessIdError::Format));
    }

    #[test]
    fn f2_business_id_accepts_full_width_digits_and_surrounding_space() {
        assert_eq!(
            BusinessId::parse(" ０４５９５２５７ ").map(String::from),
            Ok("04595257".into())
        );
    }

    #[test]
    fn f2_business_id_with_checksum_picks_the_smallest_last_digit() {
        assert_eq!(
            BusinessId::with_checksum(459_525).map(String::from),
            Some("04595252".into())
        );
        assert_eq!(
            BusinessId::with_checksum(1_234_567).map(String::from),
            Some("12345670".into())
        );
        assert_eq!(BusinessId::with_checksum(10_000_000), None);
    }

    #[test]
    fn f2_business_id_deserialises_only_through_parse() {
        assert_eq!(
            deserialize_str::<BusinessId>("04595257").map(String::from),
            Ok("04595257".into())
        );
        assert!(deserialize_str::<BusinessId>("04595258").is_err());
    }

    #[test]
    fn f2_business_id_errors_speak_both_languages() {
        assert!(BusinessIdError::Format
            .message(Lang::ZhTw)
            .contains("8 個數字"));
        assert!(BusinessIdError::Format
            .message(Lang::English)
            .contains("8 digits"));
    }

    proptest! {
        #[test]
        fn f2_business_id_parse_never_panics(input in any::<String>()) {
            let _ = BusinessId::parse(&input);
        }

        #[test]
        fn f2_business_id_every_prefix_completes_and_round_trips(seven in 0u32..=9_999_999) {
            let id = BusinessId::with_checksum(seven).expect("every prefix has a check digit");
            let prefix = format!("{seven:07}");
            prop_assert!(id.as_str().starts_with(&prefix));
            prop_assert_eq!(BusinessId::parse(&id.to_string()), Ok(id));
        }
    }
}
