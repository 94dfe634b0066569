//! Names each validated form field type, so that an interactive field in the browser (an
//! island, whose properties must be plain data) can run the same parser as the server.

use super::{card_number::CardNumber, FieldError};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    CardNumber,
}

impl FieldKind {
    /// `None` when `text` parses as this kind, else the error message in `lang`.
    pub fn check(self, text: &str, lang: Lang) -> Option<&'static str> {
        fn message<T, E: FieldError>(parsed: Result<T, E>, lang: Lang) -> Option<&'static str> {
            parsed.err().map(|e| e.message(lang))
        }
        match self {
            FieldKind::CardNumber => message(CardNumber::parse(text), lang),
        }
    }
}
