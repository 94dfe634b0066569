//! The back office's search form: one required text field, `q`, posted to the page itself
//! (works without JavaScript). Posted, not sent in the address: what is searched for is often
//! an ID number, which must not end up in browser history, proxy logs or the `Referer`, and a
//! search reads registry data (an audited look-up) that only a request of the portal's own
//! pages may make (the CSRF guard).

use crate::i18n::Lang;
use leptos::prelude::*;

/// The search form's one field.
const QUERY: &str = "q";

/// What a posted form searched for, when it is the search form (or a
/// [`SearchButton`]): the typed text, which may be blank.
pub fn searched(posted: &[(String, String)]) -> Option<String> {
    posted
        .iter()
        .find(|(name, _)| name == QUERY)
        .map(|(_, value)| value.clone())
}

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
        <form method="post" action=action class="card-form" novalidate>
            <div class="field">
                <label for="q"><span class="required" aria-hidden="true">"*"</span>{label}</label>
                <input type="text" id="q" name=QUERY maxlength=maxlength required autocomplete="off" value=value />
            </div>
            <div class="buttons"><button type="submit">{lang.pick("查詢", "Find")}</button></div>
        </form>
    }
}

/// A search for `query` as a button in a list (where a link would put it in the address).
#[component]
pub fn SearchButton(
    /// The page's own path.
    action: &'static str,
    query: String,
) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline">
            <input type="hidden" name=QUERY value=query.clone() />
            <button type="submit" class="link">{query}</button>
        </form>
    }
}
