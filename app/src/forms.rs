//! A form's fields, described once: name, label, hint and the shared parser ([`FieldKind`]).
//! A page renders them as [`TextField`]s holding what was posted and the server's verdict; the
//! server parses the same description, so both sides name the same errors in the same words.

use crate::components::field::{FieldSpec, TextField};
use crate::domain::{field_kind::FieldKind, FieldError};
use crate::error::PortalError;
use crate::i18n::Lang;
use leptos::prelude::*;

/// One field of a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormField {
    pub name: &'static str,
    pub kind: FieldKind,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub hint_zh: Option<&'static str>,
    pub hint_en: Option<&'static str>,
    pub maxlength: usize,
}

impl FormField {
    /// A field described by its labels and hint, each `(zh-TW, English)`.
    pub const fn new(
        name: &'static str,
        kind: FieldKind,
        label: (&'static str, &'static str),
        hint: Option<(&'static str, &'static str)>,
        maxlength: usize,
    ) -> FormField {
        FormField {
            name,
            kind,
            label_zh: label.0,
            label_en: label.1,
            hint_zh: match hint {
                Some(hint) => Some(hint.0),
                None => None,
            },
            hint_en: match hint {
                Some(hint) => Some(hint.1),
                None => None,
            },
            maxlength,
        }
    }

    pub fn label(&self, lang: Lang) -> &'static str {
        lang.pick(self.label_zh, self.label_en)
    }

    pub fn hint(&self, lang: Lang) -> Option<&'static str> {
        lang.pick(self.hint_zh, self.hint_en)
    }

    /// The error of this field for `text`, in both languages, if it does not parse.
    pub fn check(&self, text: &str) -> Option<PortalError> {
        struct Message(&'static str, &'static str);
        impl FieldError for Message {
            fn message(&self, lang: Lang) -> &'static str {
                lang.pick(self.0, self.1)
            }
        }
        let zh = self.kind.check(text, Lang::ZhTw)?;
        let en = self.kind.check(text, Lang::English).unwrap_or(zh);
        Some(PortalError::field(self.name, &Message(zh, en)))
    }

    /// The field on a page: required, showing `value` and the server's verdict on it.
    pub fn render(
        &self,
        lang: Lang,
        value: String,
        errors: &[PortalError],
        secret: bool,
    ) -> impl IntoView {
        self.render_required(lang, value, errors, secret, true)
    }

    /// The field on a page, `required` or needed only with some other answer.
    pub fn render_required(
        &self,
        lang: Lang,
        value: String,
        errors: &[PortalError],
        secret: bool,
        required: bool,
    ) -> impl IntoView {
        let spec = FieldSpec {
            name: self.name.into(),
            label: self.label(lang).into(),
            hint: self.hint(lang).map(Into::into),
            kind: self.kind,
            required,
            maxlength: Some(self.maxlength),
            secret,
        };
        let submitted_error = error_of(errors, self.name, lang);
        view! { <TextField spec lang value submitted_error /> }
    }
}

/// The value of field `name` in a posted form ("" when absent).
pub fn value<'a>(posted: &'a [(String, String)], name: &str) -> &'a str {
    posted
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .unwrap_or_default()
}

/// What the server found wrong with field `name`, in `lang`.
pub fn error_of(errors: &[PortalError], name: &str, lang: Lang) -> Option<String> {
    errors.iter().find_map(|error| match error {
        PortalError::Field { field, .. } if field == name => Some(error.message(lang)),
        _ => None,
    })
}

/// "This field is required", for a field that is not a text (a checkbox, a file, a CAPTCHA).
pub fn required(name: &str) -> PortalError {
    PortalError::Field {
        field: name.into(),
        zh_tw: crate::domain::required_message(Lang::ZhTw).into(),
        english: crate::domain::required_message(Lang::English).into(),
    }
}

/// Helpers of the form parsers' tests.
#[cfg(test)]
pub mod testing {
    use crate::error::PortalError;

    /// A posted form from literal pairs.
    pub fn posted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The fields `errors` name, in order ("" for an error of no field).
    pub fn named(errors: &[PortalError]) -> Vec<&str> {
        errors
            .iter()
            .map(|e| match e {
                PortalError::Field { field, .. } => field.as_str(),
                _ => "",
            })
            .collect()
    }
}
