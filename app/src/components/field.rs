//! A labelled text field that checks its value with the shared domain parser while the user
//! types (an island: the only part of a form page that runs in the browser) and shows the
//! server's verdict for a submitted value. One parser, so the same words appear either way.

use crate::domain::{field_kind::FieldKind, purpose::Purpose};
use crate::i18n::Lang;
use leptos::html;
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
    let name = spec.name.clone();
    let required = spec.required;
    // `data-refused` marks a value the parser refuses as typed, so that a form's submit can
    // tell whether every field passes (`ConfirmSubmit`). Only what was typed here: a value the
    // server refused stays the server's to judge again, and no other button is held back.
    let refused = RwSignal::new(false);
    let on_input = move |text: String| {
        let verdict = kind.check_as(&text, required, lang);
        refused.set(verdict.is_some());
        error.set(verdict.map(str::to_owned));
    };
    // 使用目的/原因 is a paragraph: a text area with a live count of its 350 characters.
    let control = if kind == FieldKind::Purpose {
        let count = RwSignal::new(Purpose::count_chars(&value));
        let count_id = format!("{}-count", spec.name);
        view! {
            <textarea
                id=spec.name.clone()
                name=spec.name
                rows="4"
                data-refused=move || refused.get().then_some("")
                required=spec.required
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=format!("{described_by} {count_id}")
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    count.set(Purpose::count_chars(&text));
                    on_input(text);
                }
            >{value}</textarea>
            <span class="counter" id=count_id>
                {move || format!("{} / {}", count.get(), Purpose::MAX_CHARS)}
            </span>
        }
        .into_any()
    } else {
        view! {
            <input
                type=if spec.secret { "password" } else { "text" }
                autocomplete=spec.secret.then_some("off")
                id=spec.name.clone()
                name=spec.name
                value=value
                required=spec.required
                maxlength=spec.maxlength
                data-refused=move || refused.get().then_some("")
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| on_input(event_target_value(&ev))
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=name>
                {spec.required.then(|| view! { <span class="required" aria-hidden="true">"*"</span> })}
                {spec.label}
            </label>
            {spec.hint.map(|text| view! { <span class="hint" id=hint_id.clone()>{text}</span> })}
            {control}
            <span class="error" id=error_id aria-live="polite">
                {move || error.get()}
            </span>
        </div>
    }
}

/// A secret field of an island's form (a PIN, a user code): never echoed, never posted by the
/// page itself, checked as it is typed; the island reads it through `input`.
#[component]
pub fn SecretField(
    id: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    kind: FieldKind,
    maxlength: usize,
    input: NodeRef<html::Input>,
    error: RwSignal<Option<String>>,
    lang: Lang,
) -> impl IntoView {
    let described_by = match hint {
        Some(_) => format!("{id}-hint {id}-error"),
        None => format!("{id}-error"),
    };
    view! {
        <div class="field">
            <label for=id><span class="required" aria-hidden="true">"*"</span>{label}</label>
            {hint.map(|hint| view! { <span class="hint" id=format!("{id}-hint")>{hint}</span> })}
            <input type="password" id=id name=id maxlength=maxlength autocomplete="off" required node_ref=input
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| error.set(kind.check(&event_target_value(&ev), lang).map(str::to_owned))
            />
            <span class="error" id=format!("{id}-error") aria-live="polite">{move || error.get()}</span>
        </div>
    }
}
