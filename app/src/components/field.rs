//! A labelled text field that checks its value with the shared domain parser while the user
//! types (an island: the only part of a form page that runs in the browser) and shows the
//! server's verdict for a submitted value. One parser, so the same words appear either way.

use crate::domain::field_kind::FieldKind;
use crate::i18n::Lang;
use leptos::prelude::*;

/// The server-rendered description of one field.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldSpec {
    /// The form field name, also the element id.
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub kind: FieldKind,
    pub required: bool,
    pub maxlength: Option<usize>,
    /// A password: shown as dots, never offered for autofill.
    #[serde(default)]
    pub secret: bool,
}

#[island]
pub fn TextField(
    spec: FieldSpec,
    lang: Lang,
    /// The value to show first (e.g. what was submitted).
    value: String,
    /// What the server found wrong with `value`, if it was submitted.
    submitted_error: Option<String>,
) -> impl IntoView {
    let error = RwSignal::new(submitted_error);
    let kind = spec.kind;
    let hint_id = format!("{}-hint", spec.name);
    let error_id = format!("{}-error", spec.name);
    let described_by = match spec.hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    view! {
        <div class="field">
            <label for=spec.name.clone()>
                {spec.required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
                {spec.label}
            </label>
            {spec.hint.map(|text| view! { <span class="hint" id=hint_id.clone()>{text}</span> })}
            <input
                type=if spec.secret { "password" } else { "text" }
                autocomplete=spec.secret.then_some("off")
                id=spec.name.clone()
                name=spec.name
                value=value
                required=spec.required
                maxlength=spec.maxlength
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| error.set(kind.check(&event_target_value(&ev), lang).map(str::to_owned))
            />
            <span class="error" id=error_id aria-live="polite">
                {move || error.get()}
            </span>
        </div>
    }
}
