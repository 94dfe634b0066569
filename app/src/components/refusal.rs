//! What a page shows when its server function refused: 403, sign-in needed, or a fault.

use crate::error::PortalError;
use crate::i18n::Lang;
use leptos::prelude::*;

/// A refused page: the message, and the way back.
#[component]
pub fn Refusal(error: PortalError, lang: Lang) -> impl IntoView {
    view! {
        <section class="result not-found" role="alert">
            <h2>{match error {
                PortalError::Forbidden => lang.pick("403 無權限", "403 Forbidden"),
                _ => lang.pick("無法顯示", "Cannot show this page"),
            }}</h2>
            <p>{error.message(lang)}</p>
            <p><a href="/">{lang.pick("回首頁", "Back to the home page")}</a></p>
        </section>
    }
}
