//! Small interactive buttons shared by the services' pages: a submit that asks first (the
//! seed's 「請確認資料是否輸入正確?」 確定／取消) and a copy-to-clipboard button (進度查詢).
//! Without JavaScript the form is sent at once and the values can be selected by hand.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How a button looks, by what it does (docs/design.md): one primary action per form; the
/// others secondary; a warning look for what asks more of someone or holds them to a date,
/// and a destructive one for what refuses, stops or withdraws.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Look {
    #[default]
    Primary,
    Secondary,
    Warning,
    Destructive,
}

impl Look {
    /// The button's class (`None`: the primary look every `button` has).
    pub fn class(self) -> Option<&'static str> {
        match self {
            Look::Primary => None,
            Look::Secondary => Some("secondary"),
            Look::Warning => Some("warning"),
            Look::Destructive => Some("destructive"),
        }
    }
}

/// A submit button that asks first; 取消 leaves the form as it is. The question comes only
/// once the form's fields pass as typed (the browser's own checks, and no shown
/// [`TextField`](super::field::TextField) marked `data-refused` by its parser): a form with a
/// field still wrong is sent at once, and the server names every field that needs fixing.
/// Without JavaScript the form is sent at once.
#[island]
pub fn ConfirmSubmit(
    label: String,
    question: String,
    /// The `action` it posts, for a form with one button per decision.
    #[prop(optional_no_strip)]
    action: Option<String>,
    /// Its look; primary by default.
    #[prop(optional)]
    look: Option<Look>,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            name=action.is_some().then_some("action")
            value=action
            class=look.unwrap_or_default().class()
            on:click=move |ev| {
                #[cfg(feature = "hydrate")]
                {
                    use wasm_bindgen::JsCast;
                    let fields_pass = ev
                        .target()
                        .and_then(|target| target.dyn_into::<web_sys::HtmlButtonElement>().ok())
                        .and_then(|button| button.form())
                        .is_none_or(|form| form.check_validity() && !shows_refused(&form));
                    if fields_pass && !confirmed(&question) {
                        ev.prevent_default();
                    }
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (&ev, &question);
            }
        >
            {label}
        </button>
    }
}

/// A [`ConfirmSubmit`] labelled `label` that asks `question`, looks `look` and posts
/// `action` if given: one decision of a form with a button per decision.
pub fn asks_first(label: &str, question: &str, look: Look, action: Option<&str>) -> AnyView {
    view! {
        <ConfirmSubmit label=label.to_owned() question=question.to_owned() look
            action=action.map(str::to_owned) />
    }
    .into_any()
}

/// 清除: resets the form to what it showed first, after asking, as the last of its buttons
/// (a page's own button row puts the action first). For a form outside any island.
#[island]
pub fn ClearButton(lang: crate::i18n::Lang) -> impl IntoView {
    clear_button(lang)
}

/// [`ClearButton`] for a form inside an island, which runs the handler itself.
pub fn clear_button(lang: crate::i18n::Lang) -> impl IntoView {
    let question = lang.pick("確定要清除已輸入的資料嗎?", "Clear what you have entered?");
    view! {
        <button
            type="reset"
            class="secondary"
            on:click=move |ev| {
                #[cfg(feature = "hydrate")]
                if !confirmed(question) {
                    ev.prevent_default();
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (&ev, question);
            }
        >
            {lang.pick("清除", "Clear")}
        </button>
    }
}

/// The seed's question before an application is sent (確定／取消).
pub fn entered_correctly(lang: crate::i18n::Lang) -> &'static str {
    lang.pick(
        "請確認資料是否輸入正確?",
        "Is everything entered correctly?",
    )
}

/// Whether a field of `form` that is shown (not hidden with its section, like the PIN fields
/// of 使用預設密碼) holds a value its parser refused as typed.
#[cfg(feature = "hydrate")]
fn shows_refused(form: &web_sys::HtmlFormElement) -> bool {
    use wasm_bindgen::JsCast;
    let Ok(fields) = form.query_selector_all("[data-refused]") else {
        return false;
    };
    (0..fields.length())
        .filter_map(|index| fields.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .any(|field| field.offset_parent().is_some())
}

/// Asks `question` with the browser's 確定／取消 dialog; whether the visitor chose 確定.
#[cfg(feature = "hydrate")]
pub fn confirmed(question: &str) -> bool {
    web_sys::window()
        .and_then(|window| window.confirm_with_message(question).ok())
        .unwrap_or(true)
}

/// A button that copies `value` to the clipboard and says so.
#[island]
pub fn CopyButton(value: String, label: String, done: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="copy"
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                if let Some(window) = web_sys::window() {
                    let _ = window.navigator().clipboard().write_text(&value);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = &value;
                copied.set(true);
            }
        >
            {label}
        </button>
        <span class="copied" aria-live="polite">{move || copied.get().then(|| done.clone())}</span>
    }
}
