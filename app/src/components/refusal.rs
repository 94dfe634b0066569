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

/// A refusal shown above a form that stays on the page.
#[component]
pub fn ErrorNotice(error: PortalError, lang: Lang) -> impl IntoView {
    view! { <div class="notice error" role="alert"><p>{error.message(lang)}</p></div> }
}

/// Above a form whose fields the server refused (GOV.UK's error summary): each refusal once,
/// as a link to its field, which says again what is wrong beside it. Refusals that name no
/// field are the caller's to show; nothing is shown when no field was refused.
#[component]
pub fn ErrorSummary(errors: Vec<PortalError>, lang: Lang) -> impl IntoView {
    let fields: Vec<(String, String)> = errors
        .iter()
        .filter_map(|error| match error {
            PortalError::Field { field, .. } => Some((format!("#{field}"), error.message(lang))),
            _ => None,
        })
        .collect();
    (!fields.is_empty()).then(|| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
                <h2 id="error-summary-title">{lang.pick("請修正下列標示的欄位。", "Please correct the fields marked below.")}</h2>
                <ul>
                    {fields
                        .into_iter()
                        .map(|(href, message)| view! { <li><a href=href>{message}</a></li> })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// The outcome of an action posted with this request: what was done (a status) or why not
/// (an alert). Nothing when nothing was posted.
#[component]
pub fn OutcomeNotice(outcome: Option<Result<String, PortalError>>, lang: Lang) -> impl IntoView {
    outcome.map(|outcome| match outcome {
        Ok(done) => view! { <div class="notice" role="status"><p>{done}</p></div> }.into_any(),
        Err(error) => view! { <ErrorNotice error lang /> }.into_any(),
    })
}

/// A search that found nothing: 查無資料 and what was not found.
#[component]
pub fn NothingFound(message: &'static str, lang: Lang) -> impl IntoView {
    view! {
        <section class="result not-found" aria-live="polite">
            <h2>{lang.pick("查無資料", "Not found")}</h2>
            <p>{message}</p>
        </section>
    }
}

/// A search the server refused: a query that does not parse stays a notice above the form;
/// anything else (403, sign-in, a fault) is a [`Refusal`].
#[component]
pub fn SearchRefusal(error: PortalError, lang: Lang) -> impl IntoView {
    match error {
        PortalError::Field { .. } => view! { <ErrorNotice error lang /> }.into_any(),
        error => view! { <Refusal error lang /> }.into_any(),
    }
}
