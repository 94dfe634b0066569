//! Validated form types shared by the WASM client and the server (F-2): each field crosses the
//! boundary once, through `parse`, and the rest of the code cannot hold an invalid value.

use crate::i18n::Lang;

/// Deserialises a field through its `parse`, so a forged request cannot skip the rules
/// (used with `#[serde(try_from = "String")]`).
macro_rules! parse_from_string {
    ($type:ty, $error:ty) => {
        impl TryFrom<String> for $type {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                <$type>::parse(&value)
            }
        }
    };
}

pub mod address;
pub mod agency_code;
pub mod apply_code;
pub mod business_id;
pub mod calendar;
pub mod card_number;
pub mod company_name;
pub mod county;
pub mod email;
pub mod field_kind;
pub mod host_ip;
pub mod host_network;
pub mod national_id;
pub mod office_hours;
pub mod person_name;
pub mod phone;
pub mod pin;
pub mod place_code;
pub mod purpose;
pub mod revocation_password;
pub mod roc_date;
pub mod short_text;

/// An error a form field can show next to itself, in either language.
pub trait FieldError {
    fn message(&self, lang: Lang) -> &'static str;
}

/// The one wording of every `Missing` error.
pub fn required_message(lang: Lang) -> &'static str {
    lang.pick("此欄位必須填寫", "This field is required")
}

/// How many characters a person sees in `text`, as the forms' limits count them: extended
/// grapheme clusters (UAX #29), so that a CJK character, a letter and its accent typed as two
/// code points, and a family emoji joined by zero-width joiners each count as one.
///
/// The server counts with unicode-segmentation, and its count decides. The browser counts with
/// its own `Intl.Segmenter`, which keeps that crate's Unicode tables (some 25 KB) out of the
/// WebAssembly every interactive page loads; a browser without it (Firefox before 125, 2024)
/// counts code points, which can only count more.
pub fn characters(text: &str) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        unicode_segmentation::UnicodeSegmentation::graphemes(text, true).count()
    }
    #[cfg(target_arch = "wasm32")]
    {
        thread_local! {
            static SEGMENTER: Option<js_sys::Intl::Segmenter> =
                js_sys::Reflect::get(&js_sys::global(), &"Intl".into())
                    .and_then(|intl| js_sys::Reflect::has(&intl, &"Segmenter".into()))
                    .unwrap_or(false)
                    .then(js_sys::Intl::Segmenter::default);
        }
        SEGMENTER.with(|segmenter| {
            let segments = segmenter
                .as_ref()
                .and_then(|segmenter| js_sys::try_iter(&segmenter.segment(text)).ok().flatten());
            match segments {
                Some(segments) => segments.count(),
                None => text.chars().count(),
            }
        })
    }
}

/// Trims and folds full-width ASCII (and the ideographic space) to half-width, as Taiwanese
/// input methods often produce them.
pub fn normalize_input(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Whether `text` is only ASCII digits, with a length in `lengths`.
fn is_digits(text: &str, lengths: std::ops::RangeInclusive<usize>) -> bool {
    lengths.contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit())
}

/// Removes the spaces and hyphens people put inside numbers to read them.
fn without_separators(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, ' ' | '-')).collect()
}

/// Deserialises a value from a plain string, as serde does from a JSON string field.
#[cfg(test)]
fn deserialize_str<T: serde::de::DeserializeOwned>(
    text: &str,
) -> Result<T, serde::de::value::Error> {
    use serde::de::IntoDeserializer;
    T::deserialize(text.into_deserializer())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn f2_input_folds_full_width_ascii_and_ideographic_space() {
        assert_eq!(
            normalize_input("\u{3000}Ａ１２３＠ｘ．ｔｗ\u{3000}"),
            "A123@x.tw"
        );
        assert_eq!(normalize_input("（０２）１２３４＃５"), "(02)1234#5");
        assert_eq!(normalize_input("  中文 保留  "), "中文 保留");
    }

    #[test]
    fn f2_required_message_speaks_both_languages() {
        assert_eq!(required_message(Lang::ZhTw), "此欄位必須填寫");
        assert_eq!(required_message(Lang::English), "This field is required");
    }

    proptest! {
        #[test]
        fn f2_normalized_input_has_no_full_width_ascii_or_outer_space(input in any::<String>()) {
            let out = normalize_input(&input);
            let folded = out.chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c) || c == '\u{3000}');
            prop_assert!(!folded);
            prop_assert_eq!(out.trim(), out.as_str());
        }
    }
}
