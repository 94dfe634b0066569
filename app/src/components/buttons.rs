//! Small interactive buttons shared by the services' pages: a submit that asks first (the
//! seed's 「請確認資料是否輸入正確?」 確定／取消) and a copy-to-clipboard button (進度查詢).
//! Without JavaScript the form is sent at once and the values can be selected by hand.

use leptos::prelude::*;

/// A submit button that asks first; 取消 leaves the form as it is.
#[island]
pub fn ConfirmSubmit(label: String, question: String) -> impl IntoView {
    view! {
        <button
            type="submit"
            on:click=move |ev| {
                #[cfg(feature = "hydrate")]
                {
                    let confirmed = web_sys::window()
                        .and_then(|window| window.confirm_with_message(&question).ok())
                        .unwrap_or(true);
                    if !confirmed {
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
