//! The page shown for an address the portal does not have, with a 404 status.

use crate::shell::current_lang;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let lang = current_lang();
    view! {
        <Title text=lang.pick("找不到網頁", "Page not found") />
        <h1>{lang.pick("找不到網頁", "Page not found")}</h1>
        <p>
            {lang.pick("您要找的網頁不存在或已移除。", "The page you asked for does not exist or has been removed.")}
            " "
            <a href="/">{lang.pick("回首頁", "Back to the home page")}</a>
        </p>
    }
}
