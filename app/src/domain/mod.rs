//! Validated form types shared by the WASM client and the server (F-2): each field crosses the
//! boundary once, through `parse`, and the rest of the code cannot hold an invalid value.

pub mod card_number;
pub mod field_kind;

use crate::i18n::Lang;

/// An error a form field can show next to itself, in either language.
pub trait FieldError {
    fn message(&self, lang: Lang) -> &'static str;
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
