//! A labelled text field that checks its value with a shared domain parser while the user
//! types (in the browser) and shows the server's verdict for the same value (JavaScript off):
//! one parser, so the same words appear either way.

use crate::i18n::Lang;
use leptos::prelude::*;

/// Checks one field's text: `None` when acceptable, else the message for `lang`.
pub type Check = fn(&str, Lang) -> Option<&'static str>;

#[component]
pub fn TextField(
    /// The form field name, also the element id.
    name: &'static str,
    label: &'static str,
    lang: Lang,
    check: Check,
    /// The value to show first (e.g. what was submitted).
    #[prop(into)]
    value: String,
    /// The error found for `value` by the server, if it was submitted.
    submitted_error: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] maxlength: Option<usize>,
) -> impl IntoView {
    let error = RwSignal::new(submitted_error);
    let hint_id = format!("{name}-hint");
    let error_id = format!("{name}-error");
    let described_by = match hint {
        Some(_) => format!("{hint_id} {error_id}"),
        None => error_id.clone(),
    };
    view! {
        <div class="field">
            <label for=name>
                {required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
                {label}
            </label>
            {hint.map(|text| view! { <span class="hint" id=hint_id.clone()>{text}</span> })}
            <input
                type="text"
                id=name
                name=name
                value=value
                required=required
                autocomplete=autocomplete
                maxlength=maxlength
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| error.set(check(&event_target_value(&ev), lang))
            />
            <span class="error" id=error_id aria-live="polite">
                {move || error.get()}
            </span>
        </div>
    }
}
