//! The back office's search form: one required text field, `q`, sent by GET to the page itself
//! (works without JavaScript; the query stays in the address so the result can be reloaded).

use crate::i18n::Lang;
use leptos::prelude::*;

#[component]
pub fn SearchForm(
    /// The page's own path.
    action: &'static str,
    label: &'static str,
    maxlength: usize,
    /// What was searched for, shown again.
    value: String,
    lang: Lang,
) -> impl IntoView {
    view! {
        <form method="get" action=action class="card-form" novalidate>
            <div class="field">
                <label for="q"><span class="required" aria-hidden="true">"*"</span>{label}</label>
                <input type="text" id="q" name="q" maxlength=maxlength required autocomplete="off" value=value />
            </div>
            <div class="buttons"><button type="submit">{lang.pick("查詢", "Find")}</button></div>
        </form>
    }
}
