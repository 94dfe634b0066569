//! The national ID number (身分證統一編號) of a Taiwanese national: a letter, a gender digit
//! and eight more digits, the last a check digit.

use super::{normalize_input, required_message, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// 身分證統一編號, stored upper-case. `Debug` shows only the masked form, so a full number never
/// reaches a log through `{:?}`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalId(String);

#[derive(thiserror::Error, Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NationalIdError {
    #[error("national ID is required")]
    Missing,
    #[error("national ID must be one letter followed by 9 digits")]
    Format,
    #[error("the second character of a national ID must be 1 or 2")]
    GenderDigit,
    #[error("national ID check digit does not match")]
    Checksum,
}

impl FieldError for NationalIdError {
    fn message(&self, lang: Lang) -> &'static str {
        match self {
            NationalIdError::Missing => required_message(lang),
            NationalIdError::Format => lang.pick(
                "身分證統一編號格式錯誤：應為 1 個英文字母加 9 個數字（如 A123456789）",
                "National ID must be one letter followed by 9 digits (e.g. A123456789)",
            ),
            NationalIdError::GenderDigit => lang.pick(
                "身分證統一編號第 2 碼應為 1 或 2（本國國民）",
                "The second character of a national ID must be 1 or 2 (Taiwanese nationals)",
            ),
            NationalIdError::Checksum => lang.pick(
                "身分證統一編號檢查碼不符，請確認是否輸入正確",
                "This national ID number is not valid (check digit mismatch); please check it",
            ),
        }
    }
}

/// The two-digit code of the leading letter, from the official table (W, Z, I and O were assigned
/// after the others, so their codes follow Y's).
fn letter_code(letter: u8) -> Option<u32> {
    let code = match letter {
        b'A'..=b'H' => 10 + u32::from(letter - b'A'),
        b'J'..=b'N' => 18 + u32::from(letter - b'J'),
        b'P'..=b'V' => 23 + u32::from(letter - b'P'),
        b'X' => 30,
        b'Y' => 31,
        b'W' => 32,
        b'Z' => 33,
        b'I' => 34,
        b'O' => 35,
        _ => return None,
    };
    Some(code)
}

/// The weighted sum of the letter code's two digits (weights 1 and 9) and the first
/// `digits.len()` of the nine digits (weights 8, 7, …, 2, 1 and 1).
fn weighted_sum(letter_code: u32, digits: &[u32]) -> u32 {
    const DIGIT_WEIGHTS: [u32; 9] = [8, 7, 6, 5, 4, 3, 2, 1, 1];
    let letter_part = letter_code / 10 + 9 * (letter_code % 10);
    letter_part
        + digits
            .iter()
            .zip(DIGIT_WEIGHTS)
            .map(|(d, w)| d * w)
            .sum::<u32>()
}

impl NationalId {
    pub fn parse(input: &str) -> Result<NationalId, NationalIdError> {
        let text = normalize_input(input).to_ascii_uppercase();
        if text.is_empty() {
            return Err(NationalIdError::Missing);
        }
        let bytes = text.as_bytes();
        let (letter, digits) = match bytes.split_first() {
            Some((letter, digits))
                if letter.is_ascii_uppercase()
                    && digits.len() == 9
                    && digits.iter().all(u8::is_ascii_digit) =>
            {
                (*letter, digits)
            }
            _ => return Err(NationalIdError::Format),
        };
        if !matches!(digits.first(), Some(b'1' | b'2')) {
            return Err(NationalIdError::GenderDigit);
        }
        let code = letter_code(letter).ok_or(NationalIdError::Format)?;
        let digits: Vec<u32> = digits.iter().map(|d| u32::from(d - b'0')).collect();
        if !weighted_sum(code, &digits).is_multiple_of(10) {
            return Err(NationalIdError::Checksum);
        }
        Ok(NationalId(text))
    }

    /// Completes a number with its check digit, for the synthetic data generator. `None` when
    /// `letter` is not A–Z (either case), `gender` not 1 (male) or 2 (female), or `serial` over
    /// 7 digits.
    pub fn with_checksum(letter: char, gender: u8, serial: u32) -> Option<NationalId> {
        let letter = u8::try_from(letter.to_ascii_uppercase()).ok()?;
        let code = letter_code(letter)?;
        if !(1..=2).contains(&gender) || serial > 9_999_999 {
            return None;
        }
        let body = format!("{}{gender}{serial:07}", char::from(letter));
        let digits: Vec<u32> = body.bytes().skip(1).map(|d| u32::from(d - b'0')).collect();
        let check = (10 - weighted_sum(code, &digits) % 10) % 10;
        Some(NationalId(format!("{body}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form shown on screens and written to logs: `A1*****789`.
    pub fn masked(&self) -> String {
        let head = self.0.get(..2).unwrap_or_default();
        let tail = self.0.get(7..).unwrap_or_default();
        format!("{head}*****{tail}")
    }

    /// The last four digits, which people use to recognise their own number.
    pub fn last4(&self) -> &str {
        self.0.get(6..).unwrap_or_default()
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NationalId({})", self.masked())
    }
}

parse_from_string!(NationalId, NationalIdError);

impl From<NationalId> for String {
    fn from(value: NationalId) -> String {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::deserialize_str;
    use proptest::prelude::*;

    #[test]
    fn f2_national_id_accepts_known_valid_number() {
        let id = NationalId::parse("A123456789").expect("valid");
        assert_eq!(id.as_str(), "A123456789");
        assert_eq!(id.to_string(), "A123456789");
    }

    #[test]
    fn f2_national_id_accepts_lower_case_and_full_width_and_stores_upper_case() {
        assert_eq!(
            NationalId::parse(" a123456789 ").map(String::from),
            Ok("A123456789".into())
        );
        assert_eq!(
            NationalId::parse("ａ１２３４５６７８９").map(String::from),
            Ok("A123456789".into())
        );
    }

    #[test]
    fn f2_national_id_uses_official_letter_codes_for_late_letters() {
        let table =
            "A10 B11 C12 D13 E14 F15 G16 H17 I34 J18 K19 L20 M21 N22 O35 P23 Q24 R25 S26 T27 \
                     U28 V29 W32 X30 Y31 Z33";
        for entry in table.split_whitespace() {
            let (letter, code) = entry.split_at(1);
            assert_eq!(
                letter_code(letter.as_bytes()[0]),
                code.parse().ok(),
                "{entry}"
            );
        }
        // Completed by hand with the table.
        for valid in ["I100000003", "O100000004", "W100000001", "Z100000002"] {
            assert!(NationalId::parse(valid).is_ok(), "{valid}");
        }
    }

    #[test]
    fn f2_national_id_distinguishes_format_gender_digit_and_checksum_errors() {
        assert_eq!(NationalId::parse(""), Err(NationalIdError::Missing));
        assert_eq!(NationalId::parse("   "), Err(NationalIdError::Missing));
        assert_eq!(NationalId::parse("A12345678"), Err(NationalIdError::Format));
        assert_eq!(
            NationalId::parse("A1234567890"),
            Err(NationalIdError::Format)
        );
        assert_eq!(
            NationalId::parse("1123456789"),
            Err(NationalIdError::Format)
        );
        assert_eq!(
            NationalId::parse("AB23456789"),
            Err(NationalIdError::Format)
        );
        assert_eq!(
            NationalId::parse("Á123456789"),
            Err(NationalIdError::Format)
        );
        assert_eq!(
            NationalId::parse("A323456789"),
            Err(NationalIdError::GenderDigit)
        );
        assert_eq!(
            NationalId::parse("A823456789"),
            Err(NationalIdError::GenderDigit)
        );
        assert_eq!(
            NationalId::parse("A123456788"),
            Err(NationalIdError::Checksum)
        );
        assert_eq!(
            NationalId::parse("B123456789"),
            Err(NationalIdError::Checksum)
        );
    }

    #[test]
    fn f2_national_id_never_shows_in_full_in_debug_or_masks() {
        let id = NationalId::parse("A123456789").expect("valid");
        assert_eq!(id.masked(), "A1*****789");
        assert_eq!(id.last4(), "6789");
        assert_eq!(format!("{id:?}"), "NationalId(A1*****789)");
    }

    #[test]
    fn f2_national_id_with_checksum_completes_the_check_digit() {
        assert_eq!(
            NationalId::with_checksum('a', 1, 2_345_678).map(String::from),
            Some("A123456789".into())
        );
        assert_eq!(NationalId::with_checksum('A', 3, 0), None);
        assert_eq!(NationalId::with_checksum('1', 1, 0), None);
        assert_eq!(NationalId::with_checksum('Ａ', 1, 0), None);
        assert_eq!(NationalId::with_checksum('A', 1, 10_000_000), None);
    }

    #[test]
    fn f2_national_id_errors_speak_both_languages() {
        assert!(NationalIdError::Format
            .message(Lang::ZhTw)
            .contains("1 個英文字母加 9 個數字"));
        assert!(NationalIdError::Format
            .message(Lang::English)
            .contains("one letter followed by 9 digits"));
        assert_eq!(
            NationalIdError::Missing.message(Lang::ZhTw),
            "此欄位必須填寫"
        );
    }

    #[test]
    fn f2_national_id_deserialises_only_through_parse() {
        let id: NationalId = deserialize_str("a123456789").expect("valid");
        assert_eq!(String::from(id), "A123456789");
        assert!(deserialize_str::<NationalId>("A123456788").is_err());
    }

    proptest! {
        #[test]
        fn f2_national_id_parse_never_panics(input in any::<String>()) {
            let _ = NationalId::parse(&input);
        }

        #[test]
        fn f2_national_id_generated_values_parse_and_round_trip(
            letter in proptest::char::range('A', 'Z'),
            gender in 1u8..=2,
            serial in 0u32..=9_999_999,
        ) {
            let id = NationalId::with_checksum(letter, gender, serial).expect("valid inputs");
            prop_assert_eq!(NationalId::parse(&id.to_string()), Ok(id));
        }

        #[test]
        fn f2_national_id_detects_a_changed_digit_unless_weight_times_change_is_a_multiple_of_10(
            serial in 0u32..=9_999_999,
            position in 2usize..10,
            delta in 1u8..=9,
        ) {
            const WEIGHTS: [u8; 10] = [0, 0, 7, 6, 5, 4, 3, 2, 1, 1];
            let id = NationalId::with_checksum('F', 2, serial).expect("valid inputs");
            let mut bytes = id.as_str().as_bytes().to_vec();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).expect("ascii");
            let expected = if (WEIGHTS[position] * delta).is_multiple_of(10) {
                Ok(())
            } else {
                Err(NationalIdError::Checksum)
            };
            prop_assert_eq!(NationalId::parse(&changed).map(drop), expected);
        }
    }
}
